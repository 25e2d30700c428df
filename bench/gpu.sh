#!/bin/bash
# GPU benchmark in one run: builds LEAP against the machine's PyTorch/LibTorch with CUDA (the
# dependency bundle from scripts/gpu/bundle.sh, default .gpudeps), runs the test suite (the gpu tests
# included), then `leap bench` at the paper's Euler scale, each lever switched on in turn, and prints
# the table with the GPU named. Results: $RESULTS (default bench/results)/gpu-<gpu>.json and the logs.
#   bash bench/gpu.sh [BUNDLE_DIR] [BUILD_DIR]
set -uo pipefail
cd "$(dirname "$0")/.."
BUNDLE=${1:-.gpudeps}
BUILD=${2:-build-gpu}
RESULTS=${RESULTS:-bench/results}
mkdir -p "$RESULTS"
RESULTS=$(cd "$RESULTS" && pwd)
nvidia-smi -L || { echo "bench/gpu.sh: no GPU (nvidia-smi failed)"; exit 1; }
t0=$(date +%s)
bash scripts/gpu/build.sh "$BUNDLE" "$BUILD" > "$RESULTS/gpu-build.log" 2>&1 || {
  grep -E "error|Error" "$RESULTS/gpu-build.log" | head -40; echo "bench/gpu.sh: build failed"; exit 1; }
echo "build: $(( $(date +%s) - t0 )) s"
. "$BUNDLE/env.sh"
. scripts/env.sh
"$BUILD/tools/leap/leap" --version
t0=$(date +%s)
(cd "$BUILD" && ctest -j "$(nproc)" --timeout 900 --output-on-failure ${CTEST_ARGS:-} > "$RESULTS/gpu-ctest.log" 2>&1)
status=$?
tail -4 "$RESULTS/gpu-ctest.log"; grep -E "Failed|\*\*\*" "$RESULTS/gpu-ctest.log" | head -20
echo "tests: $(( $(date +%s) - t0 )) s, status $status"
"$BUILD/tests/gpu/test_gpu_paths" 2>&1 | grep -E "vs|OK|SKIP|FAIL" | head -30
name=$(nvidia-smi --query-gpu=name --format=csv,noheader | head -1 | tr ' ' '-')
LEAP_NUM_THREADS=$(nproc) "$BUILD/tools/leap/leap" bench --scale paper --device cuda --out "$RESULTS/gpu-$name" ${BENCH_ARGS:-}
exit $status
