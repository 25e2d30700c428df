#!/bin/bash
# `leap reproduce --size tiny` for both cases: every stage runs (generate on 2 ranks, a pixel-space and,
# at three compression rates, an autoencoder, an encoding, a diffusion and a deterministic latent
# emulator, an evaluation), the report, table, metrics.json and figures are written, and the verdicts
# agree with the documented thresholds recomputed here from the table. Run again, every stage is
# skipped; a changed stage reruns with exactly the stages downstream of it; an unfinished training
# resumes from its last.ckpt; removed outputs are made again where a stage needs them; a directory of
# another size and bad arguments are refused (exit 2).
. "$2/tests/support/e2e_common.sh"

run() {  # run CASE OUT LOG
  "$LEAP" reproduce --case "$1" --size tiny --out "$2" --no-progress > "$3" 2>&1 || { cat "$3"; fail "leap reproduce --case $1"; }
}
run euler2d "$WORK/e" "$WORK/e1.log"
run rayleigh_benard "$WORK/r" "$WORK/r1.log"

for d in e r; do
  for f in report.md table.csv metrics.json stages.json vrmse_vs_lead.png vrmse_vs_compression.png spread_skill.png \
           configs/ae.yaml data ae_c1/best.ckpt diffusion_c4/best.ckpt latent_det_c16/best.ckpt pixel_det/best.ckpt \
           evaluate_c1/metrics.json; do
    [[ -e $WORK/$d/$f ]] || fail "reproduce $d: missing $f"
  done
  head -c 8 "$WORK/$d/vrmse_vs_lead.png" | od -An -tx1 | grep -q "89 50 4e 47 0d 0a 1a 0a" || fail "$d: not a PNG"
done
[[ $(grep -c "^- Finding [123] " "$WORK/e/report.md") == 6 ]] || fail "euler: three verdicts on LEAP's table and three on the paper's"

# The verdicts recomputed from the table with the thresholds of paper_findings.h; the table equals
# the evaluations it was taken from; the compression rates follow from the grid and the channels.
python3 - "$WORK/e" "$WORK/r" <<'PY' || fail "reproduce metrics"
import csv, json, math, os, sys
for out, rates in ((sys.argv[1], [5, 20, 80]), (sys.argv[2], [4, 16, 64])):
    m = json.load(open(os.path.join(out, "metrics.json")))
    assert m["size"] == "tiny" and len(m["seconds_per_stage"]) == 17, m.keys()
    assert sorted(m["compression"].values()) == rates, m["compression"]
    rows = {(r["method"], r["compression"]): r for r in m["results"]}
    assert len(rows) == 11, rows.keys()
    for r in m["results"]:
        assert len(r["vrmse"]) == 3 and all(math.isfinite(v) and v > 0 for v in r["vrmse"]), r
    ev = json.load(open(os.path.join(out, "evaluate_c16", "metrics.json")))
    bins = ev["lead_bins"]
    assert m["lead_bins"] == bins
    lo, hi = min(rates), max(rates)
    assert [ev["models"]["diffusion"]["bins"][b]["vrmse"] for b in bins] == rows[("latent diffusion", m["compression"]["c16"])]["vrmse"]
    assert [ev["models"]["pixel_surrogate"]["bins"][b]["vrmse"] for b in bins] == rows[("pixel deterministic", 0)]["vrmse"]
    with open(os.path.join(out, "table.csv")) as f:
        table = list(csv.reader(f))
    assert table[0] == ["method", "compression"] + ["lead_" + b for b in bins] and len(table) == 12, table
    mean = lambda v: sum(v) / len(v)
    V = lambda meth, c: rows[(meth, c)]["vrmse"]
    a = mean(V("autoencoder (reconstruction)", hi)) / mean(V("autoencoder (reconstruction)", lo))
    e = V("latent diffusion", hi)[-1] / V("latent diffusion", lo)[-1]
    f1 = a >= 1.5 and e - 1 <= (a - 1) / 4
    pix = mean(V("pixel deterministic", 0))
    f2 = all(V("latent diffusion", c)[0] <= 1.1 * V("latent deterministic", c)[0]
             and V("latent diffusion", c)[-1] < V("latent deterministic", c)[-1]
             and mean(V("latent diffusion", c)) < pix and mean(V("latent deterministic", c)) < pix for c in rates)
    f3 = all(2 / 3 <= s <= 1.5 for c in rates for s in rows[("latent diffusion", c)]["spread_skill_ratio"])
    got = [v["outcome"] for v in m["findings"]]
    want = ["holds" if f else "does not hold" for f in (f1, f2, f3)]
    assert got == want, (out, got, want)
    # The checks on the paper's own table: what it publishes holds.
    p = [v["outcome"] for v in m["paper"]["findings"]]
    assert p == (["not checked", "holds", "not checked"] if m["case"] == "euler2d" else
                 ["holds", "holds", "not checked"]), (out, p)
