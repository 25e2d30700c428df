#!/bin/bash
# The `leap` command: --version, --help, info, and exit status 2 with a one-line reason on bad input.
set -uo pipefail
BUILD=$1 SRC=$2
LEAP=${LEAP:-$BUILD/tools/leap/leap}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# expect STATUS PATTERN -- command...: exit status and a pattern in stdout+stderr
expect() {
  local want=$1 pattern=$2; shift 2
  local out status
  out=$("$@" 2>&1); status=$?
  [[ $status == "$want" ]] || fail "'$*' exited $status, expected $want; output: $out"
  grep -qE -- "$pattern" <<<"$out" || fail "'$*' output lacks /$pattern/: $out"
  if [[ $want == 2 ]]; then
    [[ $(wc -l <<<"$out") == 1 ]] || fail "'$*': bad input should give one line, got: $out"
  fi
}

expect 0 '^LEAP [0-9]+\.[0-9]+\.[0-9]+' "$LEAP" --version
expect 0 'LibTorch 1\.|LibTorch 2\.' "$LEAP" --version
expect 0 'PETSc +3\.' "$LEAP" --version
expect 0 'HDF5 +1\.' "$LEAP" --version
expect 0 'MPI +' "$LEAP" --version
expect 0 'CUDA +(yes|no)' "$LEAP" --version
# LibTorch threads: LEAP_NUM_THREADS, else the node's cores shared among the ranks on it.
expect 0 'Threads +3 ' env LEAP_NUM_THREADS=3 "$LEAP" --version
expect 2 "LEAP_NUM_THREADS.*integer from 1 to 4096.*two" env LEAP_NUM_THREADS=two "$LEAP" --version
expect 2 "LEAP_NUM_THREADS" env LEAP_NUM_THREADS=0 "$LEAP" info x.hdf5
expect 0 "Threads +$(nproc) " env -u LEAP_NUM_THREADS "$LEAP" --version
half=$(( $(nproc) / 2 )); (( half >= 1 )) || half=1
expect 0 "Threads +$half " env -u LEAP_NUM_THREADS "$MPIEXEC" -n 2 --oversubscribe "$LEAP" --version
expect 0 'info' "$LEAP" --help
expect 0 'The Well' "$LEAP" info --help
expect 2 'requires|required' "$LEAP"
expect 2 'required' "$LEAP" info
expect 2 'not an HDF5 file' bash -c "echo hi > $WORK/x.hdf5; $LEAP info $WORK/x.hdf5"
expect 2 'no such file' "$LEAP" info "$WORK/missing.hdf5"
expect 2 'unrecognized|Unexpected|not expected|extra' "$LEAP" info --bogus-flag "$WORK/x.hdf5"
# An empty config file (blanks, comments) is bad input naming the file (where --config is optional,
# leaving it out runs the defaults).
printf '  \n# nothing but a comment\n\n' > "$WORK/empty.yaml"
expect 2 "empty.yaml: key '\(top level\)': expected a mapping of keys, found an empty file" \
  "$LEAP" generate --config "$WORK/empty.yaml" --out "$WORK/never"
[[ ! -e $WORK/never ]] || fail "leap generate with an empty config wrote $WORK/never"
expect 2 "empty.yaml.*found an empty file" "$LEAP" config hybrid --check "$WORK/empty.yaml"
# leap bench: the table and its JSON on a small configuration; levers this machine lacks are skipped.
expect 0 'emulation +plain +1 mem +[0-9.]+ ms/state' "$LEAP" bench --scale small --device cpu --parts emulation,autoencoder \
  --variants plain,graph --members 1 --warmup 0 --iters 1 --out "$WORK/bench" -q
python3 - "$WORK/bench/metrics.json" <<'PY' || fail "leap bench metrics.json"
import json, sys
j = json.load(open(sys.argv[1]))
parts = {(r["part"], r["variant"]) for r in j["results"]}
assert ("emulation", "plain") in parts and ("autoencoder", "plain") in parts, parts
assert all("skipped" in r or r.get("ms_per_call", r.get("ms_per_step", 0)) > 0 for r in j["results"])
assert j["machine"]["device"] and j["config"]["scale"] == "small"
PY
expect 2 'only [0-9]+ CUDA device|no CUDA device is visible' "$LEAP" bench --scale small --device cuda:99
expect 2 'scale' "$LEAP" bench --scale huge
# leap bench, the parts that run on every rank: exchange, solver and hybrid (the production driver
# with the trajectory oracle, the model's measured leaps in place of the oracle's) at two grid sides under mpiexec; every part and size in metrics.json with positive finite
# figures (benchmarks are not tests: no time is compared with anything).
expect 0 'hybrid +64\^2 +solver-only' "${MPIEXEC:-mpiexec}" -n 2 --oversubscribe "$LEAP" bench \
  --parts exchange,solver,hybrid --sizes 32,64 --iters 2 --warmup 1 --out "$WORK/bench-parts" -q
python3 - "$WORK/bench-parts/metrics.json" <<'PY' || fail "leap bench --parts exchange,solver,hybrid metrics.json"
import json, math, sys
j = json.load(open(sys.argv[1]))
assert j["ranks"] == 2 and j["machine"]["ranks"] == 2 and j["machine"]["petsc"] and j["machine"]["mpi"], j["machine"]
assert j["config"]["system"]["sizes"] == [32, 64] and j["config"]["system"]["hybrid"]["schedule"]["leaps"] == 2
keys = {"exchange": ["ms_gather", "ms_scatter", "gbytes_per_s_gather", "gbytes_per_s_scatter"],
        "solver": ["ms_per_frame", "steps_per_frame", "cell_updates_per_s", "cell_updates_per_s_per_rank"],
        "hybrid": ["ms_solver_only", "ms_hybrid", "ms_per_leap", "ms_gather", "ms_scatter", "speedup",
                   "ms_driver_with_oracle", "ms_oracle"]}
