# Finds every dependency the standard way and fails early, naming the Debian package that provides it.
include(FindPkgConfig)

macro(leap_require found what package)
  if(NOT ${found})
    message(FATAL_ERROR "LEAP needs ${what}, which was not found. On Debian 12: apt-get install ${package}"
                        " (or run scripts/install-deps.sh).")
  endif()
endmacro()

# MPI (OpenMPI on Debian).
find_package(MPI COMPONENTS C CXX)
leap_require(MPI_FOUND "MPI (C and C++)" "libopenmpi-dev")
find_program(LEAP_MPIEXEC NAMES mpiexec mpirun HINTS ${MPI_HOME}/bin)

# Parallel HDF5.
set(HDF5_PREFER_PARALLEL ON)
find_package(HDF5 COMPONENTS C)
leap_require(HDF5_FOUND "HDF5 (parallel build)" "libhdf5-openmpi-dev")
if(NOT HDF5_IS_PARALLEL)
  message(FATAL_ERROR "LEAP needs a parallel HDF5 (found a serial one at ${HDF5_INCLUDE_DIRS}). "
                      "On Debian 12: apt-get install libhdf5-openmpi-dev")
endif()
if(NOT TARGET hdf5::hdf5)
  add_library(hdf5::hdf5 INTERFACE IMPORTED)
  target_include_directories(hdf5::hdf5 INTERFACE ${HDF5_C_INCLUDE_DIRS} ${HDF5_INCLUDE_DIRS})
  target_link_libraries(hdf5::hdf5 INTERFACE ${HDF5_C_LIBRARIES})
  target_compile_definitions(hdf5::hdf5 INTERFACE ${HDF5_C_DEFINITIONS})
endif()

# PETSc 3.18+ through pkg-config (its .pc omits MPI: MPI::MPI_C is linked beside it).
pkg_check_modules(PETSC IMPORTED_TARGET PETSc>=3.18)
leap_require(PETSC_FOUND "PETSc >= 3.18 (pkg-config PETSc)" "petsc-dev")

# stb (PNG figures).
pkg_check_modules(STB IMPORTED_TARGET stb)
leap_require(STB_FOUND "stb (pkg-config stb)" "libstb-dev")

# yaml-cpp, CLI11, spdlog/fmt.
find_package(yaml-cpp)
leap_require(yaml-cpp_FOUND "yaml-cpp" "libyaml-cpp-dev")
if(NOT TARGET yaml-cpp::yaml-cpp)
  add_library(yaml-cpp::yaml-cpp INTERFACE IMPORTED)
  target_link_libraries(yaml-cpp::yaml-cpp INTERFACE yaml-cpp)
endif()
find_package(CLI11 CONFIG)
leap_require(CLI11_FOUND "CLI11" "libcli11-dev")
find_package(nlohmann_json CONFIG)
leap_require(nlohmann_json_FOUND "nlohmann-json" "nlohmann-json3-dev")
find_package(spdlog CONFIG)
leap_require(spdlog_FOUND "spdlog" "libspdlog-dev")

# LibTorch: Debian's libtorch-dev (CPU), or the one inside PyTorch via CMAKE_PREFIX_PATH (CUDA).
find_package(Torch QUIET)
leap_require(Torch_FOUND "LibTorch (find_package(Torch))" "libtorch-dev, or set CMAKE_PREFIX_PATH to torch.utils.cmake_prefix_path")
# TorchConfig adds its flags to TORCH_CXX_FLAGS; keep them on the targets that use torch.
separate_arguments(LEAP_TORCH_CXX_FLAGS UNIX_COMMAND "${TORCH_CXX_FLAGS}")

# CUDA: on when LibTorch was built with it and a CUDA compiler is present.
set(LEAP_WITH_CUDA OFF)
if(NOT LEAP_CUDA STREQUAL "OFF")
  include(CheckLanguage)
  check_language(CUDA)
  set(_torch_cuda OFF)
  if(TARGET torch_cuda OR TORCH_CUDA_LIBRARIES OR CAFFE2_USE_CUDA)
    set(_torch_cuda ON)
  endif()
  if(CMAKE_CUDA_COMPILER AND _torch_cuda)
    if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
      set(CMAKE_CUDA_ARCHITECTURES native)
    endif()
    enable_language(CUDA)
    set(LEAP_WITH_CUDA ON)
  elseif(LEAP_CUDA STREQUAL "ON")
    message(FATAL_ERROR "LEAP_CUDA=ON but CUDA is not usable: nvcc='${CMAKE_CUDA_COMPILER}', "
                        "LibTorch with CUDA=${_torch_cuda}. Point CMAKE_PREFIX_PATH at a CUDA LibTorch.")
  endif()
endif()
message(STATUS "LEAP: LibTorch ${Torch_VERSION}, PETSc ${PETSC_VERSION}, HDF5 ${HDF5_VERSION}, CUDA ${LEAP_WITH_CUDA}")

# Fortran (optional: the Fortran module of the C API and its test program).
set(LEAP_HAVE_FORTRAN OFF)
if(LEAP_BUILD_FORTRAN)
  include(CheckLanguage)
  check_language(Fortran)
  if(CMAKE_Fortran_COMPILER)
    enable_language(Fortran)
    find_package(MPI COMPONENTS Fortran QUIET)
    set(LEAP_HAVE_FORTRAN ON)
  endif()
endif()
