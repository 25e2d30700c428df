#!/bin/bash
# LEAP inside PETSc programs it did not write: PETSc's own tutorials, as Debian ships them
# (libpetsc3.18-dev-examples), built unmodified and run with -dll_append libleap_petsc.so.
#   ex26.c  transient driven cavity, 4 dofs on a 2-D DMDA, an IFunction (DMDATSSetIFunctionLocal)
#   ex13.c  heat equation, 1 dof on a 2-D DMDA, an RHSFunction and an RHS Jacobian matrix
#   ex16.c  van der Pol, no DM;  ex22.c  advection-reaction on a 1-D DMDA   (misuse)
# 1. ex26 on 2 ranks records a dataset with the "leap" TSTrajectory at a fixed step; `leap info`
#    reads it, `leap train ae` / `leap encode` / `leap train emulator` train on it.
# 2. Exactness: ex26 with -ts_type leap and the recorded trajectory as the emulator (the oracle)
#    ends where the solver-only run ends (float32 round-off), with leaps accepted; a run 5 steps
#    short of it is far off (the check can fail). The wrapper without leaps is bitwise the
#    program's own integrator. The same for ex13 (another way of setting up a TS).
# 3. Hybrid: ex26 with the trained model on 2 ranks completes with leaps accepted and a finite
#    state; with a spread limit no leap passes, and the run is again bitwise the solver's.
# 4. Misuse ends in a PETSc error with a "LEAP:" message, exit status < 128, never a crash.
. "$2/tests/support/e2e_common.sh"
START=$SECONDS
LIB=$BUILD/solver_adapters/petsc/libleap_petsc.so
TUT=$(ls -d {${LEAP_DEPS_PREFIX:-/nonexistent},}/usr/share/petsc/*/share/petsc/examples/src/ts/tutorials 2>/dev/null | head -1)
[[ -f $TUT/ex26.c ]] || fail "PETSc tutorials not found (package libpetsc3.18-dev-examples)"
for ex in ex26 ex13 ex16 ex22; do
  mpicc -O2 -o "$WORK/$ex" "$TUT/$ex.c" $(pkg-config --cflags --libs PETSc) -lm || fail "building $ex"
done
M2=("$MPIEXEC" -n 2 --oversubscribe)
step() { echo "--- [$((SECONDS - START)) s] $*"; }
# dist A.bin B.bin: relative L2 distance of two PETSc binary Vecs (-ts_view_solution binary:F).
dist() { python3 "$SRC/tests/support/petsc_vec_distance.py" "$1" "$2" || fail "reading $1"; }
# below X Y: X < Y
below() { python3 -c "import sys; sys.exit(0 if float('$1') < float('$2') else 1)"; }

# ---- 1. record, inspect, train
step "record ex26 (2 ranks, fixed step)"
FIX=(-da_grid_x 20 -da_grid_y 20 -lidvelocity 100 -grashof 1e3 -ts_rosw_type ra3pw -ts_adapt_type none
     -ts_dt 0.005 -dll_append "$LIB")
"${M2[@]}" "$WORK/ex26" "${FIX[@]}" -ts_type rosw -ts_max_steps 40 -ts_save_trajectory -ts_trajectory_type leap \
  -leap_out "$WORK/ds" -ts_view_solution "binary:$WORK/ref.bin" >"$WORK/ref.out" || fail "ex26 with the leap trajectory (2 ranks)"
"$WORK/ex26" "${FIX[@]}" -ts_type rosw -ts_max_steps 12 -ts_save_trajectory -ts_trajectory_type leap -leap_out "$WORK/ds" \
  -leap_split valid >/dev/null || fail "ex26 with the leap trajectory (1 rank)"
info=$("$LEAP" info "$WORK/ds/petsc_ts/data/train/petsc_ts.hdf5") || fail "leap info"
echo "$info"
grep -q 'frames: *41 ' <<<"$info" || fail "expected 41 frames (initial state + 40 steps)"
grep -q 'grid: *20 x 20' <<<"$info" || fail "grid"
for f in x-velocity y-velocity Omega temperature; do grep -q "^  $f  order 0" <<<"$info" || fail "field $f"; done
"$LEAP" info "$WORK/ds/petsc_ts/data/valid/petsc_ts.hdf5" | grep -q 'frames: *13 ' || fail "valid split"
[[ -s $WORK/ds/petsc_ts/stats.yaml ]] || fail "stats.yaml"
# A recording of another grid into the same dataset is refused before a step is recorded.
expect_petsc_error "is of another layout" "$WORK/ex26" "${FIX[@]}" -da_grid_x 24 -da_grid_y 24 -ts_type rosw \
  -ts_max_steps 2 -ts_save_trajectory -ts_trajectory_type leap -leap_out "$WORK/ds" -leap_split test
[[ ! -e $WORK/ds/petsc_ts/data/test/petsc_ts.hdf5 ]] || fail "the refused recording left a file"

step "train ae, encode, train emulator on the recording"
"$LEAP" train ae --config "$T/ae-tiny.yaml" --data "$WORK/ds" --out "$WORK/ae" "${Q[@]}" --set model.in_channels=4 \
  --set "model.boundary=[open, open]" --set "data.log_fields=[]" --set optim.epochs=40 --set optim.batch=4 \
  || fail "leap train ae on the recorded dataset"
"$LEAP" encode --checkpoint "$WORK/ae/best.ckpt" --data "$WORK/ds" --out "$WORK/lat" "${Q[@]}" || fail "leap encode"
"$LEAP" train emulator --config "$T/emulator-tiny.yaml" --data "$WORK/lat" --out "$WORK/emu" "${Q[@]}" \
  --set optim.epochs=10 --set model.param_features=2 || fail "leap train emulator on the encoded recording"
[[ -s $WORK/ae/best.ckpt && -s $WORK/emu/best.ckpt ]] || fail "no checkpoints"

# ---- 2. exactness with the oracle
step "ex26 -ts_type leap with the oracle (2 ranks)"
LEAPTS=(-ts_type leap -leap_inner_ts_type rosw -ts_max_steps 40)
ORACLE=(-leap_oracle "$WORK/ds/petsc_ts/data/train/petsc_ts.hdf5")
"${M2[@]}" "$WORK/ex26" "${FIX[@]}" "${LEAPTS[@]}" "${ORACLE[@]}" -leap_leap_frames 5 -leap_solver_frames 3 \
  -leap_summary "$WORK/a.json" -ts_view_solution "binary:$WORK/a.bin" \
  -ts_save_trajectory -ts_trajectory_type leap -leap_out "$WORK/hyb" >"$WORK/a.out" || fail "ex26 -ts_type leap (oracle)"
diff <(grep CONVERGED "$WORK/ref.out") <(grep CONVERGED "$WORK/a.out") || fail "final time or step count differ"
d=$(dist "$WORK/a.bin" "$WORK/ref.bin"); echo "oracle hybrid vs solver-only: relative distance $d"
below "$d" 1e-5 || fail "the oracle hybrid run does not reproduce the solver run ($d)"
python3 - "$WORK/a.json" <<'PY' || fail "oracle summary"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["emulator"] == "oracle" and s["inner_ts_type"] == "rosw" and s["ranks"] == 2, s
assert s["fields"] == ["x-velocity", "y-velocity", "Omega", "temperature"] and s["grid"] == [20, 20], s
# leaps at steps 3, 11, 19, 27 and 35 (3 solver steps before each, 5 frames each)
assert s["leaps_accepted"] == 5 and s["leaps_rejected"] == 0, s
assert s["steps_emulated"] == 25 and s["steps_solver"] == 15 and s["steps"] == 40, s
assert abs(s["time"] - 0.2) < 1e-12 and abs(s["frame_dt"] - 0.005) < 1e-15, s
PY
# The trajectory recorded during the hybrid run holds the initial state, 15 solver steps, 5 leaps.
"$LEAP" info "$WORK/hyb/petsc_ts/data/train/petsc_ts.hdf5" | grep -q 'frames: *21 ' || fail "the hybrid run's recording"
"${M2[@]}" "$WORK/ex26" "${FIX[@]}" -ts_type rosw -ts_max_steps 35 -ts_view_solution "binary:$WORK/r35.bin" >/dev/null \
  || fail "ex26, 35 steps"
d=$(dist "$WORK/r35.bin" "$WORK/ref.bin"); echo "5 steps short: relative distance $d"
below 1e-3 "$d" || fail "the state 5 steps earlier is too close to tell a missed leap ($d)"
"${M2[@]}" "$WORK/ex26" "${FIX[@]}" "${LEAPTS[@]}" "${ORACLE[@]}" -leap_leap_frames 100 \
  -ts_view_solution "binary:$WORK/w.bin" >/dev/null || fail "ex26 -ts_type leap without leaps"
d=$(dist "$WORK/w.bin" "$WORK/ref.bin"); echo "wrapper without leaps: relative distance $d"
[[ $d == 0.000e+00 ]] || fail "the inner TS is not the program's integrator ($d)"

step "ex26 -ts_type leap in check mode (2 ranks): the inner TS checks every leap"
# Passing checks (the oracle is exact to float32): every leap is checked and accepted, and the leap
# length grows 2 -> 4 -> 8 (doubling, as the one leap policy adapts it), within -leap_max_leap_frames.
"${M2[@]}" "$WORK/ex26" "${FIX[@]}" "${LEAPTS[@]}" "${ORACLE[@]}" -leap_leap_frames 2 -leap_solver_frames 3 \
  -leap_check_every 1 -leap_check_tolerance 1e-3 -leap_max_leap_frames 8 -leap_summary "$WORK/k1.json" \
  -ts_view_solution "binary:$WORK/k1.bin" >"$WORK/k1.out" || fail "ex26 check mode (passing)"
diff <(grep CONVERGED "$WORK/ref.out") <(grep CONVERGED "$WORK/k1.out") || fail "check mode: final time or step count"
d=$(dist "$WORK/k1.bin" "$WORK/ref.bin"); echo "checked oracle leaps vs solver-only: relative distance $d"
below "$d" 1e-5 || fail "checked oracle leaps ($d)"
python3 - "$WORK/k1.json" <<'PY' || fail "check-mode summary (passing)"
import json, sys
s = json.load(open(sys.argv[1]))
p = s["policy"]
recs = p["records"]
assert all(r["verdict"] == "accepted" and r["check"]["passed"] and r["check"]["vrmse"] < 1e-3 for r in recs), recs
assert [r["frames"] for r in recs][:3] == [2, 4, 8], recs
assert [r["next_frames"] for r in recs][:2] == [4, 8] and all(r["next_frames"] <= 8 for r in recs), recs
assert p["settings"]["check_every"] == 1 and p["verdicts"]["accepted"] == s["leaps_accepted"] == len(recs), s
assert s["steps_solver"] + s["steps_emulated"] == 40, s
print("passing checks:", [(r["frame"], r["frames"], "%.1e" % r["check"]["vrmse"]) for r in recs])
PY

step "ex13 (RHSFunction + RHS Jacobian matrix), oracle"
F13=(-da_grid_x 16 -da_grid_y 16 -ts_adapt_type none -ts_dt 0.01 -dll_append "$LIB")
"$WORK/ex13" "${F13[@]}" -ts_max_steps 30 -ts_save_trajectory -ts_trajectory_type leap -leap_out "$WORK/d13" \
  -ts_view_solution "binary:$WORK/r13.bin" >/dev/null || fail "ex13 with the leap trajectory"
"$WORK/ex13" "${F13[@]}" -ts_max_steps 30 -ts_type leap -leap_inner_ts_type beuler \
  -leap_oracle "$WORK/d13/petsc_ts/data/train/petsc_ts.hdf5" -leap_leap_frames 4 -leap_solver_frames 2 -leap_summary "$WORK/s13.json" \
  -ts_view_solution "binary:$WORK/a13.bin" >/dev/null || fail "ex13 -ts_type leap (oracle)"
"$WORK/ex13" "${F13[@]}" -ts_max_steps 26 -ts_view_solution "binary:$WORK/c13.bin" >/dev/null || fail "ex13, 26 steps"
d=$(dist "$WORK/a13.bin" "$WORK/r13.bin"); c=$(dist "$WORK/c13.bin" "$WORK/r13.bin")
echo "ex13 oracle hybrid vs solver-only: $d (4 steps short: $c)"
below "$d" 1e-5 && below 1e-3 "$c" || fail "ex13 oracle hybrid ($d, control $c)"
[[ $(json "$WORK/s13.json" "['leaps_accepted']") == 5 && $(json "$WORK/s13.json" "['steps_emulated']") == 20 ]] \
  || fail "ex13 summary: $(cat "$WORK/s13.json")"

# ---- 3. hybrid with the trained model
step "ex26 -ts_type leap with the trained model (2 ranks)"
MODEL=(-leap_ae "$WORK/ae/best.ckpt" -leap_emulator "$WORK/emu/best.ckpt" -leap_leap_frames 4 -leap_solver_frames 4)
"${M2[@]}" "$WORK/ex26" "${FIX[@]}" "${LEAPTS[@]}" "${MODEL[@]}" -leap_summary "$WORK/b.json" \
  -ts_view_solution "binary:$WORK/b.bin" -ts_view -log_view >"$WORK/b.out" || fail "ex26 -ts_type leap (model): $(tail -20 "$WORK/b.out")"
diff <(grep CONVERGED "$WORK/ref.out") <(grep CONVERGED "$WORK/b.out") || fail "model run: final time or step count"
d=$(dist "$WORK/b.bin" "$WORK/ref.bin"); echo "model hybrid vs solver-only: relative distance $d (a tiny model)"
below 0 "$d" || fail "the model's leaps changed nothing"
python3 - "$WORK/b.json" <<'PY' || fail "model summary"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["emulator"] == "latent diffusion" and s["context"] == 2, s
# leaps at steps 4, 12, 20, 28, 36: 4 solver steps after each (2 of them refill the context)
assert s["leaps_accepted"] == 5 and s["steps_emulated"] == 20 and s["steps_solver"] == 20, s
assert s["seconds"]["emulate"] > 0 and s["seconds"]["inner_steps"] > 0, s
print("model summary:", {k: s[k] for k in ("leaps_accepted", "leaps_rejected", "steps_solver", "steps_emulated")},
      s["seconds"])
PY
grep -q "LEAP steps: 20 by the solver, 20 emulated; leaps: 5 accepted, 0 rejected" "$WORK/b.out" || fail "-ts_view"
grep -q "Rosenbrock-W ra3pw" "$WORK/b.out" || fail "-ts_view: the inner TS did not take -ts_rosw_type"
for e in LeapGather LeapEmulate LeapScatter LeapCheck LeapInnerStep; do
  grep -Eq "^$e +[0-9]+ " "$WORK/b.out" || fail "-log_view: no $e"
done

step "ex26 -ts_type leap with the trained model in check mode (2 ranks): every check fails"
# The tiny model is far from the solver: every checked leap is rejected, the inner TS's own steps
# stand, the leaps shrink 4 -> 2 -> 1 (-leap_min_leap_frames), and the run ends on the program's own
# solution.
"${M2[@]}" "$WORK/ex26" "${FIX[@]}" "${LEAPTS[@]}" "${MODEL[@]}" -leap_check_every 1 -leap_check_tolerance 1e-3 \
  -leap_summary "$WORK/k2.json" -ts_view_solution "binary:$WORK/k2.bin" -ts_view >"$WORK/k2.out" \
  || fail "ex26 check mode (failing)"
diff <(grep CONVERGED "$WORK/ref.out") <(grep CONVERGED "$WORK/k2.out") || fail "failed checks: final time or step count"
d=$(dist "$WORK/k2.bin" "$WORK/ref.bin"); echo "failed checks vs solver-only: relative distance $d"
# Bitwise: the check's inner steps, from the saved state, are the program's own steps.
[[ $d == 0.000e+00 ]] || fail "failed checks did not keep the solver's own state ($d)"
grep -q "LEAP check mode: every 1 leap(s), tolerance 0.001; [0-9]* checked, 0 passed; leap length now 1" "$WORK/k2.out" \
  || fail "-ts_view: check mode line"
python3 - "$WORK/k2.json" <<'PY' || fail "check-mode summary (failing)"
import json, sys
s = json.load(open(sys.argv[1]))
recs = s["policy"]["records"]
assert recs and all(r["verdict"] == "check" and not r["check"]["passed"] and r["check"]["vrmse"] > 1e-3 for r in recs), recs
assert [r["frames"] for r in recs][:3] == [4, 2, 1], recs
assert s["leaps_accepted"] == 0 and s["steps_emulated"] == 0 and s["steps_solver"] == 40, s
assert all("check: VRMSE" in r for r in s["rejections"]), s["rejections"]
print("failing checks:", [(r["frame"], r["frames"], "%.2f" % r["check"]["vrmse"]) for r in recs])
PY

step "every leap rejected by the spread limit (2 ranks)"
"${M2[@]}" "$WORK/ex26" "${FIX[@]}" "${LEAPTS[@]}" "${MODEL[@]}" -leap_members 2 -leap_max_spread 1e-9 \
  -leap_summary "$WORK/c.json" -ts_view_solution "binary:$WORK/c.bin" >/dev/null || fail "ex26, rejected leaps"
d=$(dist "$WORK/c.bin" "$WORK/ref.bin")
[[ $d == 0.000e+00 ]] || fail "rejected leaps changed the state ($d)"
python3 - "$WORK/c.json" <<'PY' || fail "rejection summary"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["leaps_accepted"] == 0 and s["leaps_rejected"] == 9 and s["steps_solver"] == 40, s
assert all("is above max_spread" in r for r in s["rejections"]), s["rejections"]
assert s["rejections"][0].startswith("step 4: "), s["rejections"]
PY

# ---- 4. misuse
step "misuse"
S8=(-da_grid_x 8 -da_grid_y 8 -ts_max_steps 2 -dll_append "$LIB")
expect_petsc_error "needs -leap_out DIR" "$WORK/ex26" "${S8[@]}" -ts_save_trajectory -ts_trajectory_type leap
expect_petsc_error "leap_split: expected train, valid or test, found bogus" "$WORK/ex26" "${S8[@]}" -ts_save_trajectory \
  -ts_trajectory_type leap -leap_out "$WORK/x" -leap_split bogus
expect_petsc_error "LEAP: -ts_type leap needs an emulator: -leap_ae AE.ckpt -leap_emulator EMU.ckpt" "$WORK/ex26" "${S8[@]}" -ts_type leap
expect_petsc_error "LEAP: -leap_ae and -leap_emulator go together" "$WORK/ex26" "${S8[@]}" -ts_type leap -leap_ae "$WORK/ae/best.ckpt"
expect_petsc_error "LEAP: rank 0: -leap_emulator $WORK/nothere.ckpt: no such file" "${M2[@]}" "$WORK/ex26" "${S8[@]}" -ts_type leap \
  -leap_ae "$WORK/ae/best.ckpt" -leap_emulator "$WORK/nothere.ckpt"
expect_petsc_error "LEAP: -leap_oracle $WORK/nothere.hdf5: no such file" "$WORK/ex26" "${S8[@]}" -ts_type leap \
  -leap_oracle "$WORK/nothere.hdf5"
expect_petsc_error "LEAP: -leap_guidance coarse with -ts_type leap coarsens the program's DMDA by DMCoarsen: expected every axis periodic, found the x axis NONE" \
  "$WORK/ex26" "${S8[@]}" -ts_type leap "${ORACLE[@]}" -leap_guidance coarse
expect_petsc_error "the adaptor must be none (-ts_adapt_type none), not basic" "$WORK/ex26" "${S8[@]}" -ts_type leap "${ORACLE[@]}" \
  -ts_adapt_type basic
expect_petsc_error "LEAP: -leap_inner_ts_type names the program's own integrator" "$WORK/ex26" "${S8[@]}" -ts_type leap \
  "${ORACLE[@]}" -leap_inner_ts_type leap
expect_petsc_error "LEAP: the emulator works on 4 channels (x-velocity, y-velocity, Omega, temperature), the DMDA has 1 dof (dof_0)" \
  "$WORK/ex13" -dll_append "$LIB" -ts_type leap -leap_ae "$WORK/ae/best.ckpt" -leap_emulator "$WORK/emu/best.ckpt"
expect_petsc_error "LEAP: -ts_type leap needs a TS on a 2-D or 3-D DMDA (TSSetDM); this TS's DM is of type shell" \
  "$WORK/ex16" -dll_append "$LIB" -ts_type leap "${ORACLE[@]}"
expect_petsc_error "LEAP: the solver's DM is not a DMDA" "$WORK/ex16" -dll_append "$LIB" -ts_save_trajectory \
  -ts_trajectory_type leap -leap_out "$WORK/x16"
expect_petsc_error "LEAP: -ts_type leap needs a 2-D or 3-D DMDA; this TS's DMDA is 1-D" "${M2[@]}" "$WORK/ex22" -dll_append "$LIB" \
  -ts_type leap "${ORACLE[@]}"
expect_petsc_error "LEAP: the DMDA is 1-D; LEAP supports 2-D and 3-D DMDAs" "$WORK/ex22" -dll_append "$LIB" -ts_save_trajectory \
  -ts_trajectory_type leap -leap_out "$WORK/x22"
[[ ! -e $WORK/x16 && ! -e $WORK/x22 ]] || fail "a refused recording left a dataset"
step "done"
echo "unmodified PETSc programs: all checks passed"
