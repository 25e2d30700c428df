#!/bin/bash
# `leap study` end to end on tiny models: a tiny Euler dataset with gamma swept over 1.3, 1.4, 1.5,
# a tiny autoencoder and a latent diffusion emulator conditioned on gamma (param_features: gamma and
# the two periodic flags; fewer epochs than the tiny configs' own, to keep the test near a minute),
# then a 5-point gamma study on 2 ranks (2 replicas per point, solver-only
# at 3 of them): study.csv and metrics.json hold 5 finite rows, the check points have solver values,
# the speed-up is positive, study.png is a PNG of the plot's size; bad input exits 2 naming the key,
# before anything is written.
. "$2/tests/support/e2e_common.sh"

"$LEAP" generate --config "$SRC/examples/euler2d/generate-small.yaml" --out "$WORK/data" "${Q[@]}" \
  --set frames=8 --set trajectories.train=2 --set trajectories.valid=1 --set trajectories.test=0 \
  --set "sweep=[{key: gamma, values: [1.3, 1.4, 1.5]}]" --set euler2d.boundary=periodic \
  --set euler2d.nx=32 --set euler2d.ny=32 || fail "generate"
"$LEAP" train ae --config "$T/ae-tiny.yaml" --data "$WORK/data" --out "$WORK/ae" "${Q[@]}" \
  --set optim.epochs=40 || fail "train ae"
"$LEAP" encode --checkpoint "$WORK/ae/best.ckpt" --data "$WORK/data" --out "$WORK/lat" "${Q[@]}" || fail "encode"
"$LEAP" train emulator --config "$T/emulator-tiny.yaml" --data "$WORK/lat" --out "$WORK/emu" "${Q[@]}" \
  --set optim.epochs=30 --set model.param_features=3 || fail "train emulator"

# Held-out seed 1000; 12 frames of 32x32: 2 solver frames, leaps of 3, 2 solver frames, ...
C=(--config "$SRC/examples/euler2d/study-small.yaml"
   --set euler2d.nx=32 --set euler2d.ny=32 --set frames=12 --set leap.leap_frames=3 --set leap.solver_frames=2
   --set leap.context=2 --set "study.values=[1.3, 1.35, 1.4, 1.45, 1.5]" --set study.replicas=2
   --set "study.check_points=[0, 2, 4]")
M=(--ae "$WORK/ae/best.ckpt" --emulator "$WORK/emu/best.ckpt")
"$MPIEXEC" -n 2 --oversubscribe "$LEAP" study "${C[@]}" "${M[@]}" --out "$WORK/study" -q || fail "leap study"
for f in config.yaml study.csv metrics.json study.png; do [[ -s $WORK/study/$f ]] || fail "study: missing $f"; done
python3 - "$WORK/study" <<'PY' || fail "study outputs"
import csv, json, math, struct, sys
d = sys.argv[1]
rows = list(csv.DictReader(open(d + "/study.csv")))
m = json.load(open(d + "/metrics.json"))
print(open(d + "/study.csv").read().strip())
print(json.dumps({k: m[k] for k in ("speedup", "speedup_per_run", "wall_seconds_hybrid_total",
                                    "wall_seconds_solver_estimated", "leaps_accepted", "leaps_rejected")}))
assert len(rows) == 5 and len(m["points"]) == 5, rows
assert list(rows[0].keys())[0] == "euler2d.gamma", rows[0].keys()
assert [float(r["euler2d.gamma"]) for r in rows] == [1.3, 1.35, 1.4, 1.45, 1.5], rows
assert m["command"] == "study" and m["ranks"] == 2 and m["parameter"] == "euler2d.gamma", m
assert m["qoi"] == "kinetic_energy" and m["replicas"] == 2 and m["check_points"] == [0, 2, 4], m
for i, (r, p) in enumerate(zip(rows, m["points"])):
    mean, std = float(r["qoi_mean"]), float(r["qoi_std"])
    assert math.isfinite(mean) and mean > 0 and math.isfinite(std) and std >= 0, r
    assert int(r["replicas"]) == 2 and len(p["qoi_replicas"]) == 2, p
    assert abs(p["qoi_mean"] - sum(p["qoi_replicas"]) / 2) <= 1e-9 * abs(p["qoi_mean"]), p
    assert float(r["hybrid_wall_seconds"]) > 0, r
    assert int(r["leaps_accepted"]) + int(r["leaps_rejected"]) >= 2 * 2, r   # >= 2 attempts per run
    if i in (0, 2, 4):
        s = float(r["solver_qoi"])
        assert math.isfinite(s) and s > 0 and float(r["solver_wall_seconds"]) > 0, r
        assert p["solver_qoi"] == s or abs(p["solver_qoi"] - s) <= 1e-8 * s, p
    else:
        assert r["solver_qoi"] == "" and r["solver_wall_seconds"] == "" and p["solver_qoi"] is None, r
