#!/bin/bash
# Installs LEAP's dependencies when any is missing (needs root or sudo for the Debian part):
#  - Debian 12 packages: compilers, PETSc 3.18, OpenMPI, parallel HDF5, yaml-cpp, CLI11, spdlog, ...;
#  - LibTorch 2.11 from PyPI's `torch` wheel, pip-installed into a project-local virtual environment
#    (LEAP_VENV, default .venv/; never the system Python), with The Well's reader (`the-well`) and h5py,
#    which the tests use as oracles. Python is not part of LEAP's runtime.
# The wheels are kept in LEAP_WHEEL_CACHE (default ~/.cache/leap/wheels), so a second install on the
# same machine (a fresh clone, a new .venv) downloads nothing. The CUDA toolkit (/usr/local/cuda) is expected to be present already: the
# wheel's CMake files need it, and the CUDA configuration compiles against it.
set -euo pipefail
cd "$(dirname "$0")/.."
TORCH_VERSION=2.11.0   # the LibTorch of the GPU machines (PyTorch 2.11, CUDA 13)
THE_WELL_VERSION=1.2.0
H5PY_VERSION=3.16.0
LEAP_VENV=${LEAP_VENV:-$PWD/.venv}
PACKAGES=(
  build-essential cmake ninja-build pkg-config gfortran git
  python3 python3-venv ccache
  petsc-dev libpetsc3.18-dev-examples
  libopenmpi-dev openmpi-bin
  libhdf5-openmpi-dev hdf5-tools
  libyaml-cpp-dev libgtest-dev libcli11-dev libspdlog-dev libfmt-dev libstb-dev nlohmann-json3-dev
  libplplot-dev plplot-driver-cairo
)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#PACKAGES[@]} Debian packages present"
else
  SUDO=""
  [[ $(id -u) == 0 ]] || SUDO=sudo
  echo "install-deps: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The Python environment: Debian's python3 (not whatever python3 is first on PATH).
PY=$LEAP_VENV/bin/python3
want="torch==$TORCH_VERSION the-well==$THE_WELL_VERSION h5py==$H5PY_VERSION"
if [[ -x $PY ]] && "$PY" - "$TORCH_VERSION" "$THE_WELL_VERSION" "$H5PY_VERSION" <<'PYEOF' 2>/dev/null; then
import sys
from importlib.metadata import version
ok = [version("torch") == sys.argv[1], version("the-well") == sys.argv[2], version("h5py") == sys.argv[3]]
sys.exit(0 if all(ok) else 1)
PYEOF
  echo "install-deps: $LEAP_VENV has $want"
else
  echo "install-deps: pip-installing $want into $LEAP_VENV (first time: about 5 GB, mostly CUDA libraries)"
  [[ -x $PY ]] || /usr/bin/python3 -m venv "$LEAP_VENV"
  WHEELS=${LEAP_WHEEL_CACHE:-$HOME/.cache/leap/wheels}
  mkdir -p "$WHEELS"
  if ! "$PY" -m pip install -q --no-index --find-links "$WHEELS" $want 2>/dev/null; then
    "$PY" -m pip download -q -d "$WHEELS" $want
    "$PY" -m pip install -q --no-index --find-links "$WHEELS" $want
  fi
fi
echo "install-deps: done"
