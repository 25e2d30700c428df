#!/bin/bash
# Configures and builds LEAP into BUILD_DIR (default build/). Extra arguments go to cmake, e.g.
#   BUILD_DIR=build-cuda bash scripts/build.sh -DLEAP_CUDA=ON     (the CUDA configuration)
# LibTorch is the torch wheel's in .venv/ (scripts/install-deps.sh). With ccache installed, compilations
# are cached (the CUDA configuration reuses most of the CPU configuration's objects).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
JOBS=${JOBS:-$(nproc)}
GEN=()
command -v ninja >/dev/null && [[ ! -f $BUILD_DIR/Makefile ]] && GEN=(-G Ninja)
LAUNCHER=()
if command -v ccache >/dev/null; then
  LAUNCHER=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  export CCACHE_BASEDIR=$PWD CCACHE_NOHASHDIR=1
  export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-4G}
fi
cmake -S . -B "$BUILD_DIR" "${GEN[@]}" -DCMAKE_BUILD_TYPE=Release "${LAUNCHER[@]}" "$@" >/dev/null
cmake --build "$BUILD_DIR" -j "$JOBS"
