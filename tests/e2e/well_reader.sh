#!/bin/bash
# The Well's own Python reader (the_well.data.WellDataset, PyPI `the-well`) reads every kind of dataset
# LEAP writes, value for value, in The Well's directory layout (COLLECTION/<dataset_name>/data/SPLIT,
# COLLECTION/<dataset_name>/stats.yaml): `leap generate` (one boundary type, a boundary sweep that
# makes two datasets, and a 3-D Euler sweep), `leap encode` (latents), `leap hybrid --record`, and PETSc's TSTrajectory "leap"
# recorder in the unmodified tutorial ex26.
# Tiny sizes (the autoencoder and emulator train for one epoch, only to have checkpoints). The
# oracle (well_reader.py) compares every sample the reader returns, raw, in windows and normalised
# with LEAP's stats.yaml, with the file's values read by h5py, and the field names and channel count
# with the file's; it also checks the Well's canonical path=ROOT, well_split_name=SPLIT call.
. "$2/tests/support/e2e_common.sh"
PY=${LEAP_PYTHON:-$SRC/.venv/bin/python3}
START=$SECONDS
step() { echo "--- [$((SECONDS - START)) s] $*"; }
"$PY" -c "import the_well.data, h5py" 2>/dev/null || fail "$PY cannot import the_well (pip install the-well)"
LIB=$BUILD/solver_adapters/petsc/libleap_petsc.so
TUT=$(ls -d {${LEAP_DEPS_PREFIX:-/nonexistent},}/usr/share/petsc/*/share/petsc/examples/src/ts/tutorials 2>/dev/null | head -1)
[[ -f $TUT/ex26.c ]] || fail "PETSc tutorials not found (package libpetsc3.18-dev-examples)"
[[ -f $LIB ]] || fail "no $LIB"

step "leap generate (32x32, 8 frames, 4/1/1 trajectories; and a boundary sweep, 1/1/0 per boundary)"
tiny_euler_data "$WORK/data" 1
"$LEAP" generate --config "$SRC/examples/euler2d/generate-small.yaml" --out "$WORK/sweep" "${Q[@]}" \
  --set frames=4 --set trajectories.train=1 --set trajectories.valid=1 --set trajectories.test=0 \
  --set "sweep=[{key: boundary, values: [periodic, open]}]" --set euler2d.nx=16 --set euler2d.ny=16 \
  || fail "generate with a boundary sweep"

step "leap generate, 3-D (euler3d: 8x8x8, 4 frames, a sweep over the z boundary, 1/1/0 per point)"
"$LEAP" generate --config "$SRC/examples/euler3d/generate-small.yaml" --out "$WORK/data3d" "${Q[@]}" \
  --set frames=4 --set trajectories.train=1 --set trajectories.valid=1 --set trajectories.test=0 \
  --set "sweep=[{key: boundary.z, values: [periodic, open]}]" --set euler3d.nx=8 --set euler3d.ny=8 \
  --set euler3d.nz=8 || fail "generate 3-D"

step "leap train ae (1 epoch), leap encode"
"$LEAP" train ae --config "$T/ae-tiny.yaml" --data "$WORK/data" --out "$WORK/ae" --set optim.epochs=1 "${Q[@]}" \
  || fail "train ae"
"$LEAP" encode --checkpoint "$WORK/ae/best.ckpt" --data "$WORK/data" --out "$WORK/lat" "${Q[@]}" || fail "encode"

step "leap train emulator (1 epoch), leap hybrid --record"
"$LEAP" train emulator --config "$T/emulator-tiny.yaml" --data "$WORK/lat" --out "$WORK/emu" --set optim.epochs=1 \
  "${Q[@]}" || fail "train emulator"
# As in tests/hybrid/hybrid.sh: check mode at a tolerance the tiny emulator cannot meet keeps every
# solver frame, recorded as 4 trajectories of 3 frames (every 2nd to valid/).
"$LEAP" hybrid --config "$SRC/examples/euler2d/hybrid-small.yaml" --set euler2d.nx=32 --set euler2d.ny=32 \
  --set frames=12 --set leap.leap_frames=3 --set leap.solver_frames=2 --set leap.context=2 \
  --set leap.record_frames=3 --set leap.record_valid_every=2 \
  --ae "$WORK/ae/best.ckpt" --emulator "$WORK/emu/best.ckpt" --out "$WORK/hyb" --record "$WORK/rec" -q \
  -- -leap_check_every 1 -leap_check_tolerance 1e-3 || fail "leap hybrid --record"

step "PETSc ex26 with -ts_trajectory_type leap (train: 8 steps, valid: 4 steps)"
mpicc -O1 -o "$WORK/ex26" "$TUT/ex26.c" $(pkg-config --cflags --libs PETSc) -lm || fail "building ex26"
FIX=(-da_grid_x 12 -da_grid_y 12 -lidvelocity 100 -grashof 1e3 -ts_type rosw -ts_rosw_type ra3pw -ts_adapt_type none
     -ts_dt 0.005 -dll_append "$LIB" -ts_save_trajectory -ts_trajectory_type leap -leap_out "$WORK/ts")
"$WORK/ex26" "${FIX[@]}" -ts_max_steps 8 >/dev/null || fail "ex26 with the leap trajectory"
"$WORK/ex26" "${FIX[@]}" -ts_max_steps 4 -leap_split valid >/dev/null || fail "ex26 with the leap trajectory (valid)"

step "the_well.data.WellDataset on each dataset"
"$PY" "$SRC/tests/e2e/well_reader.py" generate="$WORK/data" generate_sweep="$WORK/sweep" generate_3d="$WORK/data3d" encode="$WORK/lat" hybrid_record="$WORK/rec" \
  petsc_trajectory="$WORK/ts" || fail "The Well's reader on LEAP's datasets"
step "done"
