#!/bin/bash
# kill -9 at random moments: nothing is lost, and no partial file looks complete.
#   leap generate   killed, then run again: the files equal an uninterrupted run's (h5diff), and
#                   after every kill each file under its final name is already identical to the
#                   uninterrupted run's (a file being written is NAME.hdf5.partial until complete).
#   leap train      (the autoencoder, then the emulator on its latents; on each rank count of
#                   KILL_RANKS) killed, then resumed with --resume (or started again when no
#                   last.ckpt was written yet): best.ckpt and last.ckpt are bitwise equal to an
#                   uninterrupted run's (weights, EMA, optimiser and RNG states) and metrics.json
#                   holds the same history.
#   recorders       `leap hybrid --record` and the TSTrajectory recorder killed: every finished
#                   trajectory is readable, unfinished ones are NAME.hdf5.partial, which `leap info`
#                   and training skip with a message.
# Seeded (KILL_SEED): the moments are printed, so a failure can be replayed. KILLS trials per case,
# each a fresh run killed once at a moment drawn uniformly over the uninterrupted run's wall time
# (start-up, epochs, checkpoint writes, the end; redrawn within a shorter run when it ended first). CI runs the short variant (KILLS=2, ranks "1 2"
# split between the models); bench/kill_test.sh runs the full one (KILLS=20, 1 and 2 ranks).
. "$2/tests/support/e2e_common.sh"
KILLS=${KILLS:-2}
SEED=${KILL_SEED:-1}
AE_RANKS=${KILL_AE_RANKS:-1}
EMU_RANKS=${KILL_EMU_RANKS:-2}
export OMPI_MCA_rmaps_base_oversubscribe=1
PROG=$BUILD/tests/faults/fault_program
PY=${LEAP_PYTHON:-$SRC/.venv/bin/python3}
# moment SECONDS KEY: the seeded moment in (0.3, SECONDS) of the trial KEY (e.g. "train ae 2 3").
moment() {
  python3 -c "import random, sys; r = random.Random('$SEED ' + sys.argv[2]); print('%.2f' % (0.3 + r.random() * (float(sys.argv[1]) - 0.3)))" "$1" "$2"
}
now() { date +%s.%N; }
elapsed() { python3 -c "print('%.2f' % ($(now) - $1))"; }
# killed_at T COMMAND...: runs COMMAND in a session of its own and kills it (every process of it:
# mpiexec and its ranks) with SIGKILL after T seconds; "killed" or "finished" (it ended first).
killed_at() {
  local t=$1; shift
  setsid "$@" >/dev/null 2>&1 &
  local pid=$! start; start=$(now)
  while kill -0 $pid 2>/dev/null; do
    if python3 -c "import sys; sys.exit(0 if $(now) - $start >= $t else 1)"; then
      kill -9 -- -$pid 2>/dev/null
      pkill -9 -s $pid 2>/dev/null
      wait $pid 2>/dev/null
      echo killed
      return
    fi
    sleep 0.05
  done
  wait $pid 2>/dev/null
  echo finished
}
# kill_trial T KEY OUT COMMAND...: runs COMMAND and kills it at a seeded moment in (0.3, T) s. When it
# ends first (a machine busier when T was measured), OUT (one or more paths) is removed and it runs
# again, killed at a moment within the time it took, up to 5 attempts. Sets KILL_AT and KILL_WHAT.
kill_trial() {
  local T=$1 key=$2 out=$3 attempt start; shift 3
  for attempt in 1 2 3 4 5; do
    KILL_AT=$(moment "$T" "$key $attempt")
    start=$(now)
    KILL_WHAT=$(killed_at "$KILL_AT" "$@")
    [[ $KILL_WHAT == killed ]] && return
    T=$(elapsed "$start")
    rm -rf $out
  done
}
KILLED=0 RESUMED=0 EQUAL=0

# ------------------------------------------------------------------ leap generate
GEN=(--config "$SRC/examples/euler2d/generate-small.yaml" --set frames=8 --set trajectories.train=4
     --set trajectories.valid=1 --set trajectories.test=1 --set "sweep=[{key: gamma, values: [1.4]}]"
     --set euler2d.boundary=periodic --set euler2d.nx=32 --set euler2d.ny=32 "${Q[@]}")
