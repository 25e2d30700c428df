#!/bin/bash
# Installs LEAP's dependencies, all Debian 12 packages, when any is missing (needs root or sudo).
set -euo pipefail
PACKAGES=(
  build-essential cmake ninja-build pkg-config gfortran git
  libtorch-dev libopenblas0-openmp
  petsc-dev libpetsc3.18-dev-examples
  libopenmpi-dev openmpi-bin
  libhdf5-openmpi-dev hdf5-tools
  libyaml-cpp-dev libgtest-dev libcli11-dev libspdlog-dev libfmt-dev libstb-dev nlohmann-json3-dev
)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi
SUDO=""
[[ $(id -u) == 0 ]] || SUDO=sudo
echo "install-deps: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# OpenBLAS with OpenMP as the BLAS LibTorch uses (the reference BLAS is ~20x slower for attention).
if update-alternatives --list libblas.so.3-x86_64-linux-gnu >/dev/null 2>&1; then
  alt=$(update-alternatives --list libblas.so.3-x86_64-linux-gnu | grep openblas-openmp | head -1 || true)
  [[ -n $alt ]] && $SUDO update-alternatives --set libblas.so.3-x86_64-linux-gnu "$alt" >/dev/null
  alt=$(update-alternatives --list liblapack.so.3-x86_64-linux-gnu | grep openblas-openmp | head -1 || true)
  [[ -n $alt ]] && $SUDO update-alternatives --set liblapack.so.3-x86_64-linux-gnu "$alt" >/dev/null
fi
echo "install-deps: done"
