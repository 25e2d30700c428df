#!/bin/bash
# Solver-guided leaps on the small Euler case (#21, README "Solver-guided leaps"): `leap hybrid`
# (examples/euler2d/hybrid-small.yaml: 64^2, 20 frames, leaps of 6 after 4 solver frames) on 2 ranks
# with the pretrained 80x models, for each coarsening factor in FACTORS (default "4 2"): the
# solver alone, unguided leaps, leaps guided by the coarse solver's frames, and the coarse solver
# alone (interpolated). One directory per factor with metrics.json and final_state.png; a summary
# table (table.md) beside them. About 2 min per factor on 2 cores.
#   bash bench/guided_hybrid.sh OUT [LEAP]
set -euo pipefail
OUT=${1:?usage: guided_hybrid.sh OUT [LEAP]}
LEAP=${2:-leap}
SRC=$(cd "$(dirname "$0")/.." && pwd)
P=$SRC/examples/euler2d/pretrained
. "$SRC/scripts/env.sh"
export OMP_NUM_THREADS=1
mkdir -p "$OUT"
for k in ${FACTORS:-4 2}; do
  echo "== $(date +%T) coarse factor $k"
  mpiexec -n 2 --oversubscribe "$LEAP" hybrid --config "$SRC/examples/euler2d/hybrid-small.yaml" \
    --ae "$P/ae-80x.ckpt" --emulator "$P/diffusion-80x.ckpt" --set leap.context=1 \
    --set leap.guidance=coarse --set leap.coarse_factor="$k" ${EXTRA:-} --out "$OUT/factor$k" -q
done
python3 - "$OUT" ${FACTORS:-4 2} <<'PY'
import json, sys, os
out, factors = sys.argv[1], sys.argv[2:]
names = {"off": "unguided leaps", "coarse": "leaps guided by the coarse solver", "coarse_only": "coarse solver alone, interpolated"}
lines = ["| coarse grid | leap | VRMSE (final) | wall (s) | speed-up | coarse share |", "|---|---|---|---|---|---|"]
for k in factors:
    m = json.load(open(os.path.join(out, "factor" + k, "metrics.json")))
    n = m["grid"][0] // int(k)
    lines.append("| %d² (÷%s) | fine solver alone | 0 | %.2f | 1 | |" % (n, k, m["wall_seconds_solver_only"]))
    for r in m["guidance_comparison"]:
        lines.append("| %d² (÷%s) | %s | %.3f | %.2f | %.2f | %.1f%% |" % (n, k, names[r["guidance"]], r["vrmse_final"],
                     r["wall_seconds"], r["speedup"], 100 * r["coarse_share"]))
open(os.path.join(out, "table.md"), "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
PY
