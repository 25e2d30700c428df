#!/bin/bash
# The real hybrid run at 256^2 on the CPU (#17 item 6, README "A real hybrid run at 256² with trained
# models"): models trained on this machine class, then `leap hybrid` on 2 ranks against the solver
# alone. About 1.5 h on 2 cores (the autoencoder takes most of it).
#   bash bench/hybrid256.sh OUT [LEAP]
# Stages (each skipped when its metrics.json exists, written when the stage ends; delete it to run
# the stage again):
#   1. leap generate (2 ranks): bench/hybrid256/generate.yaml, 24/2/2 trajectories of 20 frames at 256²
#   2. leap train ae: bench/hybrid256/ae.yaml (256²x5 -> 32²x8, 40x)
#   3. leap encode --augment 4: the training split and 4 flipped/rolled copies
#   4. leap train emulator: bench/hybrid256/emulator.yaml (latent diffusion ViT, width 128)
#   5. leap hybrid (2 ranks): bench/hybrid256/hybrid.yaml, held-out seed 1000, leaps of L frames
#      after S solver frames for each L:S in SCHEDULES (default "6:4 3:4 2:6"), each against
#      the solver alone
# Writes OUT/stages.json (wall seconds of every stage) and OUT/table.md.
set -euo pipefail
OUT=${1:?usage: hybrid256.sh OUT [LEAP]}
LEAP=${2:-leap}
SRC=$(cd "$(dirname "$0")/.." && pwd)
C=$SRC/bench/hybrid256
. "$SRC/scripts/env.sh"
MPI=(mpiexec -n 2 --oversubscribe)
mkdir -p "$OUT"
STAGES=$OUT/stages.json
[[ -f $STAGES ]] || echo '{}' > "$STAGES"
stage() {  # stage NAME OUTPUT COMMAND...: runs COMMAND unless OUTPUT exists, records its wall time
  local name=$1 output=$2
  shift 2
  if [[ -e $output ]]; then echo "== $name: done ($output)"; return; fi
  echo "== $(date +%T) $name"
  local t0=$(date +%s.%N)
  "$@"
  python3 - "$STAGES" "$name" "$t0" "$(date +%s.%N)" <<'PY'
import json, sys
p, name, t0, t1 = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
d = json.load(open(p)); d[name] = round(t1 - t0, 1)
open(p + ".tmp", "w").write(json.dumps(d, indent=1)); import os; os.replace(p + ".tmp", p)
PY
}
stage generate "$OUT/data/metrics.json" \
  "${MPI[@]}" "$LEAP" generate --config "$C/generate.yaml" --out "$OUT/data" --no-progress
stage train_ae "$OUT/ae/metrics.json" \
  "$LEAP" train ae --config "$C/ae.yaml" --data "$OUT/data" --out "$OUT/ae" --no-progress
stage encode "$OUT/latents/metrics.json" \
  "$LEAP" encode --checkpoint "$OUT/ae/best.ckpt" --data "$OUT/data" --out "$OUT/latents" --augment 4 --seed 0 --no-progress
stage train_emulator "$OUT/emulator/metrics.json" \
  "$LEAP" train emulator --config "$C/emulator.yaml" --data "$OUT/latents" --out "$OUT/emulator" --no-progress
for s in ${SCHEDULES:-6:4 3:4 2:6}; do
  lf=${s%:*} sf=${s#*:}
  stage "hybrid_leap${lf}_solver${sf}" "$OUT/hybrid_leap${lf}_solver${sf}/metrics.json" \
    "${MPI[@]}" "$LEAP" hybrid --config "$C/hybrid.yaml" --ae "$OUT/ae/best.ckpt" --emulator "$OUT/emulator/best.ckpt" \
    --set leap.leap_frames="$lf" --set leap.solver_frames="$sf" --out "$OUT/hybrid_leap${lf}_solver${sf}" -q
done
python3 - "$OUT" ${SCHEDULES:-6:4 3:4 2:6} <<'PY'
import json, os, sys
out, schedules = sys.argv[1], sys.argv[2:]
lines = ["| leap frames | solver frames between leaps | frames by the emulator | solver alone (s) | hybrid (s) | speed-up | VRMSE (final) |",
         "|---|---|---|---|---|---|---|"]
for s in schedules:
    lf, sf = s.split(":")
    m = json.load(open(os.path.join(out, "hybrid_leap%s_solver%s" % (lf, sf), "metrics.json")))
    lines.append("| %s | %s | %d of %d | %.1f | %.1f | %.2f | %.3f |" % (lf, sf, m["frames_by_emulator"], m["frames"],
                 m["wall_seconds_solver_only"], m["wall_seconds_hybrid"], m["speedup"], m["vrmse_final"]))
open(os.path.join(out, "table.md"), "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
print(json.dumps(json.load(open(os.path.join(out, "stages.json")))))
PY
