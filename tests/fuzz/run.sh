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
out=${FUZZ_OUT:-$root/build-fuzz}
mkdir -p "$out/corpus"
clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
    -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -I"$root/src" \
    "$here/fuzz_expr.c" \
    "$root/src/grade/expr_lex.c" "$root/src/grade/expr_parse.c" \
    "$root/src/grade/expr_eval.c" "$root/src/core/error.c" \
    $(pkg-config --cflags --libs gsl jansson) -lm -lpthread \
    -o "$out/fuzz_expr"
cd "$out"
exec ./fuzz_expr -max_total_time="$secs" -max_len=4200 -timeout=10 \
    -rss_limit_mb=2048 -dict="$here/expr.dict" -print_final_stats=1 \
    "$out/corpus" "$here/corpus_expr"