# The solver's kinetic energy depends on gamma (same initial condition, different dynamics).
assert m["points"][0]["solver_qoi"] != m["points"][4]["solver_qoi"], m["points"]
assert m["speedup"] > 0 and math.isfinite(m["speedup"]) and m["speedup_per_run"] > 0, m
est = m["wall_seconds_solver_checked"] / 3 * 5
assert abs(m["wall_seconds_solver_estimated"] - est) <= 1e-9 * est, m
assert abs(m["speedup"] - est / m["wall_seconds_hybrid_total"]) <= 1e-9 * m["speedup"], m
png = open(d + "/study.png", "rb").read()
assert png[:8] == b"\x89PNG\r\n\x1a\n" and png[12:16] == b"IHDR", png[:16]
assert struct.unpack(">II", png[16:24]) == (720, 480), struct.unpack(">II", png[16:24])
PY
grep -q "^  parameter: euler2d.gamma" "$WORK/study/config.yaml" || fail "config.yaml lacks the study section"

# Randomness owned by the emulators: two points, 3 replicas, 2 members shared by 2 emulator ranks.
# Two runs give the same replicas (reproducible); the replicas differ (independent streams).
R=(--set "study.values=[1.4, 1.45]" --set study.replicas=3 --set "study.check_points=[0]" --set leap.members=2
   --set "leap.emulator_ranks=[0, 1]")
for run in r1 r2; do
  "$MPIEXEC" -n 2 --oversubscribe "$LEAP" study "${C[@]}" "${M[@]}" "${R[@]}" --out "$WORK/$run" -q \
    || fail "leap study, two emulator ranks ($run)"
done
python3 - "$WORK/r1/metrics.json" "$WORK/r2/metrics.json" <<'PY' || fail "study replicas: reproducible and independent"
import json, sys
a, b = ([p["qoi_replicas"] for p in json.load(open(f))["points"]] for f in sys.argv[1:])
print("replicas of two runs:", a, b)
assert a == b, (a, b)                               # the same seeds give the same ensembles
assert all(len(set(r)) == 3 for r in a), a          # each replica draws its own noise
PY

# Bad input: exit 2, one line naming the key, nothing written.
expect_bad() {
  local pattern=$1 out_dir=$2; shift 2
  local out status
  out=$("$@" --out "$out_dir" -q 2>&1); status=$?
  [[ $status == 2 ]] || fail "exit $status (expected 2) for $*: $out"
  grep -qE -- "$pattern" <<<"$out" || fail "message lacks /$pattern/: $out"
  [[ ! -e $out_dir ]] || fail "bad input wrote $out_dir"
}
expect_bad "study-small.yaml: key 'study.check_points\[1\]'" "$WORK/b1" \
  "$LEAP" study "${C[@]}" "${M[@]}" --set "study.check_points=[0, 7]"
expect_bad "study-small.yaml: key 'study.values\[0\]': expected a valid euler2d.gamma" "$WORK/b2" \
  "$LEAP" study "${C[@]}" "${M[@]}" --set "study.values=[0.9, 1.3, 1.4, 1.5, 1.6]"
expect_bad "key 'study.parameter'" "$WORK/b3" "$LEAP" study "${C[@]}" "${M[@]}" --set study.parameter=euler2d.gama
expect_bad "--emulator" "$WORK/b4" "$LEAP" study "${C[@]}" --ae "$WORK/ae/best.ckpt" --emulator "$WORK/none.ckpt"
echo "e2e study: OK"
