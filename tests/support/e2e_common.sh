# Sourced by the end-to-end test scripts (bash SCRIPT BUILD_DIR SOURCE_DIR): paths, a scratch
# directory removed on exit, fail/json helpers, and the tiny Euler dataset and models that the
# training and hybrid tests share.
set -uo pipefail
BUILD=$1 SRC=$2
LEAP=${LEAP:-$BUILD/tools/leap/leap}
MPIEXEC=${MPIEXEC:-mpiexec}
T=$SRC/tests/train
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
Q=(--no-progress -q)
fail() { echo "FAIL: $*"; exit 1; }
# expect_petsc_error PATTERN COMMAND...: the command fails with a PETSc error (exit status 1..123,
# not a timeout or a signal) whose output contains PATTERN.
expect_petsc_error() {
  local pattern=$1; shift
  local out status
  out=$(timeout 120 "$@" 2>&1); status=$?
  [[ $status != 0 && $status -lt 124 ]] || fail "exit $status for $*: $(tail -5 <<<"$out")"
  grep -qF -- "$pattern" <<<"$out" || fail "message lacks '$pattern' for $*: $(grep -m3 ERROR <<<"$out")"
}
json() { python3 -c "import json,sys; d=json.load(open('$1')); print(eval('d' + sys.argv[1]))" "$2"; }

# tiny_euler_data DIR TEST_TRAJECTORIES: 32x32 periodic Euler, gamma 1.4, 8 frames, 4 train and 1
# valid trajectories.
tiny_euler_data() {
  "$LEAP" generate --config "$SRC/examples/euler2d/generate-small.yaml" --out "$1" "${Q[@]}" \
    --set frames=8 --set trajectories.train=4 --set trajectories.valid=1 --set trajectories.test="$2" \
    --set "sweep=[{key: gamma, values: [1.4]}]" --set euler2d.boundary=periodic \
    --set euler2d.nx=32 --set euler2d.ny=32 || fail "generate"
}
