#!/bin/sh
# run_derive.sh [SECONDS] -- builds the libFuzzer target for the derivation
# checker (tests/fuzz/fuzz_derive.c) with clang, ASan and UBSan, and runs it
# for SECONDS (default 30) on the seed corpus tests/fuzz/corpus_derive with
# the contexts in exercises/contexts. New inputs go to
# $FUZZ_OUT/corpus_derive (default build-fuzz/corpus_derive), crashes to
# $FUZZ_OUT. Exits non-zero if the fuzzer finds a crash, a hang, a leak or a
# sanitizer report.
set -eu
secs=${1:-30}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=$(sh "$here/build.sh")
mkdir -p "$out/corpus_derive"
cd "$out"
ELBOLAB_EXERCISES="$root/exercises" exec "$out/tests/fuzz/fuzz_derive" -max_total_time="$secs" \
    -max_len=2048 -timeout=20 -rss_limit_mb=2048 -dict="$here/derive.dict" -print_final_stats=1 \
    "$out/corpus_derive" "$here/corpus_derive"
