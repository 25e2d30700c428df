#!/bin/bash
# The test command: installs what is missing, builds the CPU configuration (build/) and the CUDA
# configuration (build-cuda/: compiled and linked against the same LibTorch and /usr/local/cuda, so a
# break in the GPU build fails here too; LEAP_CUDA_BUILD=0 skips it), runs the whole suite on the CPU
# build (unit, mpi, e2e; gpu tests skip with a message where no GPU is found), then the gpu tests of
# the CUDA build (they run where a GPU is, and skip with their message where none is).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
if [[ ${LEAP_CUDA_BUILD:-1} != 0 ]]; then
  BUILD_DIR=build-cuda bash scripts/build.sh -DLEAP_CUDA=ON
fi
. scripts/env.sh
(cd "${BUILD_DIR:-build}" && ctest --output-on-failure -j "${JOBS:-$(nproc)}" --timeout 900)
if [[ ${LEAP_CUDA_BUILD:-1} != 0 ]]; then
  (cd build-cuda && ctest --output-on-failure -L gpu --timeout 900)
fi
