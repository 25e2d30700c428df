#!/bin/bash
# `cmake --install` then a separate project does find_package(leap) and links leap::leap, leap::petsc.
set -euo pipefail
BUILD=$1 SRC=$2
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cmake --install "$BUILD" --prefix "$WORK/prefix" >/dev/null
test -x "$WORK/prefix/bin/leap"
test -f "$WORK/prefix/include/leap/leap.h"
test -f "$WORK/prefix/include/leap/version.h"
"$WORK/prefix/bin/leap" --version | grep -q '^LEAP '
cmake -S "$SRC/tests/e2e/downstream" -B "$WORK/build" -DCMAKE_PREFIX_PATH="$WORK/prefix" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$WORK/build" -j2 >/dev/null
out=$("$WORK/build/downstream")
echo "$out"
[[ "$out" == "leap 0.1.0 block 8 x 4" ]]
