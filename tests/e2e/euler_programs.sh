#!/bin/bash
# leap-euler2d and leap-euler3d (one driver, examples/euler/euler_program.h): a periodic case on 2
# ranks prints its totals at the start and the end, mass and energy equal to round-off (the solver
# conserves them); bad input (a config value, a negative -leap_t_end, a missing file) exits 2 with
# one line naming it.
. "$2/tests/support/e2e_common.sh"
E2=$BUILD/examples/euler2d/leap-euler2d E3=$BUILD/examples/euler3d/leap-euler3d
check() {  # check LOG: mass and energy at the end equal those at the start
  python3 - "$1" <<'PY' || fail "totals in $1"
import re, sys
t = {}
for line in open(sys.argv[1]):
    m = re.match(r"(start|end)\s+t = .*mass = (\S+) .*energy = (\S+)", line)
    if m: t[m.group(1)] = (float(m.group(2)), float(m.group(3)))
assert set(t) == {"start", "end"}, t
for a, b in zip(t["start"], t["end"]): assert abs(a - b) <= 1e-12 * abs(a), t
PY
}
"$MPIEXEC" -n 2 --oversubscribe "$E2" -leap_config "$SRC/examples/euler2d/quadrants-small.yaml" -da_grid_x 32 \
  -da_grid_y 32 -leap_t_end 0.02 > "$WORK/2d.log" || fail "leap-euler2d"
grep -q "32 x 32 cells" "$WORK/2d.log" && grep -q "momentum = ([^,]*, [^,]*)" "$WORK/2d.log" || fail "2-D output: $(cat "$WORK/2d.log")"
check "$WORK/2d.log"
"$MPIEXEC" -n 2 --oversubscribe "$E3" -leap_config "$SRC/examples/euler3d/octants-small.yaml" -da_grid_x 8 \
  -da_grid_y 8 -da_grid_z 8 -leap_t_end 0.02 > "$WORK/3d.log" || fail "leap-euler3d"
grep -q "8 x 8 x 8 cells" "$WORK/3d.log" && grep -q "momentum = ([^,]*, [^,]*, [^,]*)" "$WORK/3d.log" || fail "3-D output: $(cat "$WORK/3d.log")"
check "$WORK/3d.log"
printf 'nx: -3\n' > "$WORK/bad.yaml"
for args in "$E3 -leap_config $WORK/bad.yaml" "$E2 -leap_t_end -1" "$E2 -leap_config $WORK/none.yaml"; do
  out=$($args 2>&1); status=$?
  [[ $status == 2 && $(wc -l <<<"$out") == 1 ]] || fail "$args: exit $status: $out"
done
echo "e2e euler programs: OK"
