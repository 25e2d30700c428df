#!/bin/bash
# The test command: installs what is missing, builds, runs the whole suite (unit, mpi, e2e; gpu
# tests skip with a message where no GPU is found).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
. scripts/env.sh
cd "${BUILD_DIR:-build}"
ctest --output-on-failure -j "${JOBS:-$(nproc)}" --timeout 900
