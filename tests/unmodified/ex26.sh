#!/bin/bash
# An unmodified PETSc program records a LEAP dataset: PETSc's own tutorial src/ts/tutorials/ex26.c
# (a transient driven cavity on a 4-dof DMDA, shipped by Debian's libpetsc3.18-dev-examples) is
# built as it is and run under mpiexec with -dll_append libleap_petsc.so and the "leap"
# TSTrajectory type; `leap info` reads the dataset and `leap train ae` trains on it.
set -uo pipefail
BUILD=$1 SRC=$2
LEAP=${LEAP:-$BUILD/tools/leap/leap}
MPIEXEC=${MPIEXEC:-mpiexec}
LIB=$BUILD/solver_adapters/petsc/libleap_petsc.so
EX=$(ls {${LEAP_DEPS_PREFIX:-/nonexistent},}/usr/share/petsc/*/share/petsc/examples/src/ts/tutorials/ex26.c 2>/dev/null | head -1)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
[[ -f $EX ]] || fail "PETSc tutorial ex26.c not found (package libpetsc3.18-dev-examples)"
mpicc -O2 -o "$WORK/ex26" "$EX" $(pkg-config --cflags --libs PETSc) -lm || fail "building ex26"
RUN=(-da_grid_x 20 -da_grid_y 20 -lidvelocity 100 -grashof 1e3 -ts_rtol 1e-3 -ts_atol 1e-3 -ts_type rosw -ts_rosw_type ra3pw
     -dll_append "$LIB" -ts_save_trajectory -ts_trajectory_type leap -leap_out "$WORK/ds")

"$MPIEXEC" -n 2 --oversubscribe "$WORK/ex26" "${RUN[@]}" -ts_max_steps 12 || fail "ex26 with the leap trajectory (2 ranks)"
"$WORK/ex26" "${RUN[@]}" -ts_max_steps 6 -leap_split valid || fail "ex26 with the leap trajectory (1 rank)"
info=$("$LEAP" info "$WORK/ds/train/petsc_ts.hdf5") || fail "leap info"
echo "$info"
grep -q 'frames: *13 ' <<<"$info" || fail "expected 13 frames (initial state + 12 steps)"
grep -q 'grid: *20 x 20' <<<"$info" || fail "grid"
for f in x-velocity y-velocity Omega temperature; do grep -q "^  $f  order 0" <<<"$info" || fail "field $f"; done
"$LEAP" info "$WORK/ds/valid/petsc_ts.hdf5" | grep -q 'frames: *7 ' || fail "valid split"
[[ -s $WORK/ds/stats.yaml ]] || fail "stats.yaml"

"$LEAP" train ae --config "$SRC/tests/train/ae-tiny.yaml" --data "$WORK/ds" --out "$WORK/ae" --no-progress -q \
  --set model.in_channels=4 --set "model.boundary=[open, open]" --set "data.log_fields=[]" --set optim.epochs=3 \
  --set optim.batch=4 || fail "leap train ae on the recorded dataset"
[[ -s $WORK/ae/best.ckpt ]] || fail "no checkpoint"

# Misuse ends in a PETSc error with a clear message, never a crash.
out=$("$WORK/ex26" -da_grid_x 8 -da_grid_y 8 -ts_max_steps 2 -dll_append "$LIB" -ts_save_trajectory \
      -ts_trajectory_type leap 2>&1); status=$?
[[ $status != 0 && $status -lt 128 ]] || fail "missing -leap_out: exit $status"
grep -q "needs -leap_out DIR" <<<"$out" || fail "missing -leap_out: message: $out"
out=$("$WORK/ex26" -da_grid_x 8 -da_grid_y 8 -ts_max_steps 2 -dll_append "$LIB" -ts_save_trajectory \
      -ts_trajectory_type leap -leap_out "$WORK/x" -leap_split bogus 2>&1); status=$?
[[ $status != 0 && $status -lt 128 ]] || fail "bad -leap_split: exit $status"
grep -q "leap_split: expected train, valid or test, found bogus" <<<"$out" || fail "bad split message: $out"
echo "unmodified PETSc program: all checks passed"
