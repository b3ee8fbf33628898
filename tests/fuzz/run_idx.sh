#!/bin/sh
# run_idx.sh [SECONDS] -- builds the libFuzzer target for the IDX reader
# (tests/fuzz/fuzz_idx.c)
# with clang, ASan and UBSan, and runs it for SECONDS (default 30) on the
# seed corpus tests/fuzz/corpus_idx.  New inputs go to $FUZZ_OUT/corpus_idx
# (default build-fuzz/corpus_idx), crashes to $FUZZ_OUT.  Exits non-zero if
# the fuzzer finds a crash, a hang, a leak or a sanitizer report.
set -eu
secs=${1:-30}
here=$(cd "$(dirname "$0")" && pwd)
out=$(sh "$here/build.sh")
mkdir -p "$out/corpus_idx"
cd "$out"
exec "$out/tests/fuzz/fuzz_idx" -max_total_time="$secs" -max_len=65536 -timeout=10 \
    -rss_limit_mb=2048 -malloc_limit_mb=512 -print_final_stats=1 "$out/corpus_idx" "$here/corpus_idx"
