#!/bin/bash
# Solver-guided leaps (#21): `leap hybrid` on 2 ranks with the pretrained Euler models and a copy of
# the solver 4x coarser per axis (leap.guidance coarse). metrics.json compares, over the same
# schedule and against the same solver-only run, the guided leaps with unguided ones and with the
# coarse solver alone (its state interpolated): VRMSE, speed-up and the coarse run's share of the
# wall time. The guided leap must beat the unguided one (the coarse frames pin the large scales).
# A factor that does not divide the grid is refused before anything is written (exit 2).
. "$2/tests/support/e2e_common.sh"
P=$SRC/examples/euler2d/pretrained
M=(--ae "$P/ae-80x.ckpt" --emulator "$P/diffusion-80x.ckpt" --set leap.context=1)
"$MPIEXEC" -n 2 --oversubscribe "$LEAP" hybrid --config "$SRC/examples/euler2d/hybrid-small.yaml" "${M[@]}" \
  --out "$WORK/guided" --set frames=14 --set leap.guidance=coarse --set leap.coarse_factor=4 -q \
  || fail "guided hybrid on 2 ranks"
python3 - "$WORK/guided/metrics.json" <<'PY' || fail "guided hybrid metrics"
import json, math, sys
m = json.load(open(sys.argv[1]))
assert m["ranks"] == 2 and m["guidance"] == "coarse" and m["coarse_factor"] == 4, m
assert m["policy"]["settings"]["guidance"] == "coarse" and m["policy"]["settings"]["coarse_factor"] == 4
rows = {r["guidance"]: r for r in m["guidance_comparison"]}
assert sorted(rows) == ["coarse", "coarse_only", "off"], rows
for g, r in rows.items():
    assert math.isfinite(r["vrmse_final"]) and r["speedup"] > 0, r
    attempts = r["leaps_accepted"] + r["leaps_rejected"]
    assert attempts >= 1, r
    # the coarse solver runs every attempt's frames (6 per leap), and only with guidance
    assert r["coarse_frames"] == (6 * attempts if g != "off" else 0), r
    assert (0 < r["coarse_share"] < 1) if g != "off" else r["coarse_share"] == 0, r
g, u = rows["coarse"], rows["off"]
assert g["leaps_accepted"] >= 1 and u["leaps_accepted"] >= 1, (g, u)
assert g["vrmse_final"] == m["vrmse_final"] and m["coarse_share"] == g["coarse_share"]
assert g["vrmse_final"] < u["vrmse_final"], ("guided", g["vrmse_final"], "unguided", u["vrmse_final"])
print("guided VRMSE %.3f, unguided %.3f, coarse only %.3f; coarse share %.1f%%" %
      (g["vrmse_final"], u["vrmse_final"], rows["coarse_only"]["vrmse_final"], 100 * g["coarse_share"]))
PY
out=$("$LEAP" hybrid --config "$SRC/examples/euler2d/hybrid-small.yaml" "${M[@]}" --out "$WORK/bad" \
  --set leap.guidance=coarse --set leap.coarse_factor=5 -q 2>&1); status=$?
[[ $status == 2 ]] || fail "a coarse factor of 5 on 64^2: exit $status"
grep -q "leap.coarse_factor" <<<"$out" || fail "the refusal names leap.coarse_factor: $out"
[[ ! -e $WORK/bad ]] || fail "a refused run wrote outputs: $(ls -A "$WORK/bad")"
# leap study checks every point's grid the same way, before --out exists.
out=$("$MPIEXEC" -n 2 --oversubscribe "$LEAP" study --config "$SRC/examples/euler2d/study-small.yaml" "${M[@]}" \
  --out "$WORK/bad_study" --set leap.guidance=coarse_only --set leap.coarse_factor=5 -q 2>&1); status=$?
[[ $status == 2 ]] || fail "study with a coarse factor of 5 on 64^2: exit $status"
grep -q "leap.coarse_factor" <<<"$out" || fail "the study's refusal names leap.coarse_factor: $out"
[[ ! -e $WORK/bad_study ]] || fail "a refused study wrote outputs"
echo "e2e guided hybrid: OK"
