#!/bin/bash
# `leap hybrid` end to end on tiny models: a small Euler dataset, a tiny autoencoder and latent
# diffusion emulator trained on it (as in tests/train/pipeline.sh), then a
# hybrid run on 2 ranks on a held-out seed against the solver-only run: metrics.json holds the frame
# and leap counts (which add up), the phase times, the speed-up and a finite VRMSE; bad input exits 2.
. "$2/tests/support/e2e_common.sh"

tiny_euler_data "$WORK/data" 0
"$LEAP" train ae --config "$T/ae-tiny.yaml" --data "$WORK/data" --out "$WORK/ae" "${Q[@]}" || fail "train ae"
"$LEAP" encode --checkpoint "$WORK/ae/best.ckpt" --data "$WORK/data" --out "$WORK/lat" "${Q[@]}" || fail "encode"
"$LEAP" train emulator --config "$T/emulator-tiny.yaml" --data "$WORK/lat" --out "$WORK/emu" "${Q[@]}" || fail "train emulator"

# Held-out seed 1000 (the dataset used seeds 0..4); 12 frames: 2 solver, 3 leapt, 2, 3 leapt, 2.
C=(--config "$SRC/examples/euler2d/hybrid-small.yaml"
   --set euler2d.nx=32 --set euler2d.ny=32 --set frames=12 --set leap.leap_frames=3 --set leap.solver_frames=2
   --set leap.members=2 --set leap.context=2)
H=("${C[@]}" --ae "$WORK/ae/best.ckpt" --emulator "$WORK/emu/best.ckpt")
"$MPIEXEC" -n 2 --oversubscribe "$LEAP" hybrid "${H[@]}" --out "$WORK/hyb" -q -- -log_view :"$WORK/log.txt" \
  || fail "leap hybrid"
for f in config.yaml metrics.json; do [[ -s $WORK/hyb/$f ]] || fail "hybrid: missing $f"; done
for e in LeapGather LeapEmulate LeapEncode LeapSample LeapDecode LeapScatter; do
  grep -q "$e" "$WORK/log.txt" || fail "-log_view does not show LEAP's event $e"
done
python3 - "$WORK/hyb/metrics.json" <<'PY' || fail "hybrid metrics"
import json, math, sys
m = json.load(open(sys.argv[1]))
print(json.dumps({k: m[k] for k in ("frames_by_solver", "frames_by_emulator", "leaps_accepted", "leaps_rejected",
                                    "speedup", "vrmse_final", "wall_seconds_per_phase")}))
assert m["ranks"] == 2 and m["seed"] == 1000
assert m["frames_by_solver"] + m["frames_by_emulator"] == 12, m
assert m["frames_by_emulator"] == 3 * m["leaps_accepted"], m
# leaps at frames 2 and 7 when accepted (a rejection shifts the next attempt and can add one)
assert m["leaps_accepted"] + m["leaps_rejected"] >= 2, m
assert m["leaps_accepted"] >= 1, m   # the tiny trained models give admissible states on this seed
assert m["vrmse_final"] > 0, m       # the emulated frames changed the result
ph = m["wall_seconds_per_phase"]
assert m["frames_by_emulator"] == 0 or ph["emulate"] > 0, m
assert ph["emulate_sample"] > 0 and ph["emulate_encode"] > 0 and ph["emulate_decode"] > 0, ph
assert ph["emulate_encode"] + ph["emulate_sample"] + ph["emulate_decode"] <= ph["emulate"] * 1.001, ph
assert m["speedup"] > 0 and math.isfinite(m["vrmse_final"]) and m["vrmse_final"] >= 0, m
assert len(m["ensemble_spread"]) == m["leaps_accepted"] + m["leaps_rejected"], m
assert len(m["rejections"]) == m["leaps_rejected"] and all(r.startswith("frame ") for r in m["rejections"]), m
PY
# The final states as a dataset file (trajectory 0 solver only, 1 hybrid) with its XDMF: the VRMSE
# recomputed from the file is the one metrics.json reports.
"${LEAP_PYTHON:-$SRC/.venv/bin/python3}" - "$WORK/hyb" <<'PY' || fail "hybrid: final_state.hdf5"
import json, os, sys
import h5py, numpy as np
d = sys.argv[1]
m = json.load(open(os.path.join(d, "metrics.json")))
assert os.path.isfile(os.path.join(d, "final_state.xdmf")), os.listdir(d)
with h5py.File(os.path.join(d, "final_state.hdf5"), "r") as f:
    assert int(f.attrs["n_trajectories"]) == 2
    chans = []
    for g in ("t0_fields", "t1_fields"):
        for n in f[g].attrs["field_names"]:
            a = np.asarray(f[g][n][:, 0], dtype=np.float64)  # [trajectory, x, y(, c)]
            chans += [a] if a.ndim == 3 else [a[..., c] for c in range(a.shape[-1])]
