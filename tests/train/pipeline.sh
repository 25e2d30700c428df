#!/bin/bash
# The training pipeline end to end on solver data: the autoencoder's validation VRMSE falls far
# below its starting value; `leap encode --augment 4` writes 4 augmented copies of each training file
# (and none of the validation and test files) and records their transforms; on that latent dataset
# the emulator's validation loss falls below 0.4x its starting value and the surrogate's below 0.3x
# within a minute each; two-rank data-parallel training equals one rank on the combined batch, with
# either optim.gradient_sync (bitwise the same), and resumes exactly; an interrupted run resumed from
# last.ckpt ends exactly where the uninterrupted one does; bad input is refused with exit 2 before
# anything is written.
. "$2/tests/support/e2e_common.sh"

tiny_euler_data "$WORK/data" 1

"$LEAP" train ae --config "$T/ae-tiny.yaml" --data "$WORK/data" --out "$WORK/ae" "${Q[@]}" || fail "train ae"
for f in best.ckpt last.ckpt config.yaml metrics.json; do [[ -s $WORK/ae/$f ]] || fail "ae: missing $f"; done
v0=$(json "$WORK/ae/metrics.json" "['initial_validation_vrmse']")
v1=$(json "$WORK/ae/metrics.json" "['final_validation_vrmse']")
echo "autoencoder validation VRMSE: $v0 -> $v1"
python3 -c "import sys; sys.exit(0 if $v1 < 0.4 * $v0 and $v1 < 0.5 else 1)" || fail "autoencoder did not learn ($v0 -> $v1)"

# Data parallel: 2 ranks x batch 4 == 1 rank x batch 8, epoch by epoch (a few epochs: float32
# round-off of the two reduction orders grows slowly with training). The 2-rank default
# (optim.gradient_sync: overlap: LibTorch's DDP reducer over c10d, here 5 buckets of at most 10 kB,
# each all-reduced during the backward pass) leaves checkpoints bitwise equal to after_backward's (all
# the gradients all-reduced after the backward pass: on 2 ranks a/2 + b/2 == (a + b)/2 exactly), and
# metrics.json counts its all-reduces (per step, one a bucket and one of the map of used parameters).
# A 2-rank run that a rank aborts in epoch 3, resumed, ends bitwise where the uninterrupted run does.
# Steps skipped for a non-finite loss (lr 1e30) leave the reducer working to the end of the run.
PY=${LEAP_PYTHON:-$SRC/.venv/bin/python3}
DP=(--set optim.epochs=4 --set optim.ema=0.9)
TRAIN2=("$MPIEXEC" -n 2 --oversubscribe "$LEAP" train ae --config "$T/ae-tiny.yaml" --data "$WORK/data" "${DP[@]}" "${Q[@]}")
"$LEAP" train ae --config "$T/ae-tiny.yaml" --data "$WORK/data" --out "$WORK/ae1" "${DP[@]}" "${Q[@]}" || fail "1-rank train ae"
"${TRAIN2[@]}" --out "$WORK/ae2" --set optim.gradient_bucket_mb=0.01 || fail "2-rank train ae"
"${TRAIN2[@]}" --out "$WORK/ae2a" --set optim.gradient_sync=after_backward || fail "2-rank train ae, after_backward"
LEAP_FAULT=train_step:1:abort:9 "${TRAIN2[@]}" --out "$WORK/ae2r" --set optim.gradient_bucket_mb=0.01 >/dev/null 2>&1 \
  && fail "2-rank train ae: the injected abort did not stop it"
"${TRAIN2[@]}" --out "$WORK/ae2r" --set optim.gradient_bucket_mb=0.01 --resume || fail "2-rank train ae, resumed"
"${TRAIN2[@]}" --out "$WORK/ae2n" --set optim.lr=1e30 --set optim.warmup=0 --set optim.grad_clip=0 2>/dev/null \
  || fail "2-rank train ae with non-finite steps"
