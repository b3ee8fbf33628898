#!/bin/sh
# build.sh -- configures and builds the libFuzzer targets with clang, ASan and
# UBSan in $FUZZ_OUT (default build-fuzz) and prints that folder's path.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${FUZZ_OUT:-$root/build-fuzz}
if [ ! -f "$out/build.ninja" ]; then
    CC=clang meson setup "$out" "$root" -Dfuzz=true -Dtests=disabled -Dbuildtype=debugoptimized \
        -Db_sanitize=address,undefined -Db_lundef=false -Dc_args=-fno-sanitize-recover=all >"$out.setup.log" 2>&1 \
        || { cat "$out.setup.log" >&2; exit 1; }
fi
meson compile -C "$out" fuzz_expr fuzz_answers fuzz_derive fuzz_model fuzz_idx fuzz_params fuzz_plot >"$out.compile.log" 2>&1 \
    || { cat "$out.compile.log" >&2; exit 1; }
echo "$out"
