#!/bin/bash
# Whatever The Well's reader reads, `leap` reads, and The Well's directory layout both ways:
#  - `leap info` summarises The Well's own dummy-data file and a file with float64, constant,
#    partly-varying and tensor fields, scalars and per-side boundary masks (tests/support/
#    well_fixtures.py), files and dataset directories alike;
#  - `leap train ae` trains on the dummy dataset, named by the config's data.datasets (relative to
#    the config file), with no stats.yaml (computed, nothing written into the dataset);
#  - a boundary sweep makes a collection of two datasets, which train ae, encode (one latent dataset
#    per input dataset) and evaluate use together.
. "$2/tests/support/e2e_common.sh"
PY=${LEAP_PYTHON:-$SRC/.venv/bin/python3}
"$PY" -c "import the_well.data, h5py" 2>/dev/null || fail "$PY cannot import the_well (pip install the-well)"
"$PY" "$SRC/tests/support/well_fixtures.py" "$WORK/fx" >/dev/null || fail "writing the fixtures"

info=$("$LEAP" info "$WORK/fx/dummy/data/train/dummy.hdf5") || fail "leap info on The Well's dummy file"
echo "$info"
grep -q "^fields: *2 (3 channels)" <<<"$info" || fail "dummy: fields"
grep -q "constant_field .*constant in time (a constant channel)" <<<"$info" || fail "dummy: constant field"
grep -q "time_varying_scalar .*time-varying" <<<"$info" || fail "dummy: time-varying scalar"
grep -q "^boundaries: *x: open, y: open" <<<"$info" || fail "dummy: boundaries as The Well reads its masks"
info=$("$LEAP" info "$WORK/fx/mixed") || fail "leap info on a dataset directory"
echo "$info"
grep -q "density .*float64" <<<"$info" || fail "mixed: float64"
grep -q "bathymetry .*same for every trajectory" <<<"$info" || fail "mixed: sample-invariant field"
grep -q "profile .*varies along: x$" <<<"$info" || fail "mixed: dim_varying"
grep -q "stress  order 2 (tensor)" <<<"$info" || fail "mixed: tensor field"
grep -q "^boundaries: *x: wall/open, y: periodic" <<<"$info" || fail "mixed: per-side boundaries"
grep -q "stats.yaml: none" <<<"$info" || fail "mixed: no stats.yaml"

# The dummy dataset through the config's data.datasets (relative to the config file).
mkdir -p "$WORK/cfg"
sed -e 's/in_channels: 5/in_channels: 3/' -e 's/boundary: \[periodic, periodic\]/boundary: [open, open]/' \
    -e 's/^data: .*/data: {log_fields: [], datasets: [..\/fx\/dummy]}/' "$T/ae-tiny.yaml" > "$WORK/cfg/ae.yaml"
"$LEAP" train ae --config "$WORK/cfg/ae.yaml" --out "$WORK/ae_dummy" --set optim.epochs=2 --set optim.batch=4 "${Q[@]}" \
  || fail "train ae on The Well's dummy dataset"
python3 - "$WORK/ae_dummy/metrics.json" "$WORK/fx/dummy" <<'PY' || fail "train ae on the dummy: metrics"
import json, math, os, sys
m = json.load(open(sys.argv[1]))
assert [os.path.realpath(d) for d in m["datasets"]] == [os.path.realpath(sys.argv[2])], m["datasets"]
assert math.isfinite(m["best_validation_loss"]) and m["best_validation_loss"] < m["initial_validation_loss"], m
PY
[[ ! -e $WORK/fx/dummy/stats.yaml ]] || fail "training wrote into the user's dataset"
"$LEAP" train ae --config "$WORK/cfg/ae.yaml" --out "$WORK/ae_none" --set data.datasets=[] "${Q[@]}" 2>"$WORK/err"
[[ $? == 2 ]] && grep -q "data.datasets" "$WORK/err" || fail "no --data and no data.datasets: $(cat "$WORK/err")"

# A collection of two datasets (periodic and open boundaries), used together.
"$LEAP" generate --config "$SRC/examples/euler2d/generate-small.yaml" --out "$WORK/sweep" "${Q[@]}" \
  --set frames=6 --set trajectories.train=2 --set trajectories.valid=1 --set trajectories.test=1 \
  --set "sweep=[{key: boundary, values: [periodic, open]}]" --set euler2d.nx=32 --set euler2d.ny=32 \
  || fail "generate with a boundary sweep"
"$LEAP" train ae --config "$T/ae-tiny.yaml" --data "$WORK/sweep" --out "$WORK/ae" --set optim.epochs=1 "${Q[@]}" \
  || fail "train ae on a collection"
[[ $(json "$WORK/ae/metrics.json" '["datasets"].__len__()') == 2 ]] || fail "train ae: not both datasets"
"$LEAP" encode --checkpoint "$WORK/ae/best.ckpt" --data "$WORK/sweep/euler_multi_quadrants_openBC" \
  "$WORK/sweep/euler_multi_quadrants_periodicBC" --out "$WORK/lat" "${Q[@]}" || fail "encode two datasets"
for ds in euler_multi_quadrants_openBC_latent euler_multi_quadrants_periodicBC_latent; do
  [[ -s $WORK/lat/$ds/stats.yaml ]] || fail "encode: no $ds/stats.yaml"
  for s in train valid test; do ls "$WORK/lat/$ds/data/$s/"*.hdf5 >/dev/null 2>&1 || fail "encode: no $ds/data/$s"; done
done
"$LEAP" evaluate --ae "$WORK/ae/best.ckpt" --data "$WORK/sweep" --out "$WORK/ev" --set members=1 "${Q[@]}" \
  || fail "evaluate a collection"
[[ $(json "$WORK/ev/metrics.json" '["trajectories"]') == 2 ]] || fail "evaluate: expected both test trajectories"
echo "well_schema: all checks passed"