seen = set()
for r in j["results"]:
    assert "skipped" not in r, r
    for k in keys[r["part"]] + (["leap.ms_encode", "leap.ms_sample", "leap.ms_decode"] if r["part"] == "hybrid" else []):
        v = r
        for p in k.split("."): v = v[p]
        assert isinstance(v, (int, float)) and math.isfinite(v) and v > 0, (r["part"], r["size"], k, v)
    seen.add((r["part"], r["size"]))
assert seen == {(p, s) for p in keys for s in (32, 64)}, seen
hybrid = [r for r in j["results"] if r["part"] == "hybrid"]
assert all(r["method"].startswith("production driver (LeapAttachment::Run") for r in hybrid), hybrid
# The driver's own decisions: both leaps accepted (the oracle hands back the solver's frames).
assert all(r["policy"]["verdicts"]["accepted"] == 2 and r["policy"]["attempts"] == 2 for r in hybrid), hybrid
PY
expect 2 'sizes: expected a power of two >= 32' "$LEAP" bench --parts solver --sizes 30
expect 2 'sizes: expected a power of two >= 32' "$LEAP" bench --parts exchange,hybrid --sizes 64,0
# Every config key is documented; files are checked without running anything.
expect 0 '^euler2d.gamma: a number, default 1.4 \(a value > 1\) -- ratio of specific heats' "$LEAP" config generate
expect 0 '^optim.lr: a number' "$LEAP" config emulator
expect 0 'latent_channels: 8' "$LEAP" config ae --check "$SRC/examples/euler2d/ae-small.yaml"
for kind in generate:euler2d/generate-small generate:rayleigh_benard/generate-small ae:euler2d/ae-small \
            emulator:euler2d/emulator-small surrogate:euler2d/surrogate-small generate:euler2d/generate-large \
            hybrid:euler2d/hybrid-small hybrid:rayleigh_benard/hybrid-small ae:rayleigh_benard/ae-small \
            emulator:rayleigh_benard/emulator-small \
            study:rayleigh_benard/study-small study:euler2d/study-small; do
  expect 0 'seed' "$LEAP" config "${kind%%:*}" --check "$SRC/examples/${kind#*:}.yaml"
done
expect 2 "ae-small.yaml: unknown key 'model.latent'" "$LEAP" config ae --check "$SRC/examples/euler2d/ae-small.yaml" --set model.latent=3
expect 2 "ae-small.yaml: key 'optim.lr': expected a number, found 'fast'" "$LEAP" config ae --check "$SRC/examples/euler2d/ae-small.yaml" --set optim.lr=fast
expect 2 "ae-small.yaml: key 'model.blocks': expected 3 entries" "$LEAP" config ae --check "$SRC/examples/euler2d/ae-small.yaml" --set "model.blocks=[1,1]"
expect 2 "hybrid-small.yaml: key 'leap.cuda_graph': expected false unless device is cuda" "$LEAP" config hybrid --check "$SRC/examples/euler2d/hybrid-small.yaml" --set leap.cuda_graph=true
expect 2 "hybrid-small.yaml: key 'leap.precision': expected one of" "$LEAP" config hybrid --check "$SRC/examples/euler2d/hybrid-small.yaml" --set leap.precision=fp16
expect 2 "hybrid-small.yaml: key 'leap.min_leap_frames': expected in 1..leap_frames" "$LEAP" config hybrid --check "$SRC/examples/euler2d/hybrid-small.yaml" --set leap.min_leap_frames=9
expect 2 "hybrid-small.yaml: key 'leap.emulator_ranks': expected distinct ranks, 0 among them, found \[1\]" "$LEAP" config hybrid --check "$SRC/examples/euler2d/hybrid-small.yaml" --set "leap.emulator_ranks=[1]"
expect 2 "hybrid-small.yaml: key 'leap.emulators_per_node': expected false when emulator_ranks is given" "$LEAP" config hybrid --check "$SRC/examples/euler2d/hybrid-small.yaml" --set "leap.emulator_ranks=[0, 1]" --set leap.emulators_per_node=true
expect 2 "emulator-small.yaml: key 'optim.device': expected cpu, cuda or cuda:N" "$LEAP" config emulator --check "$SRC/examples/euler2d/emulator-small.yaml" --set optim.device=gpu
expect 2 "emulator-small.yaml: key 'optim.precision': expected fp32 on device cpu" "$LEAP" config emulator --check "$SRC/examples/euler2d/emulator-small.yaml" --set optim.precision=bf16
expect 0 '^emulator.kind: ' "$LEAP" config runtime
expect 0 '^record.frames_per_trajectory: ' "$LEAP" config runtime
# The paper-scale configs are valid configs (their models' sizes: test_models_paper_configs).
for f in euler2d/ae-paper.yaml:ae euler2d/emulator-paper.yaml:emulator euler2d/surrogate-paper.yaml:surrogate \
         euler2d/surrogate-pixel-paper.yaml:surrogate rayleigh_benard/ae-paper.yaml:ae \
         rayleigh_benard/emulator-paper.yaml:emulator rayleigh_benard/surrogate-paper.yaml:surrogate; do
  expect 0 '^  (channels: \[64, 128, 256, 512, 768, 1024\]|width: (1024|2048))$' "$LEAP" config "${f#*:}" --check "$SRC/examples/${f%:*}"
done
echo "cli: all checks passed"
