#!/bin/bash
# The small 3-D pipeline at the paper's first TGC rate (48x: 16^3 x 6 states -> 4^3 x 8 latents), for
# the README's 3-D table: leap generate (examples/euler3d/generate-small.yaml, more trajectories and
# frames), train ae (ae-small.yaml, 8 latent channels), encode, train emulator and surrogate
# (emulator-small.yaml), evaluate on the test split. About 30 min on 2 cores.
#   bash bench/euler3d_small.sh OUT [LEAP]        (OUT/eval holds table.csv, metrics.json, figures)
set -euo pipefail
OUT=${1:?usage: euler3d_small.sh OUT [LEAP]}
LEAP=${2:-leap}
SRC=$(cd "$(dirname "$0")/.." && pwd)
E=$SRC/examples/euler3d
. "$SRC/scripts/env.sh"
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-2}
mkdir -p "$OUT"
step() { echo "== $(date +%T) $*"; }
step generate
[[ -f $OUT/data/metrics.json ]] || mpiexec -n 2 --oversubscribe "$LEAP" generate --config "$E/generate-small.yaml" \
  --out "$OUT/data" --set frames=24 --set trajectories.train=8 --set trajectories.valid=2 --set trajectories.test=2 --no-progress
step train ae
[[ -f $OUT/ae/metrics.json ]] || "$LEAP" train ae --config "$E/ae-small.yaml" --data "$OUT/data" --out "$OUT/ae" \
  --set model.latent_channels=8 --no-progress
step encode
[[ -f $OUT/lat/metrics.json ]] || "$LEAP" encode --checkpoint "$OUT/ae/best.ckpt" --data "$OUT/data" --out "$OUT/lat" --no-progress
for kind in emulator surrogate; do
  step train $kind
  [[ -f $OUT/$kind/metrics.json ]] || "$LEAP" train $kind --config "$E/emulator-small.yaml" --data "$OUT/lat" \
    --out "$OUT/$kind" --no-progress
done
step evaluate
"$LEAP" evaluate --ae "$OUT/ae/best.ckpt" --emulator "$OUT/emulator/best.ckpt" --surrogate "$OUT/surrogate/best.ckpt" \
  --data "$OUT/data" --out "$OUT/eval" --set members=4 --no-progress
step done
