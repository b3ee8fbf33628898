#!/bin/sh
# run_answers.sh [SECONDS] -- builds the libFuzzer target for the answer-file
# reader and the grader (tests/fuzz/fuzz_answers.c) with clang, ASan and
# UBSan, and runs it for SECONDS (default 30) on the seed corpus
# tests/fuzz/corpus_answers against the exercises in exercises/.  New inputs
# go to $FUZZ_OUT/corpus_answers (default build-fuzz/corpus_answers),
# crashes to $FUZZ_OUT.  Exits non-zero if the fuzzer finds a crash, a hang,
# a leak or a sanitizer report.
set -eu
secs=${1:-30}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=$(sh "$here/build.sh")
mkdir -p "$out/corpus_answers"
cd "$out"
ELBOLAB_EXERCISES="$root/exercises" exec "$out/tests/fuzz/fuzz_answers" -max_total_time="$secs" -max_len=16384 \
    -timeout=10 -rss_limit_mb=2048 -dict="$here/answers.dict" -print_final_stats=1 \
    "$out/corpus_answers" "$here/corpus_answers"
