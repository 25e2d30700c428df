#!/bin/bash
# `leap train` on a GPU (optim.device, optim.precision). Where LibTorch has no CUDA: a config asking
# for cuda is refused with exit 2 naming optim.device, before any training; the GPU part is skipped
# with a message. With a GPU: on the tiny Euler data, the autoencoder trains in bf16 autocast on
# cuda (validation VRMSE far below its start, like the CPU run of pipeline.sh), its checkpoint is
# used on the CPU by `leap encode`, the emulator trains on cuda in bf16 (loss well below its start),
# and a run killed after its first checkpoint and resumed on cuda reaches the uninterrupted run's losses
# (bf16 and cuDNN are not bitwise reproducible: to 1e-3 relative).
. "$2/tests/support/e2e_common.sh"
tiny_euler_data "$WORK/data" 1
CUDA=(--set optim.device=cuda --set optim.precision=bf16)

if ! "$LEAP" --version | grep -q "CUDA *yes.*device(s) visible"; then
  out=$("$LEAP" train ae --config "$T/ae-tiny.yaml" --data "$WORK/data" --out "$WORK/refused" "${Q[@]}" "${CUDA[@]}" 2>&1)
  rc=$?
  [[ $rc == 2 ]] || fail "optim.device=cuda without CUDA: exit $rc, expected 2 ($out)"
  grep -q "optim.device" <<<"$out" && grep -q "no CUDA" <<<"$out" || fail "message: $out"
  [[ ! -e $WORK/refused/last.ckpt ]] || fail "a refused run wrote a checkpoint"
  out=$("$LEAP" train ae --config "$T/ae-tiny.yaml" --data "$WORK/data" --out "$WORK/refused2" "${Q[@]}" \
    --set optim.precision=bf16 2>&1)
  [[ $? == 2 ]] && grep -q "optim.precision" <<<"$out" || fail "bf16 on the CPU should be refused: $out"
  echo "SKIPPED: no GPU (LibTorch without CUDA or no device visible); the refusals were checked"
  exit 0
fi

"$LEAP" train ae --config "$T/ae-tiny.yaml" --data "$WORK/data" --out "$WORK/ae" "${Q[@]}" "${CUDA[@]}" \
  || fail "train ae on cuda"
v0=$(json "$WORK/ae/metrics.json" "['initial_validation_vrmse']")
v1=$(json "$WORK/ae/metrics.json" "['final_validation_vrmse']")
echo "autoencoder on cuda (bf16): validation VRMSE $v0 -> $v1"
python3 -c "import sys; sys.exit(0 if $v1 < 0.4 * $v0 and $v1 < 0.5 else 1)" || fail "autoencoder did not learn on cuda"
"$LEAP" encode --checkpoint "$WORK/ae/best.ckpt" --data "$WORK/data" --out "$WORK/lat" "${Q[@]}" \
  || fail "the cuda-trained checkpoint does not encode on the CPU"
"$LEAP" train emulator --config "$T/emulator-tiny.yaml" --data "$WORK/lat" --out "$WORK/emu" "${Q[@]}" "${CUDA[@]}" \
  || fail "train emulator on cuda"
l0=$(json "$WORK/emu/metrics.json" "['initial_validation_loss']")
l1=$(json "$WORK/emu/metrics.json" "['best_validation_loss']")
echo "emulator on cuda (bf16): validation loss $l0 -> $l1"
python3 -c "import sys; sys.exit(0 if $l1 < 0.6 * $l0 else 1)" || fail "emulator did not learn on cuda"
# Resume on cuda: the same run killed once its first last.ckpt exists, then resumed.
( "$LEAP" train emulator --config "$T/emulator-tiny.yaml" --data "$WORK/lat" --out "$WORK/emr" "${Q[@]}" "${CUDA[@]}" &
  pid=$!
  for _ in $(seq 1200); do [[ -e $WORK/emr/last.ckpt ]] && break; sleep 0.1; done; kill -9 $pid ) 2>/dev/null
wait 2>/dev/null
[[ -e $WORK/emr/last.ckpt ]] || fail "no last.ckpt to resume from"
"$LEAP" train emulator --config "$T/emulator-tiny.yaml" --data "$WORK/lat" --out "$WORK/emr" "${Q[@]}" "${CUDA[@]}" \
  --resume || fail "resume on cuda"
python3 - "$WORK/emu/metrics.json" "$WORK/emr/metrics.json" <<'PY' || fail "resumed cuda run differs"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
x, y = a["history"][-1]["validation_loss"], b["history"][-1]["validation_loss"]
assert abs(x - y) <= 1e-3 * abs(x), (x, y)
print("resume on cuda: final validation loss %.6g vs %.6g" % (x, y))
PY
echo "training on the GPU: all checks passed"