v = [np.sqrt(((c[1] - c[0]) ** 2).mean() / (c[0].var() + 1e-6)) for c in chans]
assert abs(np.mean(v) - m["vrmse_final"]) <= 1e-5 * (1 + m["vrmse_final"]), (np.mean(v), m["vrmse_final"])
PY
# Both ranks running the emulator (its 2 members split 1 + 1, rank 1 sampling with seed + 1): the
# run completes with the same frame accounting; with 1 member rank 1 computes nothing and the run is
# the default one exactly.
"$MPIEXEC" -n 2 --oversubscribe "$LEAP" hybrid "${H[@]}" --out "$WORK/hyb_e2" -q --set "leap.emulator_ranks=[0, 1]" \
  || fail "leap hybrid with two emulator ranks"
python3 -c "
import json, sys; m = json.load(open(sys.argv[1]))
assert m['frames_by_solver'] + m['frames_by_emulator'] == 12 and m['leaps_accepted'] >= 1, m
assert all(s > 0 for s in m['ensemble_spread']), m['ensemble_spread']" "$WORK/hyb_e2/metrics.json" \
  || fail "two emulator ranks: $(cat "$WORK/hyb_e2/metrics.json")"
for e in 1 2; do
  extra=(); [[ $e == 2 ]] && extra=(--set "leap.emulator_ranks=[0, 1]")
  "$MPIEXEC" -n 2 --oversubscribe "$LEAP" hybrid "${H[@]}" --set leap.members=1 "${extra[@]}" --out "$WORK/hyb_m$e" -q \
    || fail "leap hybrid, 1 member, $e emulator rank(s)"
done
[[ $(json "$WORK/hyb_m1/metrics.json" "['vrmse_final']") == $(json "$WORK/hyb_m2/metrics.json" "['vrmse_final']") ]] \
  || fail "one member on two emulator ranks differs from one emulator rank"

# PETSc options override the config: no room for a leap of 20 frames in 12.
"$LEAP" hybrid "${H[@]}" --out "$WORK/hyb2" -q -- -leap_leap_frames 20 || fail "leap hybrid with -leap_leap_frames"
[[ $(json "$WORK/hyb2/metrics.json" "['frames_by_solver']") == 12 ]] || fail "-leap_leap_frames 20 still leapt"

# Check mode and in-situ recording: every leap of the (poor) tiny emulator is checked against the
# solver at a tolerance it cannot meet, so the solver's states are kept, the leaps shorten to one
# frame, and all 13 frames are solver frames: recorded as 4 trajectories of 3 (every 2nd to valid).
"$MPIEXEC" -n 2 --oversubscribe "$LEAP" hybrid "${H[@]}" --set leap.record_frames=3 --set leap.record_valid_every=2 \
  --out "$WORK/hyb3" --record "$WORK/rec" -q -- -leap_check_every 1 -leap_check_tolerance 1e-3 \
  || fail "leap hybrid with check mode and recording"
