#!/bin/bash
# Conserved totals in the TS type "leap" (-leap_conserve, -leap_conserve_scaled), in a PETSc program
# that knows nothing of LEAP (periodic_diffusion.c: u and w diffusing on a doubly periodic DMDA, whose
# totals the program conserves exactly and prints at the start and the end).
# 1. A run of amplitude 1 is recorded; a run of amplitude 1.1 then leaps with that recording as its
#    emulator (the oracle, with a loose match tolerance), so every leap lands on a state whose
#    totals are those of the amplitude-1 run: 1/1.1 of its own.
# 2. Without conservation the totals at the end are off by several per cent; with -leap_conserve 1
#    (w, shifted) and -leap_conserve_scaled 0 (u, scaled) on 2 ranks they equal the starting totals
#    to round-off, u stays positive, and the summary reports the correction each leap needed
#    (1 - 1/1.1 = 0.0909). With the exact oracle the correction is float round-off.
#    The same holds with zero-flux walls (-open), where the totals are invariants too, and with both
#    ranks running the emulator (-leap_emulator_ranks 0,1), which gives the identical state.
# 3. Misuse (a dof out of range, a dof named twice) ends in a "LEAP:" error.
. "$2/tests/support/e2e_common.sh"
LIB=$BUILD/solver_adapters/petsc/libleap_petsc.so
mpicc -O2 -o "$WORK/pd" "$2/tests/unmodified/periodic_diffusion.c" $(pkg-config --cflags --libs PETSc) -lm \
  || fail "building periodic_diffusion.c"
M2=("$MPIEXEC" -n 2 --oversubscribe)
BASE=(-ts_adapt_type none -ts_dt 1e-3 -dll_append "$LIB")
# totals FILE WHEN: "u w" of the line "totals WHEN: u U w W"
totals() { awk -v w="$2:" '$1 == "totals" && $2 == w {print $4, $6}' "$1"; }
# rel A B: |A - B| / |B|
rel() { python3 -c "print('%.3e' % (abs($1 - $2) / abs($2)))"; }
below() { python3 -c "import sys; sys.exit(0 if float('$1') < float('$2') else 1)"; }

echo "--- record amplitude 1"
"$WORK/pd" "${BASE[@]}" -ts_max_steps 40 -ts_save_trajectory -ts_trajectory_type leap -leap_out "$WORK/ds" \
  >"$WORK/rec.out" || fail "recording"
ORACLE=(-ts_type leap -leap_inner_ts_type rk -leap_oracle "$WORK/ds/petsc_ts/data/train/petsc_ts.hdf5" -leap_oracle_tolerance 0.5
        -leap_leap_frames 5 -leap_solver_frames 3 -ts_max_steps 30)

echo "--- amplitude 1.1, leaps onto the amplitude-1 trajectory, no conservation"
"$WORK/pd" "${BASE[@]}" -amplitude 1.1 "${ORACLE[@]}" -leap_summary "$WORK/s0.json" >"$WORK/a.out" || fail "run a"
read -r u0 w0 < <(totals "$WORK/a.out" start)
read -r u1 w1 < <(totals "$WORK/a.out" end)
du=$(rel "$u1" "$u0"); dw=$(rel "$w1" "$w0")
echo "totals drift without conservation: u $du, w $dw"
below 0.05 "$du" && below 0.05 "$dw" || fail "the leaps should have changed the totals (u $du, w $dw)"
python3 -c "import json,sys; s=json.load(open(sys.argv[1])); assert s['leaps_accepted'] >= 2 and s['conserved'] == [], s" \
  "$WORK/s0.json" || fail "summary without conservation: $(cat "$WORK/s0.json")"

echo "--- the same with -leap_conserve 1 -leap_conserve_scaled 0 (2 ranks)"
"${M2[@]}" "$WORK/pd" "${BASE[@]}" -amplitude 1.1 "${ORACLE[@]}" -leap_conserve 1 -leap_conserve_scaled 0 \
  -leap_summary "$WORK/s1.json" -ts_view -ts_view_solution "binary:$WORK/b.bin" >"$WORK/b.out" || fail "run b"
