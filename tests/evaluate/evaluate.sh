#!/bin/bash
# `leap evaluate` end to end on tiny models: the autoencoder, the latent diffusion emulator and the
# latent and pixel surrogates, on 3 held-out test trajectories. Checks: the table and metrics.json
# hold every model, metric and lead-time bin; exact identities (the autoencoder scores 0 against its
# own reconstruction, persistence has no spread, one member's ensemble-mean VRMSE is its VRMSE);
# the trained autoencoder beats persistence; 2 ranks give the 1-rank numbers; the figures are PNGs;
# bad input exits 2 naming the key.
. "$2/tests/support/e2e_common.sh"

tiny_euler_data "$WORK/data" 3
"$LEAP" train ae --config "$T/ae-tiny.yaml" --data "$WORK/data" --out "$WORK/ae" "${Q[@]}" || fail "train ae"
"$LEAP" encode --checkpoint "$WORK/ae/best.ckpt" --data "$WORK/data" --out "$WORK/lat" "${Q[@]}" || fail "encode"
S=(--set optim.epochs=20)
"$LEAP" train emulator --config "$T/emulator-tiny.yaml" --data "$WORK/lat" --out "$WORK/emu" "${S[@]}" "${Q[@]}" || fail "train emulator"
"$LEAP" train surrogate --config "$T/emulator-tiny.yaml" --data "$WORK/lat" --out "$WORK/sur" "${S[@]}" "${Q[@]}" || fail "train surrogate"
# Pixel space: 32x32x5 frames in 8x8 patches.
"$LEAP" train surrogate --config "$T/emulator-tiny.yaml" --data "$WORK/data" --out "$WORK/pix" "${S[@]}" \
  --set model.patch_size=8 "${Q[@]}" || fail "train pixel surrogate"

E=(--ae "$WORK/ae/best.ckpt" --emulator "$WORK/emu/best.ckpt" --surrogate "$WORK/sur/best.ckpt"
   --surrogate "$WORK/pix/best.ckpt" --data "$WORK/data")
"$LEAP" evaluate "${E[@]}" --out "$WORK/ev1" --set members=3 "${Q[@]}" || fail "leap evaluate"
"$MPIEXEC" -n 2 --oversubscribe "$LEAP" evaluate "${E[@]}" --out "$WORK/ev2" --set members=3 "${Q[@]}" \
  || fail "leap evaluate on 2 ranks"
for f in config.yaml metrics.json table.csv per_lead.csv snapshots_density.png vrmse_vs_lead.png spectra.png \
         spread_skill.png; do
  [[ -s $WORK/ev1/$f ]] || fail "evaluate: missing $f"
done
python3 - "$WORK/ev1" "$WORK/ev2" <<'PY' || fail "evaluate results"
import csv, json, math, sys
a = json.load(open(sys.argv[1] + "/metrics.json"))
b = json.load(open(sys.argv[2] + "/metrics.json"))
assert a["trajectories"] == 3 and a["context"] == 2 and a["horizon"] == 6, a
assert a["lead_bins"] == ["1:1", "2:4", "5:6"], a["lead_bins"]   # 1:20, 21:60, 61:100 scaled to 6
names = set(a["models"])
assert names == {"autoencoder", "persistence", "diffusion", "latent_surrogate", "pixel_surrogate"}, names
for name, m in a["models"].items():
    for lb in a["lead_bins"]:
        row = m["bins"][lb]
        for k, v in row.items():
            assert math.isfinite(v) and v >= 0, (name, lb, k, v)
        assert len(m["per_field"]) == 5
    assert len(m["per_lead"]["vrmse"]) == 6
ae, pers, dif = a["models"]["autoencoder"], a["models"]["persistence"], a["models"]["diffusion"]
for lb in a["lead_bins"]:
    assert ae["bins"][lb]["vrmse_vs_autoencoder"] == 0, ae["bins"][lb]
    assert ae["bins"][lb]["vrmse_ensemble_mean"] == ae["bins"][lb]["vrmse"]
    assert dif["bins"][lb]["spread"] > 0 and dif["bins"][lb]["crps"] > 0, dif["bins"][lb]
    assert "spread" not in pers["bins"][lb]