for c in best last; do
  "$PY" "$SRC/tests/faults/compare_runs.py" checkpoints "$WORK/ae2a/$c.ckpt" "$WORK/ae2/$c.ckpt" \
    || fail "2 ranks: overlap and after_backward differ ($c.ckpt)"
  "$PY" "$SRC/tests/faults/compare_runs.py" checkpoints "$WORK/ae2/$c.ckpt" "$WORK/ae2r/$c.ckpt" \
    || fail "2 ranks: the resumed run differs ($c.ckpt)"
done
"$PY" "$SRC/tests/faults/compare_runs.py" metrics "$WORK/ae2/metrics.json" "$WORK/ae2r/metrics.json" \
  || fail "2 ranks: the resumed run's metrics.json differs"
python3 - "$WORK"/ae{1,2,2a,2r,2n}/metrics.json <<'PY' || fail "2-rank training differs from 1 rank"
import json, sys
one, two, after, resumed, nonfinite = (json.load(open(p)) for p in sys.argv[1:6])
a, b = one["history"], two["history"]
assert len(a) == len(b)
for x, y in zip(a, b):
    for k in ("train_loss", "validation_loss"):
        assert abs(x[k] - y[k]) <= 1e-5 * abs(x[k]), (k, x[k], y[k])
print("data parallel: 1 and 2 ranks agree over", len(a), "epochs")
sync = lambda m: (m["gradient_sync"], m["gradient_buckets"], m["gradient_allreduces"])
assert sync(one) == ("none", 0, 0) and sync(after) == ("after_backward", 0, 0), (sync(one), sync(after))
assert two["gradient_sync"] == "overlap" and two["gradient_buckets"] == 5, sync(two)
assert two["gradient_allreduces"] == two["steps"] * (5 + 1), sync(two)
assert sync(resumed) == sync(two), (sync(resumed), sync(two))
n = nonfinite
assert n["gradient_sync"] == "overlap" and n["gradient_allreduces"] == n["steps"] * (n["gradient_buckets"] + 1), sync(n)
assert 0 < n["skipped_steps"] < n["steps"], (n["skipped_steps"], n["steps"])
print("overlap:", sync(two), "steps", two["steps"], "; non-finite run: skipped", n["skipped_steps"], "of", n["steps"])
PY

# Resume: kill the run as soon as its first last.ckpt exists, resume, compare with the full run.
( "$LEAP" train ae --config "$T/ae-tiny.yaml" --data "$WORK/data" --out "$WORK/aer" "${Q[@]}" & pid=$!
  for _ in $(seq 600); do [[ -e $WORK/aer/last.ckpt ]] && break; sleep 0.1; done; kill -9 $pid ) 2>/dev/null
wait 2>/dev/null
[[ -e $WORK/aer/last.ckpt ]] || fail "no last.ckpt to resume from"
"$LEAP" train ae --config "$T/ae-tiny.yaml" --data "$WORK/data" --out "$WORK/aer" --resume "${Q[@]}" || fail "resume"
python3 - "$WORK/ae/metrics.json" "$WORK/aer/metrics.json" <<'PY' || fail "resumed run differs"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
assert a["history"][-1]["epoch"] == b["history"][-1]["epoch"]
for k in ("train_loss", "validation_loss"):
    assert a["history"][-1][k] == b["history"][-1][k], (k, a["history"][-1][k], b["history"][-1][k])
print("resume: final epoch identical", a["history"][-1]["validation_loss"])
PY

# Latents with 4 augmented copies of every training trajectory: 5x the emulators' training windows.
"$LEAP" encode --checkpoint "$WORK/ae/best.ckpt" --data "$WORK/data" --out "$WORK/lat" --augment 4 --seed 1 "${Q[@]}" \
  || fail "encode"
"$LEAP" info "$WORK/lat/euler_multi_quadrants_periodicBC_latent/data/train/"*.hdf5 | grep -q 'grid: *16 x 16' \
  || fail "latent grid"
