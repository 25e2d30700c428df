#!/bin/bash
# The sanitizer run: builds LEAP with GCC's AddressSanitizer (LeakSanitizer included) and
# UndefinedBehaviorSanitizer into BUILD_DIR (default build-asan/; -DLEAP_SANITIZE=address,undefined,
# see cmake/LeapSanitize.cmake) and runs the unit and mpi tests there (the Fortran programs included).
# Any finding fails its test and this command: ASan stops at the first error, UBSan does not recover
# (-fno-sanitize-recover=undefined), LSan fails a process that leaks at exit. Third-party findings that
# LEAP cannot fix are suppressed in scripts/sanitize/*.supp, each entry narrow and with its reason.
# Extra arguments go to ctest, e.g.  bash scripts/sanitize.sh -R test_config
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export BUILD_DIR=${BUILD_DIR:-build-asan}
# GCC for C, C++ and Fortran (its libasan/libubsan). RelWithDebInfo: optimised like the normal build,
# with file:line in the reports. CUDA off: device code is not instrumented.
export CC=${CC:-gcc} CXX=${CXX:-g++} FC=${FC:-gfortran}
bash scripts/build.sh -DLEAP_SANITIZE=address,undefined -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLEAP_CUDA=OFF

. scripts/env.sh
SUPP=$ROOT/scripts/sanitize
# fast_unwind_on_malloc=0: allocation stacks unwound with DWARF, so they run through OpenMPI's and
#   LibTorch's frames (built without frame pointers) and the leak suppressions can name them; it makes
#   every allocation slower (LibTorch-heavy tests 10-30x), so only 20 frames are kept (default 30).
# check_initialization_order: static initialisers reading other translation units' globals.
export ASAN_OPTIONS="detect_leaks=1:fast_unwind_on_malloc=0:malloc_context_size=20:check_initialization_order=1:suppressions=$SUPP/asan.supp"
export LSAN_OPTIONS="suppressions=$SUPP/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:suppressions=$SUPP/ubsan.supp"
# mpiexec starts the ranks on this host with its own environment, these variables included (no -x needed).
(cd "$BUILD_DIR" && ctest --output-on-failure -L 'unit|mpi' -j "${JOBS:-$(nproc)}" --timeout 900 "$@")
