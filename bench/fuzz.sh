#!/bin/bash
# The libFuzzer run (not CI; CI replays the corpora and crash files: the fuzz_replay_* tests).
# Builds the harnesses of tests/fuzz with clang-14, libFuzzer, ASan and UBSan (-DLEAP_FUZZ=ON,
# cmake/LeapFuzz.cmake) into FUZZ_BUILD_DIR (default /tmp/leap-fuzz), runs each harness in turn over
# a copy of its seed corpus (tests/fuzz/corpus/<harness>) and its known crash inputs, prints a table
# (executions, coverage, crashes) and copies every new crashing input into tests/fuzz/open/<harness>/
# (not replayed by CI: once fixed, move it to tests/fuzz/crashes/<harness>/; see tests/fuzz/FINDINGS.md).
# A harness whose findings inside a third-party library cannot be fixed in LEAP runs with the ASan
# suppressions tests/fuzz/asan_<harness>.supp (each with its reason), and its suppressed inputs
# tests/fuzz/upstream/<harness>/*-crash-* are fed first, which checks that the suppression still holds
# (an upstream out-of-memory, *-oom-*, cannot be suppressed: kept there, not fed).
#   bash bench/fuzz.sh                                   every harness, 1e5 runs or 10 minutes each
#   FUZZ_RUNS=20000 FUZZ_TIME=120 bash bench/fuzz.sh config well_file
# Environment: FUZZ_RUNS (-runs, default 100000), FUZZ_TIME (-max_total_time in s, default 600),
# FUZZ_BUILD_DIR, JOBS (build jobs), FUZZ_ARGS (more libFuzzer flags, e.g. -jobs=2). A harness stops at
# its first finding (libFuzzer's default): fix it, keep the crash file, run again.
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=$PWD
BUILD=${FUZZ_BUILD_DIR:-/tmp/leap-fuzz}
RUNS=${FUZZ_RUNS:-100000}
TIME=${FUZZ_TIME:-600}
JOBS=${JOBS:-$(nproc)}
HARNESSES=("$@")
[[ ${#HARNESSES[@]} -gt 0 ]] || HARNESSES=(config well_file checkpoint c_api)

# clang-14 and libFuzzer's runtime (a trivial fuzzer must link), installed when missing.
probe=$(mktemp -d)
printf 'extern "C" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long) { return 0; }\n' >"$probe/p.cpp"
if ! clang++-14 -fsanitize=fuzzer,address,undefined "$probe/p.cpp" -o "$probe/p" 2>/dev/null; then
  apt-get update -qq && apt-get install -y -qq clang-14 libfuzzer-14-dev
fi
rm -rf "$probe"

GEN=()
command -v ninja >/dev/null && [[ ! -f $BUILD/Makefile ]] && GEN=(-G Ninja)
LAUNCHER=()
if command -v ccache >/dev/null; then
  LAUNCHER=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  export CCACHE_BASEDIR=$SRC CCACHE_NOHASHDIR=1
fi
# LibTorch is the .venv wheel's, as in the normal build (cmake/LeapDependencies.cmake). No Fortran
# (no gfortran needed), no CUDA (nvcc code is not instrumented).
CC=clang-14 CXX=clang++-14 cmake -S . -B "$BUILD" "${GEN[@]}" "${LAUNCHER[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DLEAP_FUZZ=ON -DLEAP_BUILD_FORTRAN=OFF -DLEAP_CUDA=OFF >/dev/null
cmake --build "$BUILD" -j "$JOBS" --target "${HARNESSES[@]/#/fuzz_}"

. scripts/env.sh
export LEAP_NUM_THREADS=1 OMP_NUM_THREADS=1
# Leaks inside the uninstrumented libraries' one-time initialisation (MPI, HDF5, LibTorch) are not
# LEAP's: tests/fuzz/lsan.supp names them. UBSan findings are fatal (-fno-sanitize-recover).
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=0"
export LSAN_OPTIONS="suppressions=$SRC/tests/fuzz/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"

ASAN_BASE=$ASAN_OPTIONS LSAN_BASE=$LSAN_OPTIONS
# The last "KEY: N" figure of a log ("" when there is none: a fuzzer that died at start).
last() { { grep -o "$1 [0-9]*" "$2" || true; } | tail -1 | awk '{print $NF}'; }

declare -A EXECS COV FT SECS FOUND
for h in "${HARNESSES[@]}"; do
  work=$BUILD/run/$h
  rm -rf "$work" && mkdir -p "$work/corpus" "$work/artifacts"
  crashes=$SRC/tests/fuzz/crashes/$h
  open=$SRC/tests/fuzz/open/$h
  mkdir -p "$crashes"
  inputs=("$work/corpus" "$SRC/tests/fuzz/corpus/$h" "$crashes")
  export ASAN_OPTIONS=$ASAN_BASE LSAN_OPTIONS=$LSAN_BASE
  # c_api: MPI's one-time allocations are made in libraries built without frame pointers, where the
  # fast unwinder stops (a one-frame stack in "<unknown module>" that lsan.supp cannot name, reported
  # at exit); the full unwinder (slower) gives the stacks through libmpi/libpmix/mca_* it suppresses.
  [[ $h == c_api ]] && export LSAN_OPTIONS="$LSAN_BASE:fast_unwind_on_malloc=0"
  if [[ -f $SRC/tests/fuzz/asan_$h.supp ]]; then
    export ASAN_OPTIONS="$ASAN_BASE:suppressions=$SRC/tests/fuzz/asan_$h.supp"
    mkdir -p "$work/upstream"
    for u in "$SRC/tests/fuzz/upstream/$h"/*-crash-*; do [[ -f $u ]] && cp "$u" "$work/upstream/"; done
    inputs+=("$work/upstream")
    echo "   ASan suppressions: tests/fuzz/asan_$h.supp"
  fi
  echo "== fuzz_$h: up to $RUNS runs or $TIME s (log: $work/log)"
  start=$(date +%s)
  set +e
  # The first directory (the copy) receives what libFuzzer finds; the seeds and crash files are read.
  "$BUILD/tests/fuzz/fuzz_$h" -runs="$RUNS" -max_total_time="$TIME" -print_final_stats=1 -timeout=10 \
    -rss_limit_mb=4096 -artifact_prefix="$work/artifacts/" ${FUZZ_ARGS:-} \
    "${inputs[@]}" >"$work/log" 2>&1
  rc=$?
  set -e
  SECS[$h]=$(($(date +%s) - start))
  EXECS[$h]=$(last 'stat::number_of_executed_units:' "$work/log")
  COV[$h]=$(last 'cov:' "$work/log")
  FT[$h]=$(last 'ft:' "$work/log")
  n=0
  for a in "$work"/artifacts/*; do
    [[ -f $a ]] || continue
    mkdir -p "$open"
    cp "$a" "$open/$h-$(basename "$a")"
    n=$((n + 1))
    echo "   finding: $open/$h-$(basename "$a")"
  done
  FOUND[$h]=$n
  if [[ $rc -ne 0 && $n -eq 0 ]]; then
    echo "   fuzz_$h exited with $rc without a crash file; see $work/log"
  fi
done

printf '\n%-12s %12s %8s %8s %8s %8s\n' harness executions cov ft seconds crashes
for h in "${HARNESSES[@]}"; do
  printf '%-12s %12s %8s %8s %8s %8s\n' "$h" "${EXECS[$h]:-?}" "${COV[$h]:-?}" "${FT[$h]:-?}" "${SECS[$h]}" "${FOUND[$h]}"
done
