#!/bin/bash
# The pretrained Euler models shipped in examples/euler2d/pretrained (#17): `leap hybrid` with
# examples/euler2d/hybrid-small.yaml (shortened) on 1 rank and `leap study` with study-small.yaml
# (shortened) on 2 ranks load them and keep the emulator's leaps (no training first); the hybrid run's
# final VRMSE is below 1.0 (a state unrelated to the solver's, of the same variance, scores about 1.4).
# The same for the Rayleigh-Benard models (examples/rayleigh_benard/pretrained) with `leap hybrid`.
. "$2/tests/support/e2e_common.sh"
P=$SRC/examples/euler2d/pretrained
M=(--ae "$P/ae-80x.ckpt" --emulator "$P/diffusion-80x.ckpt" --set leap.context=1)
"$LEAP" hybrid --config "$SRC/examples/euler2d/hybrid-small.yaml" "${M[@]}" --out "$WORK/hyb" --set frames=14 -q \
  || fail "hybrid with the pretrained models"
python3 - "$WORK/hyb/metrics.json" <<'PY' || fail "hybrid metrics"
import json, math, sys
m = json.load(open(sys.argv[1]))
assert m["leaps_accepted"] >= 1 and m["leaps_rejected"] == 0 and m["frames_by_emulator"] == 6 * m["leaps_accepted"], m
assert math.isfinite(m["vrmse_final"]) and m["vrmse_final"] < 1.0, m["vrmse_final"]
print("pretrained hybrid: leaps", m["leaps_accepted"], "VRMSE", round(m["vrmse_final"], 3))
PY
"$MPIEXEC" -n 2 --oversubscribe "$LEAP" study --config "$SRC/examples/euler2d/study-small.yaml" "${M[@]}" \
  --out "$WORK/study" --set frames=12 --set "study.values=[1.3, 1.5]" --set study.replicas=1 \
  --set "study.check_points=[0]" -q || fail "study with the pretrained models"
python3 - "$WORK/study/metrics.json" <<'PY' || fail "study metrics"
import json, math, sys
m = json.load(open(sys.argv[1]))
assert len(m["points"]) == 2 and m["leaps_accepted"] >= 2, m
for p in m["points"]:
    assert math.isfinite(p["qoi_mean"]) and p["frames_by_emulator"] > 0, p
PY
# The Rayleigh-Benard models (examples/rayleigh_benard/pretrained) at their training grid, 128 x 32.
R=$SRC/examples/rayleigh_benard/pretrained
"$LEAP" hybrid --config "$SRC/examples/rayleigh_benard/hybrid-small.yaml" --ae "$R/ae-64x.ckpt" \
  --emulator "$R/diffusion-64x.ckpt" --set leap.context=1 --set rayleigh_benard.nx=128 \
  --set rayleigh_benard.lx=4.0 --out "$WORK/hyb_rb" --set frames=14 -q || fail "Rayleigh-Benard hybrid with the pretrained models"
python3 - "$WORK/hyb_rb/metrics.json" <<'PY' || fail "Rayleigh-Benard hybrid metrics"
import json, math, sys
m = json.load(open(sys.argv[1]))
assert m["case"] == "rayleigh_benard" and m["grid"] == [128, 32], m
assert m["leaps_accepted"] >= 1 and m["leaps_rejected"] == 0 and m["frames_by_emulator"] == 6 * m["leaps_accepted"], m
assert math.isfinite(m["vrmse_final"]) and m["vrmse_final"] < 1.0, m["vrmse_final"]
print("pretrained Rayleigh-Benard hybrid: leaps", m["leaps_accepted"], "VRMSE", round(m["vrmse_final"], 3))
PY
echo "e2e pretrained: OK"
