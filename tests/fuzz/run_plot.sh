#!/bin/sh
# run_plot.sh [SECONDS] -- builds the libFuzzer target for the figure writers'
# quoting (tests/fuzz/fuzz_plot.c)
# with clang, ASan and UBSan, and runs it for SECONDS (default 30) on the
# seed corpus tests/fuzz/corpus_plot.  New inputs go to $FUZZ_OUT/corpus_plot
# (default build-fuzz/corpus_plot), crashes to $FUZZ_OUT.  Exits non-zero if
# the fuzzer finds a crash, a hang, a leak or a sanitizer report.
set -eu
secs=${1:-30}
here=$(cd "$(dirname "$0")" && pwd)
out=$(sh "$here/build.sh")
mkdir -p "$out/corpus_plot"
cd "$out"
exec "$out/tests/fuzz/fuzz_plot" -max_total_time="$secs" -max_len=4096 -timeout=10 \
    -rss_limit_mb=2048 -malloc_limit_mb=512 -print_final_stats=1 "$out/corpus_plot" "$here/corpus_plot"
