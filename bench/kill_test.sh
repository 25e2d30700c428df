#!/bin/bash
# The full kill -9 test (tests/faults/kill_resume.sh; CI runs its short variant): 20 kills at seeded
# random moments per case: leap generate; leap train ae and emulator on 1 and 2 ranks, each resumed
# and compared bitwise with an uninterrupted run; leap hybrid --record and the TSTrajectory recorder.
#   bash bench/kill_test.sh [BUILD_DIR]      (KILLS, KILL_SEED override; about 25 minutes on 2 cores)
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${1:-$SRC/build}" && pwd)
. "$SRC/scripts/env.sh"
export LEAP=$BUILD/tools/leap/leap MPIEXEC=${MPIEXEC:-mpiexec} LEAP_PYTHON=$SRC/.venv/bin/python3
export KILLS=${KILLS:-20} KILL_SEED=${KILL_SEED:-1} KILL_AE_RANKS=${KILL_AE_RANKS:-1 2} KILL_EMU_RANKS=${KILL_EMU_RANKS:-1 2}
export LEAP_NUM_THREADS=${LEAP_NUM_THREADS:-1}
exec bash "$SRC/tests/faults/kill_resume.sh" "$BUILD" "$SRC"