start=$(now)
"$LEAP" generate "${GEN[@]}" --out "$WORK/gen_ref" || fail "generate (uninterrupted)"
T_GEN=$(elapsed "$start")
# same_as_ref DIR: every complete-looking file in DIR equals the uninterrupted run's.
same_as_ref() {
  local f
  [[ -d $1 ]] || return 0  # killed before it wrote anything
  while IFS= read -r f; do
    h5diff -q "$WORK/gen_ref/$f" "$1/$f" >/dev/null 2>&1 || return 1
  done < <(cd "$1" && find . -name '*.hdf5')
  while IFS= read -r f; do
    cmp -s "$WORK/gen_ref/$f" "$1/$f" || return 1
  done < <(cd "$1" && find . -name stats.yaml)
}
echo "--- leap generate: $KILLS kills (uninterrupted: $T_GEN s)"
for i in $(seq "$KILLS"); do
  out=$WORK/gen_$i
  kill_trial "$T_GEN" "generate $i" "$out" "$LEAP" generate "${GEN[@]}" --out "$out"
  t=$KILL_AT what=$KILL_WHAT
  same_as_ref "$out" || fail "generate trial $i (seed $SEED, kill at $t s): a file under its final name differs from the uninterrupted run's"
  "$LEAP" generate "${GEN[@]}" --out "$out" || fail "generate trial $i: the rerun failed"
  same_as_ref "$out" || fail "generate trial $i (kill at $t s): the rerun's files differ"
  [[ $(cd "$out" && find . -name '*.hdf5' | sort) == $(cd "$WORK/gen_ref" && find . -name '*.hdf5' | sort) ]] \
    || fail "generate trial $i: other files than the uninterrupted run's"
  ! find "$out" -name '*.partial' | grep -q . || fail "generate trial $i: .partial files left behind"
  echo "  trial $i: $what at $t s; rerun identical"
  [[ $what == killed ]] && KILLED=$((KILLED + 1)); RESUMED=$((RESUMED + 1)); EQUAL=$((EQUAL + 1))
done
DATA=$WORK/gen_ref

# ------------------------------------------------------------------ leap train
# train_trials KIND RANKS DATA CONFIG OUT_STEM ARGS...: KILLS kills of `leap train KIND` on RANKS ranks.
train_trials() {
  local kind=$1 ranks=$2 data=$3 config=$4 stem=$5; shift 5
  local run=(train "$kind" --config "$config" --data "$data" "$@" "${Q[@]}")
  local launch=("$LEAP")
  [[ $ranks -gt 1 ]] && launch=("$MPIEXEC" -n "$ranks" --oversubscribe "$LEAP")
  local start; start=$(now)
  "${launch[@]}" "${run[@]}" --out "${stem}_ref" || fail "train $kind on $ranks ranks (uninterrupted)"
  local T; T=$(elapsed "$start")
  echo "--- leap train $kind on $ranks rank(s): $KILLS kills (uninterrupted: $T s)"
  for i in $(seq "$KILLS"); do
    local out=${stem}_$i
    kill_trial "$T" "train $kind $ranks $i" "$out" "${launch[@]}" "${run[@]}" --out "$out"
    local t=$KILL_AT what=$KILL_WHAT
    local resume=() epoch=none
    if [[ -e $out/last.ckpt ]]; then
      resume=(--resume)
      epoch=$("$PY" -c "import torch, sys; print(torch.jit.load(sys.argv[1]).epoch)" "$out/last.ckpt")
    fi
    "${launch[@]}" "${run[@]}" --out "$out" "${resume[@]}" || fail "train $kind trial $i (seed $SEED, kill at $t s): the resumed run failed"
    for c in best last; do
      "$PY" "$SRC/tests/faults/compare_runs.py" checkpoints "${stem}_ref/$c.ckpt" "$out/$c.ckpt" >/dev/null \
        || fail "train $kind trial $i (seed $SEED, kill at $t s, resumed after epoch $epoch): $c.ckpt is not the uninterrupted run's: $("$PY" "$SRC/tests/faults/compare_runs.py" checkpoints "${stem}_ref/$c.ckpt" "$out/$c.ckpt" 2>&1)"
    done
    "$PY" "$SRC/tests/faults/compare_runs.py" metrics "${stem}_ref/metrics.json" "$out/metrics.json" >/dev/null \
      || fail "train $kind trial $i (kill at $t s): $("$PY" "$SRC/tests/faults/compare_runs.py" metrics "${stem}_ref/metrics.json" "$out/metrics.json" 2>&1)"
    echo "  trial $i: $what at $t s, resumed ${resume[*]:-from the start} (last.ckpt: epoch $epoch): bitwise equal"
    [[ $what == killed ]] && KILLED=$((KILLED + 1)); RESUMED=$((RESUMED + 1)); EQUAL=$((EQUAL + 1))
  done
}
AE_ARGS=(--set optim.epochs=8 --set optim.batch=4 --set optim.ema=0.9)
for r in $AE_RANKS; do train_trials ae "$r" "$DATA" "$T/ae-tiny.yaml" "$WORK/ae_np$r" "${AE_ARGS[@]}"; done
[[ -d $WORK/ae_np1_ref ]] || "$LEAP" train ae --config "$T/ae-tiny.yaml" --data "$DATA" "${AE_ARGS[@]}" "${Q[@]}" --out "$WORK/ae_np1_ref" \
  || fail "train ae"
