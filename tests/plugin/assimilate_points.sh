#!/bin/bash
# Data assimilation through the runtime's C API (#21): tiny models trained on the tiny Euler data,
# then tests/plugin/assimilate_points.c on 1 and 2 ranks (see that file): a leap conditioned on four
# density sensors (passed by the ranks that own them) lands on the observed values.
. "$2/tests/support/e2e_common.sh"
tiny_euler_data "$WORK/data" 1
"$LEAP" train ae --config "$T/ae-tiny.yaml" --data "$WORK/data" --out "$WORK/ae" "${Q[@]}" || fail "train ae"
"$LEAP" encode --checkpoint "$WORK/ae/best.ckpt" --data "$WORK/data" --out "$WORK/lat" "${Q[@]}" || fail "encode"
"$LEAP" train emulator --config "$T/emulator-tiny.yaml" --data "$WORK/lat" --out "$WORK/emu" --set optim.epochs=20 \
  "${Q[@]}" || fail "train emulator"
cat > "$WORK/runtime.yaml" <<YAML
emulator:
  kind: latent_diffusion
  autoencoder: $WORK/ae/best.ckpt
  checkpoint: $WORK/emu/best.ckpt
  guidance_iterations: 4
YAML
for n in 1 2; do
  "$MPIEXEC" -n $n --oversubscribe "$BUILD/tests/plugin/assimilate_points" "$WORK/runtime.yaml" 1.4 1 1 \
    || fail "assimilate_points on $n rank(s)"
done
echo "e2e assimilate points: OK"
