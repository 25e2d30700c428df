#!/bin/bash
# The main job: installs what is missing, builds, then runs `leap demo` (arguments are passed on):
# the PETSc Euler solver generates a small dataset on 2 MPI ranks, the autoencoder and the latent
# diffusion emulator are trained on it, and a hybrid solver + emulator run on a held-out initial
# condition is compared with the solver alone. Outputs under out/demo/ (report.md, metrics.json,
# hybrid/final_state.png).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
. scripts/env.sh
exec build/tools/leap/leap demo "$@"
