#!/bin/bash
# A failing rank never hangs the job. On 3 ranks, a fault is injected on one rank (LEAP_FAULT=SITE:RANK:KIND,
# read only by tests: leap/util/fault_injection.h), as an error (an exception in LEAP's code) or an
# abort (the process dies): in the state exchange, a leap, the recorder, a training step and the TS
# routes, through a user's PETSc program (fault_program.cpp: the TS type leap, LeapTSAttach, the C
# API's runtime, the TSTrajectory recorder) and the `leap` command (generate, train, hybrid). Every
# run must end well inside its timeout, with a failure exit status and the failing rank's message.
. "$2/tests/support/e2e_common.sh"
PROG=$BUILD/tests/faults/fault_program
M3=("$MPIEXEC" -n 3 --oversubscribe)
LIMIT=${RANK_FAILURE_TIMEOUT:-120}  # a hang would run into this; a clean failure takes seconds
export LEAP_FAIL_GRACE_SECONDS=3     # how long `leap` waits for the other ranks before MPI_Abort

"${M3[@]}" "$PROG" oracle "$WORK" >/dev/null || fail "writing the oracle"

# expect_fault SITE RANK KIND COMMAND...: the job fails, within LIMIT, naming the injected fault.
runs=0
expect_fault() {
  local site=$1 rank=$2 kind=$3; shift 3
  local start out status
  start=$(date +%s.%N)
  out=$(LEAP_FAULT="$site:$rank:$kind" timeout -k 10 "$LIMIT" "$@" 2>&1); status=$?
  local secs; secs=$(python3 -c "print('%.1f' % ($(date +%s.%N) - $start))")
  [[ $status != 124 && $status != 137 ]] || fail "$site:$rank:$kind: the job hung (killed after ${LIMIT} s): $*
$(tail -20 <<<"$out")"
  [[ $status != 0 ]] || fail "$site:$rank:$kind: exit status 0 for $*"
  grep -q "injected fault at $site (pass 1) on rank $rank" <<<"$out" \
    || fail "$site:$rank:$kind: the failing rank's message is missing: $(tail -20 <<<"$out")"
  printf '  %-13s rank %d %-5s exit %3d  %5.1f s  %s\n' "$site" "$rank" "$kind" "$status" "$secs" "${*: -2:1}"
  runs=$((runs + 1))
}

echo "--- a user's PETSc program, 3 ranks"
for kind in error abort; do
  expect_fault ts_step 1 $kind "${M3[@]}" "$PROG" ts_leap "$WORK"
  expect_fault exchange 2 $kind "${M3[@]}" "$PROG" ts_leap "$WORK"
  expect_fault leap 1 $kind "${M3[@]}" "$PROG" ts_leap "$WORK"
  expect_fault ts_post_step 2 $kind "${M3[@]}" "$PROG" attach "$WORK"
  expect_fault leap 1 $kind "${M3[@]}" "$PROG" attach "$WORK"
  expect_fault exchange 1 $kind "${M3[@]}" "$PROG" runtime "$WORK"
  expect_fault leap 2 $kind "${M3[@]}" "$PROG" runtime "$WORK"
  expect_fault recorder 1 $kind "${M3[@]}" "$PROG" record "$WORK"
done
# Without a fault, each route runs to its end (the faults above are what stopped them).
for route in ts_leap attach runtime record; do
  "${M3[@]}" "$PROG" $route "$WORK" | grep -q "fault_program $route: done" || fail "$route without a fault"
done

echo "--- the leap command, 3 ranks"
GEN=(--config "$SRC/examples/euler2d/generate-small.yaml" --set frames=6 --set trajectories.train=3
     --set trajectories.valid=1 --set trajectories.test=0 --set "sweep=[{key: gamma, values: [1.4]}]"
     --set euler2d.boundary=periodic --set euler2d.nx=24 --set euler2d.ny=24 "${Q[@]}")
for kind in error abort; do
  expect_fault recorder 2 $kind "${M3[@]}" "$LEAP" generate "${GEN[@]}" --out "$WORK/gen_$kind"
done
"$LEAP" generate "${GEN[@]}" --out "$WORK/data" || fail "generate"
TRAIN=(train ae --config "$T/ae-tiny.yaml" --data "$WORK/data" --set optim.epochs=2 --set optim.batch=3 "${Q[@]}")
for kind in error abort; do
  expect_fault train_step 1 $kind "${M3[@]}" "$LEAP" "${TRAIN[@]}" --out "$WORK/ae_$kind"
done
# A failure every rank shares (bad input) still ends with exit 2 and one message, without an abort.
out=$(timeout 60 "${M3[@]}" "$LEAP" "${TRAIN[@]}" --out "$WORK/ae_bad" --set optim.lr=-1 2>&1); status=$?
[[ $status == 2 ]] || fail "bad input on every rank: exit $status: $out"
! grep -q "MPI_ABORT\|aborting the job" <<<"$out" || fail "bad input on every rank aborted the job: $out"
echo "rank failures: $runs runs, each ended with the failing rank's message"
