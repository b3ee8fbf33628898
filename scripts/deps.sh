#!/bin/sh
# deps.sh -- make sure the Debian packages ELBO Lab builds with are present.
# As root it installs what is missing; otherwise it prints the one apt-get
# line to run and stops.  gnuplot is optional: without it everything but the
# figures works; so is libjs-katex: without it `elbolab serve` shows plain
# text instead of typeset maths.
set -u
required="libgsl-dev check meson ninja-build pkg-config libjansson-dev zlib1g-dev libopenblas-dev libmicrohttpd-dev libzip-dev uuid-dev"
# `deps.sh --fuzz` (CI) also wants clang and its libFuzzer runtime
[ "${1:-}" = "--fuzz" ] && required="$required clang libclang-rt-14-dev"
optional="gnuplot-nox dataset-fashion-mnist libjs-katex"
# `deps.sh --browser` (CI) also wants Debian's chromium and curl for the
# page's end-to-end test (tests/serve.sh; skipped without them)
[ "${1:-}" = "--browser" ] && optional="$optional chromium curl"

missing_of() {
    out=""
    for p in "$@"; do
        if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
            out="$out $p"
        fi
    done
    echo "$out"
}

if ! command -v dpkg-query >/dev/null 2>&1; then
    # not Debian: trust pkg-config and the tools on PATH
    for m in gsl check jansson; do
        pkg-config --exists "$m" 2>/dev/null || { echo "deps: pkg-config cannot find '$m': install GSL, Check and Jansson development files" >&2; exit 1; }
    done
    exit 0
fi

need=$(missing_of $required)
want=$(missing_of $optional)
# gnuplot may come from another package (gnuplot-qt, gnuplot-x11)
if command -v gnuplot >/dev/null 2>&1; then want=$(echo "$want" | sed 's/ gnuplot-nox//'); fi
[ -z "$need$want" ] && exit 0

if [ "$(id -u)" = 0 ]; then
    echo "deps: installing$need$want"
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get install -y -q $need $want >/tmp/elbolab-apt.log 2>&1; then
        apt-get update -q >>/tmp/elbolab-apt.log 2>&1
        if ! apt-get install -y -q $need $want >>/tmp/elbolab-apt.log 2>&1; then
            echo "deps: apt-get could not install$need$want (log: /tmp/elbolab-apt.log)" >&2
            [ -n "$need" ] && exit 1
            echo "deps: continuing without$want (figures, Fashion-MNIST or typeset maths in serve will be missing)" >&2
        fi
    fi
    exit 0
fi

if [ -n "$need" ]; then
    echo "deps: missing packages. Run this once, then 'make' again:" >&2
    echo "    sudo apt-get install$need$want" >&2
    exit 1
fi
echo "deps: optional packages missing:$want (figures / Fashion-MNIST / KaTeX for serve); 'sudo apt-get install$want' adds them" >&2
exit 0
