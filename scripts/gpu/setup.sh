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
# PLplot's pkg-config file names its directories without a prefix variable.
sed -i -E "s#^(libdir|includedir|drvdir)=/usr/#\1=$P/usr/#" "$P/usr/lib/x86_64-linux-gnu/pkgconfig/plplot.pc"
# Fonts for the figures' text (cairo through fontconfig): the bundled DejaVu fonts.
mkdir -p "$P/etc/fonts"
cat > "$P/etc/fonts/leap-fonts.conf" <<CONF
<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig><dir>$P/usr/share/fonts</dir><dir>/usr/share/fonts</dir><cachedir>/tmp/leap-fontconfig</cachedir></fontconfig>
CONF
echo "gpu deps: extracted $(du -sh "$P" | cut -f1) into $P"
