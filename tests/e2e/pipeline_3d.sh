#!/bin/bash
# The 3-D pipeline as far as it goes today, tiny (#20): `leap generate` of the 3-D Euler case on 2
# ranks (16^3 octants), `leap train ae` with the 3-D autoencoder, `leap encode` (with flipped and
# rolled copies), `leap train emulator` and `leap train surrogate` on the 3-D latents; each stage's
# output is read back (`leap info`: 3-D grids; the checkpoints' metrics); a 2-D emulator config on
# 3-D latents is refused (exit 2) naming model.spatial_dims, before anything is written.
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
echo "e2e pipeline 3-D: OK"
