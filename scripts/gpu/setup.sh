#!/bin/bash
# Extracts the bundled Debian 12 packages into a private prefix (the dpkg database is left alone).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
P=${LEAP_DEPS_PREFIX:-/opt/deb12}
mkdir -p "$P"
for d in "$HERE"/debs/*.deb; do dpkg-deb -x "$d" "$P"; done
B=$P/usr/bin
for w in mpicc mpicxx mpic++ mpiCC mpif77 mpif90 mpifort mpirun mpiexec ortecc orterun; do
  [[ -e $B/$w.openmpi ]] && ln -sf "$w.openmpi" "$B/$w"
done
# Debian's alternatives are not run: point the BLAS/LAPACK sonames at the reference libraries.
ldconfig -n "$P/usr/lib/libpsm1" "$P/usr/lib/x86_64-linux-gnu/blas" "$P/usr/lib/x86_64-linux-gnu/lapack"
# The packages' pkg-config and CMake files name /usr: point them at the prefix.
for f in $(find "$P" \( -name '*.pc' -o -name '*.cmake' \) -type f); do
  sed -i "s|/usr/lib/petscdir|$P/usr/lib/petscdir|g; s|^prefix=/usr\$|prefix=$P/usr|" "$f"
done
echo "gpu deps: extracted $(du -sh "$P" | cut -f1) into $P"