# A trained autoencoder is far closer to the truth than the frame 5 leads earlier.
assert ae["bins"]["5:6"]["vrmse"] < 0.5 * pers["bins"]["5:6"]["vrmse"], (ae["bins"], pers["bins"])
assert dif["members"] == 3
# Rank invariance: each trajectory draws its own noise.
assert b["ranks"] == 2
for name in names:
    for lb in a["lead_bins"]:
        for k, v in a["models"][name]["bins"][lb].items():
            w = b["models"][name]["bins"][lb][k]
            assert abs(v - w) <= 1e-5 * max(1.0, abs(v)), (name, lb, k, v, w)
rows = list(csv.reader(open(sys.argv[1] + "/table.csv")))
assert rows[0] == ["model", "metric", "lead_1:1", "lead_2:4", "lead_5:6"], rows[0]
assert ["diffusion", "crps"] == rows[[r[:2] for r in rows].index(["diffusion", "crps"])][:2]
assert len(list(csv.reader(open(sys.argv[1] + "/per_lead.csv")))) > 1 + 5 * 6
for f in a["figures"]:
    assert open(f, "rb").read(8) == b"\x89PNG\r\n\x1a\n", f
print("evaluate:", {n: [round(a["models"][n]["bins"][lb]["vrmse"], 3) for lb in a["lead_bins"]] for n in sorted(names)})
PY

# start: frames skipped before the context. The autoencoder's lead l from frame 2 on is its lead l + 2
# from frame 0; persistence from 1 context frame after 1 skipped one is persistence from 2 context
# frames. sampler_steps changes the diffusion emulator's samples and nothing else.
"$LEAP" evaluate "${E[@]}" --out "$WORK/evs2" --set members=3 --set start=2 "${Q[@]}" || fail "evaluate start=2"
"$LEAP" evaluate "${E[@]}" --out "$WORK/evs1" --set members=3 --set start=1 --set context=1 --set sampler_steps=1 \
  "${Q[@]}" || fail "evaluate start=1 context=1 sampler_steps=1"
"$LEAP" evaluate "${E[@]}" --out "$WORK/evs0" --set members=3 --set sampler_steps=1 "${Q[@]}" || fail "evaluate sampler_steps=1"
python3 - "$WORK/ev1" "$WORK/evs2" "$WORK/evs1" "$WORK/evs0" <<'PY' || fail "evaluate start / sampler_steps"
import json, sys
a, s2, s1, q = (json.load(open(d + "/metrics.json")) for d in sys.argv[1:])
assert s2["horizon"] == 4 and s2["start"] == 2 and s1["horizon"] == 6 and s1["context"] == 1, (s2, s1)
A = lambda m, k: m["models"][k]["per_lead"]["vrmse"]
for l in range(4):
    assert abs(A(s2, "autoencoder")[l] - A(a, "autoencoder")[l + 2]) <= 1e-6, (l, A(s2, "autoencoder"), A(a, "autoencoder"))
for x, y in zip(A(s1, "persistence"), A(a, "persistence")):
    assert abs(x - y) <= 1e-9, (A(s1, "persistence"), A(a, "persistence"))
assert q["sampler_steps"] == 1 and a["sampler_steps"] == 0, (q["sampler_steps"], a["sampler_steps"])
for k in ("autoencoder", "persistence", "latent_surrogate", "pixel_surrogate"):
    assert A(q, k) == A(a, k), k
assert all(abs(x - y) > 1e-6 for x, y in zip(A(q, "diffusion"), A(a, "diffusion"))), (A(q, "diffusion"), A(a, "diffusion"))
print("start / sampler_steps: OK")
PY

# Guidance (diffusion_guided): with uninformative observations (noise std 1e4) the guided run stays on
# the unguided one (both start from the same noise; the correction scales as 1/var_y); with
# informative ones (MMPS through the decoder) the guided ensemble is closer to the truth, and 2 ranks
# give the 1-rank numbers (the observation noise is drawn per trajectory).
G=(--set members=3 --set guidance=downscale:8)
"$LEAP" evaluate "${E[@]}" --out "$WORK/evg0" --set members=3 --guidance downscale:8 --obs-noise 1e4 "${Q[@]}" \
  || fail "guided evaluate"