print("verdicts agree with the thresholds")
PY

# Run again: every stage is current and skipped; the report is the same.
cp "$WORK/e/metrics.json" "$WORK/e_first.json"
"$LEAP" reproduce --case euler2d --size tiny --out "$WORK/e" --no-progress > "$WORK/e2.log" 2>&1 || fail "rerun"
[[ $(grep -c "^== .*skipped$" "$WORK/e2.log") == 17 ]] || { cat "$WORK/e2.log"; fail "the rerun did not skip all 17 stages"; }
python3 -c "import json,sys; a,b=(json.load(open(p)) for p in sys.argv[1:]); assert a['results']==b['results'] and a['findings']==b['findings']" \
  "$WORK/e_first.json" "$WORK/e/metrics.json" || fail "the rerun's report differs"

# A stage whose fingerprint changed (as after a config change) reruns, with the stages downstream of
# it and only those, none resumed from the checkpoints of its finished run; an unfinished training (no
# record; its directory marked with its fingerprint, as while it runs) resumes from its last.ckpt.
python3 - "$WORK/e" <<'PY'
import json, sys
j = json.load(open(sys.argv[1] + "/stages.json"))
j["stages"]["ae_c4"]["fingerprint"] = "0"
open(sys.argv[1] + "/diffusion_c1/.reproduce_fingerprint", "w").write(j["stages"]["diffusion_c1"]["fingerprint"] + "\n")
del j["stages"]["diffusion_c1"]
json.dump(j, open(sys.argv[1] + "/stages.json", "w"))
PY
"$LEAP" reproduce --case euler2d --size tiny --out "$WORK/e" --no-progress > "$WORK/e3.log" 2>&1 || { cat "$WORK/e3.log"; fail "rerun after a change"; }
ran=$(grep "^== " "$WORK/e3.log" | grep -v "skipped$" | sed 's/.*(\([a-z_0-9]*\); elapsed.*/\1/' | tr '\n' ' ')
[[ $ran == "ae_c4 latents_c4 diffusion_c4 latent_det_c4 evaluate_c4 diffusion_c1 evaluate_c1 " ]] || fail "stages rerun: '$ran'"
grep -q "resuming from .*/diffusion_c1/last.ckpt" "$WORK/e3.log" || fail "the unfinished training did not resume"
! grep -q "resuming from .*_c4/last.ckpt" "$WORK/e3.log" || fail "a rerun training resumed from the checkpoint of a finished run"
[[ $(grep -c "resuming from" "$WORK/e3.log") == 1 ]] || fail "more than the unfinished training resumed"

