#!/bin/bash
# The 3-D pipeline end to end, tiny (#20): `leap generate` of the 3-D Euler case on 2 ranks (16^3
# octants), `leap train ae` with the 3-D autoencoder, `leap encode` (with flipped and rolled copies),
# `leap train emulator` and `leap train surrogate` on the 3-D latents; each stage's output is read
# back (`leap info`: 3-D grids; the checkpoints' metrics); a 2-D emulator config on 3-D latents is
# refused (exit 2) naming model.spatial_dims, before anything is written. `leap evaluate` of the 3-D
# models (spherical-shell spectra, mid-plane figures, guided by 3-D block means), persistence's VRMSE
# recomputed from the test file over x, y and z. Then `leap hybrid` with the
# trained 3-D models (examples/euler3d/hybrid-small.yaml, shortened) on 1 and 2 ranks: emulated
# frames, a finite VRMSE (recomputed from final_state.hdf5, a 16^3 dataset), the z mid-plane figure,
# the same leaps and final states on both rank counts; and `leap study` (examples/euler3d/
# study-small.yaml, shortened) on a density wave in a uniform flow, whose kinetic energy has a known
# value: |m|^2 / (2 rho) over the three momentum components, mean(rho) |u|^2 / 2; `leap bench --case
# euler3d --parts hybrid` at 16^3 with the 3-D leap models.
. "$2/tests/support/e2e_common.sh"
E=$SRC/examples/euler3d
"$MPIEXEC" -n 2 --oversubscribe "$LEAP" generate --config "$E/generate-small.yaml" --out "$WORK/data" "${Q[@]}" \
  --set frames=6 --set trajectories.train=2 --set trajectories.valid=1 --set trajectories.test=1 \
  --set "sweep=[{key: gamma, values: [1.4]}]" || fail "generate 3-D"
f=$(find "$WORK/data" -path '*train*' -name '*.hdf5' | head -1)
"$LEAP" info "$f" | grep -q "16 x 16 x 16 (x, y, z)" || fail "leap info: not a 16^3 dataset"
"$LEAP" train ae --config "$E/ae-small.yaml" --data "$WORK/data" --out "$WORK/ae" --set optim.epochs=1 "${Q[@]}" \
  || fail "train ae 3-D"
"$LEAP" encode --checkpoint "$WORK/ae/best.ckpt" --data "$WORK/data" --out "$WORK/lat" --augment 1 "${Q[@]}" \
  || fail "encode 3-D"
l=$(find "$WORK/lat" -path '*train*' -name '*aug1.hdf5' | head -1)
[[ -n $l ]] || fail "no augmented latent file"
"$LEAP" info "$l" | grep -q "4 x 4 x 4 (x, y, z)" || fail "leap info: the latents are not 4^3"
python3 - "$WORK/ae/metrics.json" <<'PY' || fail "autoencoder metrics"
import json, math, sys
m = json.load(open(sys.argv[1]))
assert m["compression_ratio"] == 24 and m["spatial_factor"] == 4, m
assert math.isfinite(m["final_validation_vrmse"]) and m["final_validation_vrmse"] < m["initial_validation_vrmse"], m
PY
for kind in emulator surrogate; do
  "$LEAP" train $kind --config "$E/emulator-small.yaml" --data "$WORK/lat" --out "$WORK/$kind" --set optim.epochs=1 \
    --set optim.batch=8 --set model.width=32 --set model.depth=1 --set model.heads=2 --set model.emb_features=32 \
    "${Q[@]}" || fail "train $kind 3-D"
  [[ -f $WORK/$kind/best.ckpt && -f $WORK/$kind/metrics.json ]] || fail "$kind: no checkpoint or metrics"
done
out=$("$LEAP" train emulator --config "$SRC/examples/euler2d/emulator-small.yaml" --data "$WORK/lat" --out "$WORK/wrong" \
      --set model.param_features=4 "${Q[@]}" 2>&1); status=$?
[[ $status == 2 && $out == *model.spatial_dims* && -z $(ls -A "$WORK/wrong" 2>/dev/null) ]] || fail "a 2-D model on 3-D latents: exit $status: $out"

# leap evaluate on the 3-D models (isotropic shells, mid-plane figures), then guided by 3-D block means.
# Persistence's VRMSE at every lead is recomputed here from the test file with h5py (over x, y and z):
# it checks the 3-D metrics on the solver's own data.
"$LEAP" evaluate --ae "$WORK/ae/best.ckpt" --emulator "$WORK/emulator/best.ckpt" --surrogate "$WORK/surrogate/best.ckpt" \
  --data "$WORK/data" --out "$WORK/eval" --set members=2 --set guidance=downscale:4 "${Q[@]}" || fail "evaluate 3-D"
