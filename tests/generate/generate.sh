#!/bin/bash
# leap generate end to end: 1 and 2 ranks write identical datasets (1 and 3 in 3-D); `leap info` reads every file;
# an interrupted run started again ends with the same dataset as an uninterrupted one; bad input
# is refused with exit 2 naming the key, before anything is written.
set -uo pipefail
BUILD=$1 SRC=$2
LEAP=${LEAP:-$BUILD/tools/leap/leap}
MPIEXEC=${MPIEXEC:-mpiexec}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
CFG=$SRC/examples/euler2d/generate-small.yaml
# Small: one sweep point per axis value pair, 6 frames.
SMALL=(--set frames=6 --set trajectories.train=2 --set trajectories.valid=1 --set trajectories.test=1
       --set "sweep=[{key: gamma, values: [1.4]}, {key: boundary, values: [periodic, open]}]"
       --set euler2d.nx=32 --set euler2d.ny=32)

"$LEAP" generate --config "$CFG" --out "$WORK/np1" "${SMALL[@]}" --no-progress -q || fail "1-rank generate"
"$MPIEXEC" -n 2 --oversubscribe "$LEAP" generate --config "$CFG" --out "$WORK/np2" "${SMALL[@]}" --no-progress -q \
  || fail "2-rank generate"
n=0
for f in $(cd "$WORK/np1" && find . -name '*.hdf5' | sort); do
  h5diff -q "$WORK/np1/$f" "$WORK/np2/$f" || fail "1 and 2 ranks differ in $f"
  "$LEAP" info "$WORK/np1/$f" | grep -q 'frames: *6' || fail "leap info on $f"
  n=$((n + 1))
done
[[ $n == 6 ]] || fail "expected 6 files, found $n"
for f in config.yaml metrics.json; do [[ -s $WORK/np1/$f ]] || fail "missing $f"; done
# 3-D (case euler3d): 1 and 3 ranks (an uneven 3-D split of 12 x 8 x 6) write identical datasets.
CFG3=$SRC/examples/euler3d/generate-small.yaml
SMALL3=(--set frames=3 --set trajectories.train=1 --set trajectories.valid=0 --set trajectories.test=1
        --set "sweep=[{key: boundary.z, values: [periodic, open]}]" --set euler3d.nx=12 --set euler3d.ny=8
        --set euler3d.nz=6 --set spatial_factor=2)
"$LEAP" generate --config "$CFG3" --out "$WORK/np1_3d" "${SMALL3[@]}" --no-progress -q || fail "1-rank 3-D generate"
"$MPIEXEC" -n 3 --oversubscribe "$LEAP" generate --config "$CFG3" --out "$WORK/np3_3d" "${SMALL3[@]}" --no-progress -q \
  || fail "3-rank 3-D generate"
n=0
for f in $(cd "$WORK/np1_3d" && find . -name '*.hdf5' | sort); do
  h5diff -q "$WORK/np1_3d/$f" "$WORK/np3_3d/$f" || fail "1 and 3 ranks differ in the 3-D $f"
  "$LEAP" info "$WORK/np1_3d/$f" | grep -q '12 x 8 x 6 (x, y, z)' || fail "leap info on the 3-D $f"
  n=$((n + 1))
