#!/bin/bash
# `leap demo --size tiny`: the whole pipeline (generate on 2 ranks, train the autoencoder, encode,
# train the emulator, hybrid run against the solver alone, evaluation on the test split) from the configs compiled into the binary;
# the report, metrics.json with every stage and the figure are written; the same with --case euler3d
# (the 3-D octant case and models); bad arguments exit 2.
. "$2/tests/support/e2e_common.sh"

"$LEAP" demo --size tiny --out "$WORK/demo" --no-progress > "$WORK/log.txt" 2>&1 || { cat "$WORK/log.txt"; fail "leap demo --size tiny"; }
grep -q "speed-up over the solver alone" "$WORK/log.txt" || fail "no report printed"
grep -q "^| diffusion |" "$WORK/demo/report.md" || fail "no evaluation table in the report"
grep -q "^| model | lead 1 | 1:" "$WORK/demo/report.md" || fail "the report's lead-1 column and lead-time bins (in lead order) are missing"
grep -qE "^The emulator against persistence: (below it at lead 1 and in every bin|not below it at .+)\.$" "$WORK/demo/report.md" \
  || fail "the report has no verdict against persistence"
ls "$WORK"/demo/latents/*_latent/data/train/*-aug1.hdf5 > /dev/null 2>&1 || fail "the demo's latents hold no augmented copy"
for f in report.md metrics.json configs/generate.yaml configs/hybrid.yaml hybrid/final_state.png ae/best.ckpt emulator/best.ckpt \
         evaluate/table.csv evaluate/vrmse_vs_lead.png; do
  [[ -s $WORK/demo/$f ]] || fail "demo: missing $f"
done
head -c 8 "$WORK/demo/hybrid/final_state.png" | od -An -tx1 | grep -q "89 50 4e 47 0d 0a 1a 0a" || fail "final_state.png is not a PNG"
python3 - "$WORK/demo/metrics.json" <<'PY' || fail "demo metrics"
import json, math, sys
m = json.load(open(sys.argv[1]))
assert m["size"] == "tiny" and m["ranks"] == 2, m
assert [t["stage"].split()[0] for t in m["seconds_per_stage"]] == ["generate", "train", "encode", "train", "hybrid", "evaluate"]
h = m["hybrid"]
assert h["frames_by_solver"] + h["frames_by_emulator"] == 12, h
assert h["speedup"] > 0 and math.isfinite(h["vrmse_final"]), h
ev = m["evaluate"]["models"]
assert {"autoencoder", "persistence", "diffusion"} <= set(ev), ev.keys()
assert all(math.isfinite(b["vrmse"]) for b in ev["diffusion"]["bins"].values()), ev["diffusion"]
assert m["seconds_total"] >= sum(t["seconds"] for t in m["seconds_per_stage"]) * 0.99, m
# The verdict against persistence is the comparison of the numbers in the table.
d, p = ev["diffusion"], ev["persistence"]
above = ([] if d["per_lead"]["vrmse"][0] < p["per_lead"]["vrmse"][0] else ["lead 1"]) + sorted(
    (b for b in d["bins"] if not d["bins"][b]["vrmse"] < p["bins"][b]["vrmse"]), key=lambda b: int(b.split(":")[0]))
v = m["emulator_below_persistence"]
assert v["not_below_at"] == above and v["everywhere"] == (not above), (v, above)
report = open(sys.argv[1].replace("metrics.json", "report.md")).read()
assert ("below it at lead 1 and in every bin." in report) == (not above), report
PY
# The demo's emulator is trained for forward leaps from 2 known frames: asked for 1, leap evaluate and
# leap hybrid run but warn, naming the checkpoint and the trained range.
out=$("$LEAP" evaluate --ae "$WORK/demo/ae/best.ckpt" --emulator "$WORK/demo/emulator/best.ckpt" --data "$WORK/demo/data" \
  --out "$WORK/ev-ctx1" --set context=1 --set members=1 --no-progress 2>&1) || { echo "$out"; fail "evaluate with context 1"; }
grep -q "warning.*emulator/best.ckpt: a context of 1 frame was not trained (diffusion.context: forward leaps from 2 known frames)" <<<"$out" \
  || fail "evaluate: no warning for an untrained context: $out"
out=$("$LEAP" evaluate --ae "$WORK/demo/ae/best.ckpt" --emulator "$WORK/demo/emulator/best.ckpt" --data "$WORK/demo/data" \
  --out "$WORK/ev-ctx2" --set members=1 --no-progress 2>&1) || fail "evaluate with context 2"
! grep -q "was not trained" <<<"$out" || fail "evaluate warned for the trained context: $out"
out=$("$MPIEXEC" -n 2 --oversubscribe "$LEAP" hybrid --config "$WORK/demo/configs/hybrid.yaml" --ae "$WORK/demo/ae/best.ckpt" \
  --emulator "$WORK/demo/emulator/best.ckpt" --out "$WORK/hy-ctx1" --set euler2d.nx=32 --set euler2d.ny=32 --set frames=8 \
  --set leap.leap_frames=2 --set leap.solver_frames=2 --set leap.context=1 2>&1) || { echo "$out"; fail "hybrid with context 1"; }
[[ $(grep -c "a context of 1 frame was not trained" <<<"$out") == 1 ]] || fail "hybrid: not one warning for an untrained context: $out"

# The embedded configs are the example configs.
cmp -s "$WORK/demo/configs/ae.yaml" "$SRC/examples/euler2d/ae-small.yaml" || fail "embedded ae config differs from examples/euler2d/ae-small.yaml"

# --case euler3d: the same six stages on the 3-D octant case (16^3, the 3-D models), tiny.
"$LEAP" demo --case euler3d --size tiny --out "$WORK/demo3" --no-progress > "$WORK/log3.txt" 2>&1 \
  || { tail -30 "$WORK/log3.txt"; fail "leap demo --case euler3d --size tiny"; }
grep -q "^3-D Euler octant case (tiny size)" "$WORK/demo3/report.md" || fail "3-D demo: report does not name the case"
grep -q "the z mid-plane, z = 8 of 16" "$WORK/demo3/report.md" || fail "3-D demo: report does not name the figure's slice"
python3 - "$WORK/demo3/metrics.json" <<'PY' || fail "3-D demo metrics"
import json, math, sys
m = json.load(open(sys.argv[1]))
assert m["case"] == "euler3d" and m["size"] == "tiny", m
assert [t["stage"].split()[0] for t in m["seconds_per_stage"]] == ["generate", "train", "encode", "train", "hybrid", "evaluate"]
h = m["hybrid"]
assert h["case"] == "euler3d" and h["spatial_dims"] == 3 and h["grid"] == [16, 16, 16], h
assert h["frames_by_solver"] + h["frames_by_emulator"] == 8 and math.isfinite(h["vrmse_final"]), h
assert m["autoencoder"]["spatial_factor"] == 4, m["autoencoder"]
PY
for c in generate ae emulator hybrid; do
  cmp -s "$WORK/demo3/configs/$c.yaml" "$SRC/examples/euler3d/$c-small.yaml" || fail "3-D demo: embedded $c config differs from examples/euler3d/$c-small.yaml"
done
out=$("$LEAP" demo --case euler4d 2>&1); status=$?
[[ $status == 2 && $out == *euler4d* ]] || fail "bad --case: exit $status: $out"
out=$("$LEAP" demo --size huge 2>&1); status=$?
[[ $status == 2 && $(wc -l <<<"$out") == 1 ]] || fail "bad --size: exit $status: $out"
out=$("$LEAP" demo --out /proc/forbidden/x 2>&1); status=$?
[[ $status == 2 ]] || fail "unwritable --out: exit $status: $out"
"$LEAP" --help | grep -q "demo" || fail "leap --help does not list demo"
echo "e2e demo: OK"
