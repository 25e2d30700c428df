#!/bin/bash
# The main job until `leap demo` exists: installs what is missing, builds, then runs LEAP's
# pipeline on a small Euler case: the PETSc solver generates a dataset (2 MPI ranks), the
# autoencoder and the latent diffusion emulator are trained on it. Outputs under out/demo/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
. scripts/env.sh
LEAP=build/tools/leap/leap
OUT=${OUT:-out/demo}
mkdir -p "$OUT"
mpiexec -n 2 --oversubscribe "$LEAP" generate --config examples/euler2d/generate-small.yaml --out "$OUT/data"
"$LEAP" info "$OUT/data/train/euler2d_gamma_1.4_boundary_periodic.hdf5"
"$LEAP" train ae --config examples/euler2d/ae-small.yaml --data "$OUT/data" --out "$OUT/ae"
"$LEAP" encode --checkpoint "$OUT/ae/best.ckpt" --data "$OUT/data" --out "$OUT/latents"
"$LEAP" train emulator --config examples/euler2d/emulator-small.yaml --data "$OUT/latents" --out "$OUT/emulator"
echo
echo "demo: dataset $OUT/data, autoencoder $OUT/ae (metrics.json), emulator $OUT/emulator (metrics.json)"
