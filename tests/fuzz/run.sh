#!/bin/sh
# run.sh [SECONDS] -- builds the libFuzzer target for the answer language
# (tests/fuzz/fuzz_expr.c) with clang, ASan and UBSan, and runs it for
# SECONDS (default 30) on the seed corpus tests/fuzz/corpus_expr. New
# inputs go to $FUZZ_OUT/corpus (default build-fuzz/corpus), crashes to
# $FUZZ_OUT. Exits non-zero if the fuzzer finds a crash, a hang, a leak or a
# sanitizer report.
set -eu
secs=${1:-30}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=$(sh "$here/build.sh")
mkdir -p "$out/corpus"
cd "$out"
exec "$out/tests/fuzz/fuzz_expr" -max_total_time="$secs" -max_len=4200 -timeout=10 \
    -rss_limit_mb=2048 -dict="$here/expr.dict" -print_final_stats=1 \
    "$out/corpus" "$here/corpus_expr"
