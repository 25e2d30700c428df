#!/bin/bash
# For a GPU machine with CUDA and PyTorch but no Debian package registry: downloads here (Debian 12)
# the packages LEAP needs besides LibTorch (PETSc 3.18, OpenMPI, parallel HDF5, yaml-cpp, CLI11, spdlog,
# nlohmann-json, GoogleTest, hdf5-tools, stb, PLplot with its cairo driver and fonts) into DIR, with setup.sh and env.sh.
#   here:   bash scripts/gpu/bundle.sh .gpudeps      (.gpudeps is git-ignored)
#   there:  .gpudeps/setup.sh && . .gpudeps/env.sh   (extracts into $LEAP_DEPS_PREFIX, default /opt/deb12)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
DEST=${1:?usage: bundle.sh DIR}
mkdir -p "$DEST/debs"
(cd "$DEST/debs" && apt-get download $(cat "$HERE/debs.txt") >/dev/null)
cp "$HERE/setup.sh" "$HERE/env.sh" "$DEST/"
chmod +x "$DEST/setup.sh"
echo "bundle: $(ls "$DEST/debs" | wc -l) packages, $(du -sh "$DEST" | cut -f1) in $DEST"