"${LEAP_PYTHON:-$SRC/.venv/bin/python3}" - "$WORK/eval" "$(find "$WORK/data" -path '*test*' -name '*.hdf5' | sort | head -1)" <<'PY' \
  || fail "evaluate 3-D results"
import json, math, sys
import h5py, numpy as np
m = json.load(open(sys.argv[1] + "/metrics.json"))
assert m["spatial_dims"] == 3 and m["snapshot_plane"].startswith("z = 8 of 16"), m
assert set(m["models"]) == {"autoencoder", "persistence", "diffusion", "latent_surrogate", "diffusion_guided"}, m["models"].keys()
for name, s in m["models"].items():
    for lb, row in s["bins"].items():
        assert all(math.isfinite(v) and v >= 0 for v in row.values()), (name, lb, row)
    assert all(s["bins"][lb]["vrmse_vs_autoencoder"] == 0 for lb in m["lead_bins"]) or name != "autoencoder"
with h5py.File(sys.argv[2], "r") as f:
    chans = []
    for g in ("t0_fields", "t1_fields"):
        for n in f[g].attrs["field_names"]:
            a = np.asarray(f[g][n][0], dtype=np.float64)  # [time, x, y, z(, c)]
            chans += [a] if a.ndim == 4 else [a[..., c] for c in range(a.shape[-1])]
c, H = m["context"], m["horizon"]
want = [np.mean([np.sqrt(((u[c + l] - u[c - 1]) ** 2).mean() / (u[c + l].var() + 1e-6)) for u in chans])
        for l in range(H)]
got = m["models"]["persistence"]["per_lead"]["vrmse"]
assert np.allclose(got, want, rtol=1e-4), (got, want)
for f in m["figures"]:
    assert open(f, "rb").read(8) == b"\x89PNG\r\n\x1a\n", f
PY

for kind in hybrid:hybrid-small study:study-small; do
  "$LEAP" config "${kind%%:*}" --check "$E/${kind#*:}.yaml" > /dev/null || fail "leap config ${kind%%:*} --check $E/${kind#*:}.yaml"
done
# leap hybrid, 3-D: held-out seed 1000, 8 frames (2 solver frames, a leap of 3, 2 solver, ...).
H=(--config "$E/hybrid-small.yaml" --ae "$WORK/ae/best.ckpt" --emulator "$WORK/emulator/best.ckpt"
   --set frames=8 --set leap.solver_frames=2 -q)
"$LEAP" hybrid "${H[@]}" --out "$WORK/hyb1" || fail "hybrid 3-D on 1 rank"
"$MPIEXEC" -n 2 --oversubscribe "$LEAP" hybrid "${H[@]}" --out "$WORK/hyb2" || fail "hybrid 3-D on 2 ranks"
for r in 1 2; do
  for f in config.yaml metrics.json final_state.png final_state.hdf5 final_state.xdmf; do
    [[ -s $WORK/hyb$r/$f ]] || fail "hybrid 3-D on $r rank(s): missing $f"
  done
  head -c 8 "$WORK/hyb$r/final_state.png" | od -An -tx1 | grep -q "89 50 4e 47 0d 0a 1a 0a" || fail "final_state.png is not a PNG"
  "$LEAP" info "$WORK/hyb$r/final_state.hdf5" > "$WORK/info$r.txt" || fail "leap info final_state.hdf5"
  grep -q "16 x 16 x 16 (x, y, z)" "$WORK/info$r.txt" && grep -q "momentum  order 1 (vector)  shape \[2, 1, 16, 16, 16, 3\]" \
    "$WORK/info$r.txt" || fail "final_state.hdf5 is not two 16^3 states: $(cat "$WORK/info$r.txt")"
done
"${LEAP_PYTHON:-$SRC/.venv/bin/python3}" - "$WORK/hyb1" "$WORK/hyb2" <<'PY' || fail "hybrid 3-D metrics"
import json, math, os, sys
import h5py, numpy as np
runs = []
for d in sys.argv[1:]:
    m = json.load(open(os.path.join(d, "metrics.json")))
    assert m["spatial_dims"] == 3 and m["grid"] == [16, 16, 16], m
    assert m["figure_slice"] == {"axis": "z", "index": 8, "cells": 16}, m["figure_slice"]
    assert m["frames_by_solver"] + m["frames_by_emulator"] == 8 and m["frames_by_emulator"] > 0, m
    assert m["frames_by_emulator"] == 3 * m["leaps_accepted"], m
    assert math.isfinite(m["vrmse_final"]) and m["vrmse_final"] > 0, m
    assert len(m["vrmse_final_per_channel"]) == 6 and "momentum_z" in m["vrmse_final_per_channel"], m
    with h5py.File(os.path.join(d, "final_state.hdf5"), "r") as f:
        chans = []
        for g in ("t0_fields", "t1_fields"):
            for n in f[g].attrs["field_names"]:
                a = np.asarray(f[g][n][:, 0], dtype=np.float64)  # [trajectory, x, y, z(, c)]
                chans += [a] if a.ndim == 4 else [a[..., c] for c in range(a.shape[-1])]
    # The VRMSE over the 3-D grid, recomputed from the file (trajectory 0 solver only, 1 hybrid).
    v = [np.sqrt(((c[1] - c[0]) ** 2).mean() / (c[0].var() + 1e-6)) for c in chans]
    assert abs(np.mean(v) - m["vrmse_final"]) <= 1e-5 * (1 + m["vrmse_final"]), (np.mean(v), m["vrmse_final"])
    runs.append((m, np.stack(chans)))