done
[[ $n == 4 ]] || fail "expected 4 3-D files, found $n"
# The Well's layout: one dataset per dataset_name (the boundary sweep gives two), each with its
# splits under data/ and its own stats.yaml; every file of a dataset carries its name.
for ds in euler_multi_quadrants_periodicBC euler_multi_quadrants_openBC; do
  [[ -s $WORK/np1/$ds/stats.yaml ]] || fail "missing $ds/stats.yaml"
  grep -q 'momentum: \[' "$WORK/np1/$ds/stats.yaml" || fail "$ds/stats.yaml lacks the vector field"
  for split in train valid test; do
    files=("$WORK/np1/$ds/data/$split/"*.hdf5)
    [[ ${#files[@]} == 1 && -f ${files[0]} ]] || fail "$ds/data/$split: expected one file"
    "$LEAP" info "${files[@]}" | grep -q "^dataset: *$ds " || fail "$ds/data/$split: another dataset_name"
  done
done
[[ $(ls "$WORK/np1" | sort | tr '\n' ' ') == "config.yaml euler_multi_quadrants_openBC euler_multi_quadrants_periodicBC metrics.json " ]] \
  || fail "unexpected entries in the collection: $(ls "$WORK/np1")"
grep -q '"trajectories": 8' "$WORK/np1/metrics.json" || fail "metrics.json trajectories"
! find "$WORK/np1" -name '*.partial' | grep -q . || fail "temporary files left behind"

# Interrupt a run at a random point (SIGKILL), start it again: the result equals np1.
( "$LEAP" generate --config "$CFG" --out "$WORK/int" "${SMALL[@]}" --no-progress -q & pid=$!; sleep 4; kill -9 $pid ) 2>/dev/null
wait 2>/dev/null
"$LEAP" generate --config "$CFG" --out "$WORK/int" "${SMALL[@]}" --no-progress -q || fail "resumed generate"
for f in $(cd "$WORK/np1" && find . -name '*.hdf5'); do
  h5diff -q "$WORK/np1/$f" "$WORK/int/$f" || fail "resumed run differs in $f"
done
# A finished dataset is not recomputed.
"$LEAP" generate --config "$CFG" --out "$WORK/int" "${SMALL[@]}" --no-progress -q || fail "rerun"
grep -q '"trajectories_run": 0' "$WORK/int/metrics.json" || fail "a finished dataset was generated again"

# expect_bad PATTERN args...: exit 2, one line naming the key, nothing written.
expect_bad() {
  local pattern=$1; shift
  local out status
  out=$("$LEAP" generate --config "${BAD_CFG:-$CFG}" "$@" --no-progress 2>&1); status=$?
  [[ $status == 2 ]] || fail "exit $status (expected 2) for $*: $out"
  grep -qE -- "$pattern" <<<"$out" || fail "message lacks /$pattern/: $out"
  [[ $(wc -l <<<"$out") == 1 ]] || fail "expected one line: $out"
}
expect_bad "key 'euler2d.boundary': expected one of periodic, open, found 'reflecting'" --out "$WORK/bad1" --set euler2d.boundary=reflecting
[[ ! -e $WORK/bad1 ]] || fail "bad input left an output directory"
expect_bad "key 'euler2d.gamma': expected a value > 1, found '1'" --out "$WORK/bad2" --set euler2d.gamma=1
expect_bad "key 'euler2d.gamma'" --out "$WORK/bad3" --set "sweep=[{key: gamma, values: [1.4, 0.9]}]"
expect_bad "key 'euler2d.grid': expected a grid divisible by spatial_factor = 4, found 66 cells" --out "$WORK/bad4" --set euler2d.nx=66
expect_bad "unknown key 'euler2d.gama'" --out "$WORK/bad5" --set euler2d.gama=1.4
expect_bad "--out '/proc/leap': cannot create" --out /proc/leap
expect_bad "key 'frames': expected a value >= 2" --out "$WORK/bad6" --set frames=1
# Sweep points of one dataset_name must share the grid (one Well dataset, one grid).
expect_bad "key 'sweep': expected sweep points of one dataset \(euler_multi_quadrants_periodicBC\) with one grid" \
  --out "$WORK/bad8" --set "sweep=[{key: nx, values: [32, 64]}]" --set euler2d.boundary=periodic
[[ ! -e $WORK/bad8 ]] || fail "a refused sweep left an output directory"
BAD_CFG=$WORK/none.yaml expect_bad "none.yaml: cannot read the config file" --out "$WORK/bad7"
# Ranks that read different configs (here: two files, as when a path differs between nodes; and
# the same file with another --set on one rank) are refused at setup, naming both ranks, exit 2.
sed 's/^frames: .*/frames: 7/' "$CFG" > "$WORK/other.yaml"
for second in "--config $WORK/other.yaml" "--config $CFG --set frames=7"; do
  out=$("$MPIEXEC" --oversubscribe -n 1 "$LEAP" generate --config "$CFG" --out "$WORK/mixed" --no-progress \
        : -n 1 "$LEAP" generate $second --out "$WORK/mixed" --no-progress 2>&1); status=$?
  [[ $status == 2 ]] || fail "ranks with different configs: exit $status (expected 2): $out"
  grep -q "rank 0 and rank 1 read different contents" <<<"$out" || fail "ranks with different configs: $out"
  [[ ! -e $WORK/mixed ]] || fail "ranks with different configs wrote an output"
done
echo "generate: all checks passed"