"$LEAP" evaluate "${E[@]}" --out "$WORK/evg1" "${G[@]}" --set cg_iterations=2 "${Q[@]}" || fail "guided evaluate"
"$MPIEXEC" -n 2 --oversubscribe "$LEAP" evaluate "${E[@]}" --out "$WORK/evg2" "${G[@]}" --set cg_iterations=2 "${Q[@]}" \
  || fail "guided evaluate on 2 ranks"
python3 - "$WORK/evg0" "$WORK/evg1" "$WORK/evg2" <<'PY' || fail "guided evaluate results"
import json, math, sys
v, g1, g2 = (json.load(open(d + "/metrics.json")) for d in sys.argv[1:])
m = v["models"]
assert set(m) >= {"diffusion", "diffusion_guided"} and m["diffusion_guided"]["members"] == 3, m.keys()
for a, b in zip(m["diffusion"]["per_lead"]["vrmse"], m["diffusion_guided"]["per_lead"]["vrmse"]):
    assert abs(a - b) <= 1e-3 * a, (a, b)
for lb in v["lead_bins"]:
    row = g1["models"]["diffusion_guided"]["bins"][lb]
    assert row["spread"] > 0 and math.isfinite(row["crps"]) and math.isfinite(row["vrmse"]), row
    for k, x in row.items():
        y = g2["models"]["diffusion_guided"]["bins"][lb][k]
        assert abs(x - y) <= 1e-5 * max(1.0, abs(x)), (lb, k, x, y)
# Observations of the truth (block means, noise 0.1) bring the guided ensemble closer to it.
gv, uv = g1["models"]["diffusion_guided"]["per_lead"]["vrmse"], g1["models"]["diffusion"]["per_lead"]["vrmse"]
assert sum(gv) < 0.95 * sum(uv), (gv, uv)
import os
assert os.path.exists(sys.argv[2] + "/spread_skill_diffusion_guided.png") and os.path.exists(sys.argv[2] + "/spread_skill.png")
assert len(set(g1["figures"])) == len(g1["figures"]), g1["figures"]
print("guided:", [round(x, 3) for x in g1["models"]["diffusion_guided"]["per_lead"]["vrmse"]],
      "unguided:", [round(x, 3) for x in g1["models"]["diffusion"]["per_lead"]["vrmse"]])
PY

expect_bad() {
  local pattern=$1; shift
  local out status
  out=$("$@" "${Q[@]}" 2>&1); status=$?
  [[ $status == 2 ]] || fail "exit $status (expected 2) for $*: $out"
  grep -qE -- "$pattern" <<<"$out" || fail "message lacks /$pattern/: $out"
  [[ ! -e $WORK/bad ]] || fail "bad input wrote $WORK/bad"
}
expect_bad "context" "$LEAP" evaluate "${E[@]}" --out "$WORK/bad" --set context=4
expect_bad "start.*fewer than 6 skipped frames" "$LEAP" evaluate "${E[@]}" --out "$WORK/bad" --set start=6
expect_bad "device" "$LEAP" evaluate "${E[@]}" --out "$WORK/bad" --set device=gpu
expect_bad "split" "$LEAP" evaluate "${E[@]}" --out "$WORK/bad" --set split=training
expect_bad "expected a surrogate checkpoint, found an autoencoder" "$LEAP" evaluate --ae "$WORK/ae/best.ckpt" --surrogate "$WORK/ae/best.ckpt" \
  --data "$WORK/data" --out "$WORK/bad"
expect_bad "a second latent_surrogate" "$LEAP" evaluate --ae "$WORK/ae/best.ckpt" --surrogate "$WORK/sur/best.ckpt" \
  --surrogate "$WORK/sur/best.ckpt" --data "$WORK/data" --out "$WORK/bad"
expect_bad "guidance" "$LEAP" evaluate "${E[@]}" --out "$WORK/bad" --set guidance=blur:2
expect_bad "guidance.*not a whole number of blocks" "$LEAP" evaluate "${E[@]}" --out "$WORK/bad" --set guidance=downscale:5
expect_bad "guidance.*a diffusion emulator to guide" "$LEAP" evaluate --ae "$WORK/ae/best.ckpt" \
  --surrogate "$WORK/sur/best.ckpt" --data "$WORK/data" --out "$WORK/bad" --set guidance=subsample:4
expect_bad "obs_noise" "$LEAP" evaluate "${E[@]}" --out "$WORK/bad" --set guidance=subsample:4 --set obs_noise=0
echo "e2e evaluate: OK"