(m1, s1), (m2, s2) = runs
assert m1["ranks"] == 1 and m2["ranks"] == 2, (m1["ranks"], m2["ranks"])
# The same solver on 1 and 2 ranks, the same gathered context, the same emulator noise: the same leaps
# and final states (to float32 round-off).
assert m1["leaps_accepted"] == m2["leaps_accepted"] and m1["leaps_rejected"] == m2["leaps_rejected"], (m1, m2)
assert np.abs(s1 - s2).max() <= 1e-4 * np.abs(s1).max(), np.abs(s1 - s2).max()
print("hybrid 3-D: leaps accepted", m1["leaps_accepted"], "VRMSE", m1["vrmse_final"], m2["vrmse_final"])
PY
# leap study, 3-D: the solver-only kinetic energy of a density wave advected by a uniform flow
# (u, v, w) = (1, 0.5, 0.25) of mean density 1 stays mean(rho) |u|^2 / 2 = 0.65625 (mass is
# conserved, the velocity uniform); with two momentum components it would be 0.625.
"$LEAP" study --config "$E/study-small.yaml" --ae "$WORK/ae/best.ckpt" --emulator "$WORK/emulator/best.ckpt" \
  --out "$WORK/study" -q --set euler3d.initial_condition=density_wave --set "euler3d.density_wave={u: 1.0, v: 0.5, w: 0.25}" \
  --set "study.values=[1.4, 1.6]" --set study.replicas=1 --set "study.check_points=[0, 1]" --set frames=4 \
  --set leap.solver_frames=1 || fail "study 3-D"
python3 - "$WORK/study/metrics.json" <<'PY' || fail "study 3-D metrics"
import json, math, sys
m = json.load(open(sys.argv[1]))
assert m["case"] == "euler3d" and m["qoi"] == "kinetic_energy" and "3 momentum components" in m["qoi_definition"], m
assert len(m["points"]) == 2 and m["leaps_accepted"] + m["leaps_rejected"] >= 2, m
for p in m["points"]:
    assert abs(p["solver_qoi"] - 0.65625) <= 1e-6, p
    assert math.isfinite(p["qoi_mean"]) and p["frames_by_solver"] + p["frames_by_emulator"] == 4, p
PY
# leap bench --case euler3d: the hybrid part at 16^3 (the production driver with the oracle, and the
# leap of random-weight 3-D models of the small scale: exactly ae-small and emulator-small's shapes).
"$MPIEXEC" -n 2 --oversubscribe "$LEAP" bench --case euler3d --parts hybrid --sizes 16 --iters 1 --warmup 0 \
  --frames 4 --leap-frames 3 --solver-frames 1 --out "$WORK/bench" -q > "$WORK/bench.txt" || fail "bench 3-D"
grep -qE "hybrid +16\^3 +solver-only" "$WORK/bench.txt" || fail "bench 3-D table: $(cat "$WORK/bench.txt")"
python3 - "$WORK/bench/metrics.json" <<'PY' || fail "bench 3-D metrics"
import json, math, sys
j = json.load(open(sys.argv[1]))
(r,) = [r for r in j["results"] if r["part"] == "hybrid"]
assert "skipped" not in r and r["dims"] == 3 and r["policy"]["verdicts"]["accepted"] == 1, r
l = r["leap"]
assert l["latent"] == [16, 4, 4, 4] and l["autoencoder_levels"] == 3, l
assert all(math.isfinite(v) and v > 0 for v in (l["ms_per_leap"], l["ms_encode"], l["ms_sample"], l["ms_decode"], r["speedup"])), r
assert l["guided_points"] == 8 and l["ms_per_guided_leap"] > 0 and l["guided_overhead"] > 1, l  # 2^3 sensors at 16^3
PY
out=$("$LEAP" bench --case euler3d --parts hybrid --sizes 8 2>&1); status=$?
[[ $status == 2 && $out == *"power of two >= 16"* ]] || fail "bench 3-D --sizes 8: exit $status: $out"
echo "e2e pipeline 3-D: OK"