grep -q '^augment: 4$' "$WORK/lat/config.yaml" || fail "encode: config.yaml lacks augment: 4"
python3 - "$WORK/lat" <<'PY' || fail "augmented latent dataset"
import json, os, sys
d = sys.argv[1]
ds = os.path.join(d, "euler_multi_quadrants_periodicBC_latent")  # the latent collection's one dataset
ls = lambda s: sorted(f for f in os.listdir(os.path.join(ds, "data", s)) if f.endswith(".hdf5"))
assert os.path.isfile(os.path.join(ds, "stats.yaml"))
m = json.load(open(os.path.join(d, "metrics.json")))
a = m["augmentation"]
assert (a["copies"], a["seed"], a["original_trajectories"], a["augmented_trajectories"]) == (4, 1, 4, 16), a
assert m["train_trajectories"] == 20 and m["files"] == 7 and a["axes"] == ["x", "y"], m
assert len(ls("valid")) == 1 and len(ls("test")) == 1, (ls("valid"), ls("test"))
train = ls("train")
assert len(train) == 5, train
assert sorted("euler_multi_quadrants_periodicBC_latent/data/train/" + f for f in train if "-aug" in f) == sorted(f["file"] for f in a["files"]), (train, a["files"])
for f in a["files"]:
    assert len(f["transforms"]) == 4, f
    for t in f["transforms"]:
        assert all(0 <= r < 32 for r in t["roll"]), t   # both axes periodic in this dataset
print("encode --augment 4:", train)
PY

"$LEAP" train emulator --config "$T/emulator-fast.yaml" --data "$WORK/lat" --out "$WORK/emu" "${Q[@]}" || fail "train emulator"
"$LEAP" train surrogate --config "$T/emulator-fast.yaml" --data "$WORK/lat" --out "$WORK/sur" "${Q[@]}" || fail "train surrogate"
# Measured (2 cores): emulator 1.20 -> 0.26, surrogate 1.05 -> 0.11, about 35 s each.
for run in emu:0.4 sur:0.3; do
  factor=${run#*:}; run=${run%:*}
  l0=$(json "$WORK/$run/metrics.json" "['initial_validation_loss']")
  l1=$(json "$WORK/$run/metrics.json" "['best_validation_loss']")
  echo "$run validation loss: $l0 -> $l1"
  python3 -c "import sys; sys.exit(0 if $l1 < $factor * $l0 else 1)" || fail "$run did not learn ($l0 -> $l1)"
done

# Bad input: exit 2, one line, naming what differs.
expect_bad() {
  local pattern=$1; shift
  local out status
  out=$("$@" "${Q[@]}" 2>&1); status=$?
  [[ $status == 2 ]] || fail "exit $status (expected 2) for $*: $out"
  grep -qE -- "$pattern" <<<"$out" || fail "message lacks /$pattern/: $out"
}
expect_bad "key 'model.in_channels': expected 5 \(the channels of" "$LEAP" train ae --config "$T/ae-tiny.yaml" --data "$WORK/data" --out "$WORK/b1" --set model.in_channels=4
expect_bad "key 'model.channels': expected a spatial factor dividing the grid" "$LEAP" train ae --config "$T/ae-tiny.yaml" --data "$WORK/data" --out "$WORK/b2" --set "model.channels=[4,4,4,4,4,4,4]" --set "model.blocks=[0,0,0,0,0,0,0]"
expect_bad "expected an autoencoder checkpoint, found a denoiser" "$LEAP" encode --checkpoint "$WORK/emu/best.ckpt" --data "$WORK/data" --out "$WORK/b3"
head -c 1000 "$WORK/ae/best.ckpt" > "$WORK/trunc.ckpt"
expect_bad "truncated/corrupted" "$LEAP" encode --checkpoint "$WORK/trunc.ckpt" --data "$WORK/data" --out "$WORK/b4"
expect_bad "model differs from the config: .*latent_channels" "$LEAP" train ae --config "$T/ae-tiny.yaml" --data "$WORK/data" --out "$WORK/ae" --resume --set model.latent_channels=2
expect_bad "key 'model.param_features': expected 0 or 3" "$LEAP" train emulator --config "$T/emulator-tiny.yaml" --data "$WORK/lat" --out "$WORK/b5" --set model.param_features=2
expect_bad "--augment: expected a number of augmented copies >= 0, found -1" "$LEAP" encode --checkpoint "$WORK/ae/best.ckpt" --data "$WORK/data" --out "$WORK/b6" --augment -1
[[ ! -e $WORK/b6 ]] || fail "encode --augment -1 wrote $WORK/b6"
echo "training pipeline: all checks passed"