read -r u0 w0 < <(totals "$WORK/b.out" start)
read -r u1 w1 < <(totals "$WORK/b.out" end)
du=$(rel "$u1" "$u0"); dw=$(rel "$w1" "$w0")
echo "totals drift with conservation: u $du, w $dw"
below "$du" 1e-12 && below "$dw" 1e-12 || fail "conserved totals drifted (u $du, w $dw)"
grep -q "LEAP keeps the total of dof 0 (u) by scaling" "$WORK/b.out" || fail "-ts_view lacks the conservation line"
python3 - "$WORK/s1.json" "$WORK/b.bin" <<'PY' || fail "summary or state with conservation: $(cat "$WORK/s1.json")"
import json, struct, sys
s = json.load(open(sys.argv[1]))
assert s["leaps_accepted"] >= 2 and s["ranks"] == 2, s
c = {e["field"]: e for e in s["conserved"]}
assert c["u"]["dof"] == 0 and c["u"]["correction"] == "scale", c
assert c["w"]["dof"] == 1 and c["w"]["correction"] == "shift", c
for f in "uw":
    assert abs(c[f]["max_relative_change"] - (1 - 1 / 1.1)) < 0.01, c   # the oracle's totals are 1/1.1 of ours
b = open(sys.argv[2], "rb").read()
cid, n = struct.unpack(">ii", b[:8])
x = struct.unpack(">%dd" % n, b[8:8 + 8 * n])
assert min(x[0::2]) > 0, "u lost positivity"
print("corrections put back: u %.4f, w %.4f" % (c["u"]["max_relative_change"], c["w"]["max_relative_change"]))
PY

echo "--- the same with both ranks running the emulator (-leap_emulator_ranks 0,1, 3 members split 2 + 1)"
"${M2[@]}" "$WORK/pd" "${BASE[@]}" -amplitude 1.1 "${ORACLE[@]}" -leap_conserve 1 -leap_conserve_scaled 0 \
  -leap_emulator_ranks 0,1 -leap_members 3 -leap_summary "$WORK/s4.json" -ts_view_solution "binary:$WORK/b2.bin" \
  >/dev/null || fail "run with two emulator ranks"
[[ $(json "$WORK/s4.json" "['emulator_ranks']") == 2 ]] || fail "summary: $(cat "$WORK/s4.json")"
cmp -s "$WORK/b.bin" "$WORK/b2.bin" || fail "two emulator ranks changed the result"

echo "--- closed walls (-open: zero-flux boundaries, the totals are still invariants)"
"$WORK/pd" "${BASE[@]}" -open -amplitude 1.1 "${ORACLE[@]}" -leap_conserve 1 -leap_conserve_scaled 0 \
  -leap_summary "$WORK/s3.json" >"$WORK/c.out" || fail "run with walls"
read -r u0 w0 < <(totals "$WORK/c.out" start)
read -r u1 w1 < <(totals "$WORK/c.out" end)
du=$(rel "$u1" "$u0"); dw=$(rel "$w1" "$w0")
echo "totals drift with walls and conservation: u $du, w $dw"
below "$du" 1e-12 && below "$dw" 1e-12 || fail "conserved totals drifted with walls (u $du, w $dw)"
[[ $(json "$WORK/s3.json" "['leaps_accepted']") -ge 2 ]] || fail "no leaps with walls"

echo "--- the exact oracle: the correction is round-off"
"$WORK/pd" "${BASE[@]}" "${ORACLE[@]}" -leap_conserve 0,1 -leap_summary "$WORK/s2.json" >/dev/null || fail "run c"
python3 -c "
import json,sys; s=json.load(open(sys.argv[1]))
assert s['leaps_accepted'] >= 2 and all(e['max_relative_change'] < 1e-5 for e in s['conserved']), s" "$WORK/s2.json" \
  || fail "exact oracle: $(cat "$WORK/s2.json")"

echo "--- misuse"
expect_petsc_error "LEAP: -leap_conserve: expected dof indices from 0 to 1 (the DMDA has 2 dofs), found 2" \
  "$WORK/pd" "${BASE[@]}" "${ORACLE[@]}" -leap_conserve 2
expect_petsc_error "LEAP: -leap_emulator_ranks: expected distinct ranks from 0 to 0, 0 among them" \
  "$WORK/pd" "${BASE[@]}" "${ORACLE[@]}" -leap_emulator_ranks 1
expect_petsc_error "LEAP: -leap_conserve_scaled: dof 0 (u) is named twice" \
  "$WORK/pd" "${BASE[@]}" "${ORACLE[@]}" -leap_conserve 0 -leap_conserve_scaled 0
echo "conservation in the leap TS: all checks passed"