python3 - "$WORK/hyb3/metrics.json" <<'PY' || fail "check-mode metrics"
import json, sys
m = json.load(open(sys.argv[1]))
c = m["checks"]
print(json.dumps({k: m[k] for k in ("leaps_accepted", "leaps_rejected", "leap_frames_final", "recorded_trajectories")}))
assert m["check_every"] == 1 and len(c) == m["leaps_rejected"] and m["leaps_accepted"] == 0, m
assert c[0]["leap_frames"] == 3 and all(not x["passed"] and x["vrmse"] > 1e-3 for x in c), c
assert m["leap_frames_final"] == 1 and c[-1]["next_leap_frames"] == 1, m
assert m["frames_by_solver"] == 12 and m["frames_by_emulator"] == 0, m
assert m["recorded_trajectories"] == 4, m
# The leap policy's own record of the same decisions.
p = m["policy"]
assert p["attempts"] == len(c) and p["verdicts"]["check"] == len(c) and p["verdicts"]["accepted"] == 0, p
assert [r["frames"] for r in p["records"]] == [x["leap_frames"] for x in c], p
assert all(r["verdict"] == "check" and r["check"]["vrmse"] == x["vrmse"] for r, x in zip(p["records"], c)), p
PY
# The recording is a collection in The Well's layout: one dataset, the solver's dataset_name.
REC=$(ls -d "$WORK"/rec/*/data | head -1); REC=${REC%/data}
[[ $(basename "$REC") == euler_multi_quadrants_* ]] || fail "recording: dataset directory $REC"
for f in train/hybrid_seed1000_0 valid/hybrid_seed1000_1 train/hybrid_seed1000_2 valid/hybrid_seed1000_3; do
  "$LEAP" info "$REC/data/$f.hdf5" | grep -qE 'frames: *3 ' || fail "recorded $f.hdf5"
done
[[ -s $REC/stats.yaml ]] || fail "recording: no stats.yaml"
# Fine-tuning (--init) from the recording; and on the original data the fine-tune starts exactly
# where the checkpoint is: its first validation loss is the checkpoint's best one.
FT=(--config "$T/ae-tiny.yaml" --set optim.epochs=1 --set optim.batch=2 "${Q[@]}")
"$LEAP" train ae "${FT[@]}" --data "$WORK/rec" --out "$WORK/ft" --init "$WORK/ae/best.ckpt" \
  || fail "leap train ae --init on the recording"
"$LEAP" train ae "${FT[@]}" --data "$WORK/data" --out "$WORK/ft0" --init "$WORK/ae/best.ckpt" \
  || fail "leap train ae --init on the original data"
python3 - "$WORK/ft/metrics.json" "$WORK/ft0/metrics.json" "$WORK/ae/metrics.json" <<'PY' || fail "fine-tuning"
import json, math, sys
ft, ft0, ae = (json.load(open(p)) for p in sys.argv[1:4])
print("fine-tune on the recording: validation VRMSE", ft["initial_validation_vrmse"], "->", ft["final_validation_vrmse"])
assert math.isfinite(ft["final_validation_vrmse"]), ft
a, b = ft0["initial_validation_loss"], ae["best_validation_loss"]
print("initial validation loss of the fine-tune", a, "checkpoint's best", b)
assert abs(a - b) <= 1e-5 * abs(b), (a, b)
PY

# Bad input: exit 2, one line.
expect_bad() {
  local pattern=$1; shift
  local out status
  out=$("$@" -q 2>&1); status=$?
  [[ $status == 2 ]] || fail "exit $status (expected 2) for $*: $out"
  grep -qE -- "$pattern" <<<"$out" || fail "message lacks /$pattern/: $out"
}
expect_bad "denoiser" "$LEAP" hybrid "${C[@]}" --ae "$WORK/ae/best.ckpt" --emulator "$WORK/ae/best.ckpt" --out "$WORK/b1"
expect_bad "context" "$LEAP" hybrid "${H[@]}" --set leap.context=4 --out "$WORK/b2"
expect_bad "channels" "$LEAP" hybrid "${H[@]}" --set case=rayleigh_benard --out "$WORK/b3"
expect_bad "--ae" "$LEAP" hybrid "${C[@]}" --ae "$WORK/none.ckpt" --emulator "$WORK/emu/best.ckpt" --out "$WORK/b4"
expect_bad "autoencoder" "$LEAP" train ae "${FT[@]}" --data "$WORK/rec" --out "$WORK/b5" --init "$WORK/emu/best.ckpt"
expect_bad "--init and --resume" "$LEAP" train ae "${FT[@]}" --data "$WORK/rec" --out "$WORK/ft" \
  --init "$WORK/ae/best.ckpt" --resume
expect_bad "already exists" "$LEAP" hybrid "${H[@]}" --out "$WORK/b6" --record "$WORK/rec"
echo "e2e hybrid: OK"