# Removed outputs: a stage whose outputs are gone runs again only when a stage that runs (or the
# report) reads them; after a retraining the stages downstream run again, after a deterministic stage
# (generate, encode) they stay. Here the run is carried over as bench/reproduce_carry.sh does it (no
# datasets, no checkpoints) after the evaluations of 80x (its metrics) and 320x (its record) were
# removed: the dataset is made again (for the two evaluations), the 80x and 320x models are trained
# again (their checkpoints are gone), the 20x latents, needed by no stage that runs, are not.
rm -f "$WORK/e/evaluate_c4/metrics.json"
bash "$2/bench/reproduce_carry.sh" save "$WORK/e" "$WORK/carried" > /dev/null || fail "reproduce_carry.sh save"
[[ -z $(find "$WORK/carried" -name '*.hdf5' -o -name '*.ckpt') && -f $WORK/carried/data/metrics.json ]] \
  || fail "the carried record holds datasets or checkpoints, or misses the stage metrics"
rm -rf "$WORK/e"
bash "$2/bench/reproduce_carry.sh" restore "$WORK/carried" "$WORK/e" > /dev/null || fail "reproduce_carry.sh restore"
python3 - "$WORK/e" <<'PY'
import json, sys
j = json.load(open(sys.argv[1] + "/stages.json"))
del j["stages"]["evaluate_c1"]
json.dump(j, open(sys.argv[1] + "/stages.json", "w"))
PY
"$LEAP" reproduce --case euler2d --size tiny --out "$WORK/e" --no-progress > "$WORK/e4.log" 2>&1 || { cat "$WORK/e4.log"; fail "rerun after removing outputs"; }
ran=$(grep "^== " "$WORK/e4.log" | grep -v "skipped$" | sed 's/.*(\([a-z_0-9]*\); elapsed.*/\1/' | tr '\n' ' ')
[[ $ran == "data ae_c4 latents_c4 diffusion_c4 latent_det_c4 evaluate_c4 ae_c1 latents_c1 diffusion_c1 latent_det_c1 evaluate_c1 " ]] || fail "stages rerun after removing outputs: '$ran'"
! grep -q "resuming from" "$WORK/e4.log" || fail "a rerun of a finished training resumed"
[[ -n $(find "$WORK/e/data" -name '*.hdf5') && -z $(find "$WORK/e/latents_c16" -name '*.hdf5') ]] \
  || fail "the dataset was not made again, or the unneeded latents were"
python3 - "$WORK/e" <<'PY' || fail "CPU time per stage"
import json, sys
s = json.load(open(sys.argv[1] + "/metrics.json"))["seconds_per_stage"]
assert s["data"]["cpu_seconds"] > 0 and s["ae_c4"]["cpu_seconds"] > 0, s["data"]
PY
grep -q "| data | [0-9]* | [0-9]* |" "$WORK/e/report.md" || fail "report.md: no wall and CPU time per stage"

# Refusals: another size in the same directory, a bad case; one line, exit 2, nothing run.
out=$("$LEAP" reproduce --case euler2d --size small --out "$WORK/e" 2>&1); status=$?
[[ $status == 2 && $(wc -l <<<"$out") == 1 && $out == *stages.json* ]] || fail "another size: exit $status: $out"
out=$("$LEAP" reproduce --case navier_stokes 2>&1); status=$?
[[ $status == 2 && $(wc -l <<<"$out") == 1 ]] || fail "bad --case: exit $status: $out"

# --plan writes the configs and prints the commands; the large size's configs are valid configs.
"$LEAP" reproduce --case rayleigh_benard --size large --out "$WORK/plan" --plan > "$WORK/plan.log" || fail "--plan"
[[ $(wc -l < "$WORK/plan.log") == 17 && ! -e $WORK/plan/data ]] || fail "--plan ran something or printed $(wc -l < "$WORK/plan.log") lines"
for k in generate ae emulator surrogate; do
  "$LEAP" config "$k" --check "$WORK/plan/configs/$k.yaml" > /dev/null || fail "large $k config"
done
"$LEAP" config surrogate --check "$WORK/plan/configs/pixel.yaml" > /dev/null || fail "large pixel config"
"$LEAP" --help | grep -q "reproduce" || fail "leap --help does not list reproduce"
echo "e2e reproduce: OK"