"$LEAP" encode --checkpoint "$WORK/ae_np1_ref/best.ckpt" --data "$DATA" --out "$WORK/lat" "${Q[@]}" || fail "encode"
for r in $EMU_RANKS; do
  train_trials emulator "$r" "$WORK/lat" "$T/emulator-tiny.yaml" "$WORK/emu_np$r" --set optim.epochs=6 --set optim.batch=2
done

# ------------------------------------------------------------------ recorders
# finished_and_marked DIR: every .hdf5 under DIR is complete and readable; `leap info` and training
# name the unfinished ones (.partial) they skip.
finished_and_marked() {
  local dir=$1 f n_partial
  [[ -d $dir ]] || { echo "nothing written yet"; return; }
  while IFS= read -r f; do
    "$LEAP" info "$f" >/dev/null 2>&1 || fail "$f: a finished recording that cannot be read"
  done < <(find "$dir" -name '*.hdf5')
  n_partial=$(find "$dir" -name '*.partial' | wc -l)
  if [[ $n_partial -gt 0 ]]; then
    "$LEAP" info "$dir" 2>&1 | grep -q "unfinished" || fail "leap info $dir does not mention the unfinished files"
  fi
  echo "$(find "$dir" -name '*.hdf5' | wc -l) finished, $n_partial unfinished"
}
HYB=(hybrid --config "$SRC/examples/euler2d/hybrid-small.yaml" --set euler2d.nx=32 --set euler2d.ny=32
     --set frames=40 --set leap.leap_frames=3 --set leap.solver_frames=4 --set leap.members=1 --set leap.context=2
     --set leap.record_frames=4 --set leap.record_valid_every=0 --ae "$WORK/ae_np1_ref/best.ckpt" --emulator "$WORK/emu_np${EMU_RANKS%% *}_ref/best.ckpt")
start=$(now)
"$LEAP" "${HYB[@]}" --out "$WORK/hyb_ref" --record "$WORK/rec_ref" -q || fail "hybrid --record (uninterrupted)"
T_HYB=$(elapsed "$start")
echo "--- leap hybrid --record: $KILLS kills (uninterrupted: $T_HYB s)"
for i in $(seq "$KILLS"); do
  kill_trial "$T_HYB" "hybrid $i" "$WORK/hyb_$i $WORK/rec_$i" "$LEAP" "${HYB[@]}" --out "$WORK/hyb_$i" --record "$WORK/rec_$i"
  t=$KILL_AT what=$KILL_WHAT
  echo "  trial $i: $what at $t s: $(finished_and_marked "$WORK/rec_$i")"
  [[ $what == killed ]] && KILLED=$((KILLED + 1))
done
"$MPIEXEC" -n 2 --oversubscribe "$PROG" oracle "$WORK" >/dev/null || fail "fault_program oracle"
start=$(now)
"$MPIEXEC" -n 2 --oversubscribe "$PROG" record "$WORK" >/dev/null || fail "the TSTrajectory recorder (uninterrupted)"
T_REC=$(elapsed "$start")
echo "--- the TSTrajectory recorder (2 ranks): $KILLS kills (uninterrupted: $T_REC s)"
for i in $(seq "$KILLS"); do
  mkdir -p "$WORK/tsrec_$i"
  cp "$WORK/oracle.hdf5" "$WORK/leap.yaml" "$WORK/tsrec_$i/"
  kill_trial "$T_REC" "tsrecorder $i" "$WORK/tsrec_$i/rec" "$MPIEXEC" -n 2 --oversubscribe "$PROG" record "$WORK/tsrec_$i"
  t=$KILL_AT what=$KILL_WHAT
  echo "  trial $i: $what at $t s: $(finished_and_marked "$WORK/tsrec_$i/rec")"
  [[ $what == killed ]] && KILLED=$((KILLED + 1))
done
# Training and encoding skip an unfinished file with a message (here: the train split of the
# generated data holding a leftover NAME.hdf5.partial, as a killed writer leaves it).
cp -r "$DATA" "$WORK/with_partial"
ds=$(ls -d "$WORK/with_partial"/*/data/train | head -1)
head -c 1000 /dev/urandom > "$ds/killed_writer.hdf5.partial"
out=$("$LEAP" train ae --config "$T/ae-tiny.yaml" --data "$WORK/with_partial" --set optim.epochs=1 --set optim.batch=4 \
      --out "$WORK/ae_partial" --no-progress 2>&1) || fail "training next to an unfinished file: $out"
grep -q "skipping 1 unfinished file (killed_writer.hdf5.partial" <<<"$out" || fail "training did not say it skipped the unfinished file: $out"
"$LEAP" info "$WORK/with_partial" | grep -q "1 unfinished, skipped: killed_writer.hdf5.partial" || fail "leap info: no word of the unfinished file"
echo "kill -9: $KILLED kills delivered; $RESUMED reruns/resumes, $EQUAL equal to the uninterrupted run (seed $SEED)"
