#!/bin/bash
# On a GPU machine with CUDA and PyTorch (no Debian registry): extracts the dependency bundle made by
# scripts/gpu/bundle.sh, configures LEAP against PyTorch's LibTorch (CUDA on) and builds it.
#   bash scripts/gpu/build.sh [BUNDLE_DIR=.gpudeps] [BUILD_DIR=build-gpu]
# Afterwards `. BUNDLE_DIR/env.sh` gives the environment the build and its tests run in.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUNDLE=${1:-.gpudeps}
BUILD=${2:-build-gpu}
"$BUNDLE/setup.sh" >/dev/null
. "$BUNDLE/env.sh"
TORCH_PREFIX=$(python3 -c 'import torch;print(torch.utils.cmake_prefix_path)')
GEN=()
command -v ninja >/dev/null && GEN=(-G Ninja)
cmake -S . -B "$BUILD" "${GEN[@]}" -DCMAKE_BUILD_TYPE=Release -DLEAP_CUDA=ON \
  -DCMAKE_PREFIX_PATH="$TORCH_PREFIX;$CMAKE_PREFIX_PATH"
cmake --build "$BUILD" -j "$(nproc)" -- ${LEAP_BUILD_FLAGS:-}
