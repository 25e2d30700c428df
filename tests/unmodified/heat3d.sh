#!/bin/bash
# LEAP in a PETSc program with a 3-D DMDA that it did not write (heat3d.c: u and w diffusing on an
# 8 x 6 x 5 DMDA, periodic in x and y, periodic or walled in z), through -dll_append only.
# 1. The "leap" TSTrajectory records it on 2 ranks as a 3-D dataset in The Well's schema: fields
#    [trajectory, time, x, y, z], the z axis and its boundary, every frame; the last frame is the
#    program's final state (read back with h5py, compared with -ts_view_solution); `leap info` reads it.
# 2. -ts_type leap with that recording as the emulator (the oracle) ends where the solver-only run
#    ends, to float32 round-off, on 1 and 3 ranks (uneven 3-D splits), with leaps accepted; a run 5
#    steps short is far off (the check can fail).
# 3. With zero-flux walls in z the recording says so (z open).
. "$2/tests/support/e2e_common.sh"
LIB=$BUILD/solver_adapters/petsc/libleap_petsc.so
PY=${LEAP_PYTHON:-python3}
mpicc -O2 -o "$WORK/heat3d" "$2/tests/unmodified/heat3d.c" $(pkg-config --cflags --libs PETSc) -lm \
  || fail "building heat3d.c"
BASE=(-ts_adapt_type none -ts_dt 1e-3 -ts_max_steps 30 -dll_append "$LIB")
M() { "$MPIEXEC" -n "$1" --oversubscribe "$WORK/heat3d" "${BASE[@]}" "${@:2}"; }
dist() { python3 "$SRC/tests/support/petsc_vec_distance.py" "$1" "$2" || fail "reading $1"; }
below() { python3 -c "import sys; sys.exit(0 if float('$1') < float('$2') else 1)"; }

echo "--- 1. record on 2 ranks"
M 2 -ts_save_trajectory -ts_trajectory_type leap -leap_out "$WORK/ds" -ts_view_solution "binary:$WORK/ref.bin" \
  >"$WORK/rec.out" || fail "recording heat3d"
FILE=$WORK/ds/petsc_ts/data/train/petsc_ts.hdf5
"$PY" - "$FILE" "$WORK/ref.bin" <<'PY' || fail "the 3-D recording"
import struct, sys
import h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
assert f.attrs["n_spatial_dims"] == 3, dict(f.attrs)
assert [s.decode() if isinstance(s, bytes) else s for s in f["dimensions"].attrs["spatial_dims"]] == ["x", "y", "z"]
for name, n in (("x", 8), ("y", 6), ("z", 5)):
    c = f["dimensions"][name][...]
    assert c.shape == (n,) and np.allclose(c, (np.arange(n) + 0.5) / n), (name, c)
def text(v): return (v.decode() if isinstance(v, bytes) else str(v)).lower()
bc = {text(f["boundary_conditions"][g].attrs["associated_dims"][0]): text(f["boundary_conditions"][g].attrs["bc_type"])
      for g in f["boundary_conditions"]}
assert bc == {"x": "periodic", "y": "periodic", "z": "periodic"}, bc
u, w = f["t0_fields"]["u"][...], f["t0_fields"]["w"][...]
assert u.shape == (1, 31, 8, 6, 5) and w.shape == u.shape, u.shape
b = open(sys.argv[2], "rb").read()
n = struct.unpack(">ii", b[:8])[1]
ref = np.frombuffer(b[8:8 + 8 * n], dtype=">f8").reshape(5, 6, 8, 2)  # PETSc's natural order [z][y][x][dof]
for k, field in enumerate((u, w)):
    last = field[0, -1].astype(np.float64)                          # [x][y][z]
    want = ref[..., k].transpose(2, 1, 0)
    err = np.abs(last - want).max() / np.abs(want).max()
    assert err < 1e-6, (k, err)
assert not np.allclose(u[0, 0], u[0, -1]), "the recording does not change over time"
print("3-D recording: shape", u.shape, "last frame = final state")
PY
"$LEAP" info "$FILE" > "$WORK/info.txt" || fail "leap info on the 3-D recording"
grep -q "3-D" "$WORK/info.txt" && grep -q "8 x 6 x 5" "$WORK/info.txt" || { cat "$WORK/info.txt"; fail "leap info: not a 3-D 8 x 6 x 5 dataset"; }

echo "--- 2. -ts_type leap with the oracle on 1 and 3 ranks"
LEAPTS=(-ts_type leap -leap_inner_ts_type rk -leap_oracle "$FILE" -leap_leap_frames 5 -leap_solver_frames 3)
for n in 1 3; do
  M "$n" "${LEAPTS[@]}" -leap_summary "$WORK/s$n.json" -ts_view_solution "binary:$WORK/h$n.bin" >"$WORK/h$n.out" \
    || fail "heat3d -ts_type leap (oracle) on $n ranks"
  d=$(dist "$WORK/h$n.bin" "$WORK/ref.bin"); echo "oracle hybrid on $n ranks vs solver-only: relative distance $d"
  below "$d" 1e-6 || fail "the oracle hybrid run on $n ranks does not reproduce the solver run ($d)"
  python3 - "$WORK/s$n.json" "$n" <<'PY' || fail "oracle summary on $n ranks"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["emulator"] == "oracle" and s["ranks"] == int(sys.argv[2]) and s["grid"] == [8, 6, 5], s
assert s["fields"] == ["u", "w"] and s["leaps_accepted"] == 3 and s["leaps_rejected"] == 0, s
assert s["steps_emulated"] == 15 and s["steps_solver"] == 15 and s["steps"] == 30, s
PY
done
M 2 -ts_max_steps 25 -ts_view_solution "binary:$WORK/r25.bin" >/dev/null || fail "heat3d, 25 steps"
d=$(dist "$WORK/r25.bin" "$WORK/ref.bin"); echo "5 steps short: relative distance $d"
below 1e-4 "$d" || fail "the state 5 steps earlier is too close to tell a missed leap ($d)"

echo "--- 3. walls in z"
M 3 -open -ts_max_steps 4 -ts_save_trajectory -ts_trajectory_type leap -leap_out "$WORK/open" >/dev/null \
  || fail "recording heat3d -open"
"$PY" - "$WORK/open/petsc_ts/data/train/petsc_ts.hdf5" <<'PY' || fail "the walled recording"
import sys, h5py
f = h5py.File(sys.argv[1], "r")
def text(v): return (v.decode() if isinstance(v, bytes) else str(v)).lower()
bc = {text(f["boundary_conditions"][g].attrs["associated_dims"][0]): text(f["boundary_conditions"][g].attrs["bc_type"])
      for g in f["boundary_conditions"]}
assert bc == {"x": "periodic", "y": "periodic", "z": "open"}, bc
assert f["t0_fields"]["u"].shape == (1, 5, 8, 6, 5)
PY
echo "e2e unmodified heat3d: OK"
