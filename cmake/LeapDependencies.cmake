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

# LibTorch 2.x, the one inside the `torch` wheel: scripts/install-deps.sh installs it into .venv/ (LEAP_VENV),
# found here without running Python; any other LibTorch >= 2.4 on CMAKE_PREFIX_PATH works as well.
set(LEAP_VENV "${PROJECT_SOURCE_DIR}/.venv" CACHE PATH "Python environment whose torch wheel provides LibTorch")
file(GLOB _leap_torch_cmake "${LEAP_VENV}/lib/python3*/site-packages/torch/share/cmake")
list(APPEND CMAKE_PREFIX_PATH ${_leap_torch_cmake})
# The wheel's LibTorch is a CUDA build: its CMake files look for the CUDA toolkit (/usr/local/cuda) even for a
# CPU-only LEAP. Without a GPU, name the architecture of the GPU machines (Hopper) instead of probing.
if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES AND NOT DEFINED ENV{TORCH_CUDA_ARCH_LIST})
  execute_process(COMMAND nvidia-smi -L RESULT_VARIABLE _leap_smi_rc OUTPUT_QUIET ERROR_QUIET)
  if(NOT _leap_smi_rc EQUAL 0)
    set(ENV{TORCH_CUDA_ARCH_LIST} "9.0")
    set(_leap_cuda_arch 90)
  endif()
endif()
find_package(Torch QUIET)
leap_require(Torch_FOUND "LibTorch >= 2.4 (find_package(Torch))"
             "nothing: run scripts/install-deps.sh, which pip-installs the torch wheel into .venv/ (its CMake files \
also need the CUDA toolkit, nvcc on PATH or /usr/local/cuda), or set CMAKE_PREFIX_PATH to torch.utils.cmake_prefix_path")
if(Torch_VERSION VERSION_LESS 2.4)
  message(FATAL_ERROR "LEAP needs LibTorch >= 2.4 (scaled_dot_product_attention, at::rms_norm, the autocast API "
                      "by device type); found ${Torch_VERSION} at ${Torch_DIR}. Run scripts/install-deps.sh "
                      "(torch 2.11 into .venv/) and configure again.")
endif()
# TorchConfig adds its flags to TORCH_CXX_FLAGS; keep them on the targets that use torch.
separate_arguments(LEAP_TORCH_CXX_FLAGS UNIX_COMMAND "${TORCH_CXX_FLAGS}")

# CUDA: ON needs LibTorch with CUDA and nvcc; AUTO turns it on when, besides, a GPU is visible, so a
# machine without one builds and runs the CPU configuration (no CUDA libraries loaded at start-up).
set(LEAP_WITH_CUDA OFF)
if(NOT LEAP_CUDA STREQUAL "OFF")
  include(CheckLanguage)
  check_language(CUDA)
  set(_torch_cuda OFF)
  if(TARGET torch_cuda OR TORCH_CUDA_LIBRARIES OR CAFFE2_USE_CUDA)
    set(_torch_cuda ON)
  endif()
  set(_gpu_seen OFF)
  if(LEAP_CUDA STREQUAL "AUTO")
    execute_process(COMMAND nvidia-smi -L RESULT_VARIABLE _leap_smi_rc OUTPUT_QUIET ERROR_QUIET)
    if(_leap_smi_rc EQUAL 0)
      set(_gpu_seen ON)
    endif()
  endif()
  if(CMAKE_CUDA_COMPILER AND _torch_cuda AND (LEAP_CUDA STREQUAL "ON" OR _gpu_seen))
    if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES AND _leap_cuda_arch)
      set(CMAKE_CUDA_ARCHITECTURES ${_leap_cuda_arch})
    elseif(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
      set(CMAKE_CUDA_ARCHITECTURES native)
    endif()
    enable_language(CUDA)
    set(LEAP_WITH_CUDA ON)
  elseif(LEAP_CUDA STREQUAL "ON")
    message(FATAL_ERROR "LEAP_CUDA=ON but CUDA is not usable: nvcc='${CMAKE_CUDA_COMPILER}', "
                        "LibTorch with CUDA=${_torch_cuda}. Point CMAKE_PREFIX_PATH at a CUDA LibTorch.")
  endif()
endif()

# leap::torch, what LEAP's targets link: the CPU half of LibTorch alone in a CPU build (its CUDA
# libraries are neither linked nor loaded), all of it in a CUDA build.
add_library(leap_torch INTERFACE)
add_library(leap::torch ALIAS leap_torch)
set_target_properties(leap_torch PROPERTIES EXPORT_NAME torch)
# The wheel's include folder carries its own fmt (11), which would shadow the Debian fmt (9) that spdlog is
# built against: a folder holding only a link to the system's fmt comes first.
find_package(fmt CONFIG QUIET)
set(_leap_fmt_include /usr/include)
if(TARGET fmt::fmt)
  get_target_property(_leap_fmt_include fmt::fmt INTERFACE_INCLUDE_DIRECTORIES)
endif()
# (In the venv when LibTorch came from it: one path for every build folder, so ccache shares objects.)
set(LEAP_FMT_SHIM ${PROJECT_BINARY_DIR}/leap-system-fmt)
if(_leap_torch_cmake AND Torch_DIR MATCHES "^${LEAP_VENV}/")
  set(LEAP_FMT_SHIM ${LEAP_VENV}/leap-system-fmt)
endif()
if(EXISTS ${_leap_fmt_include}/fmt/core.h AND NOT EXISTS ${LEAP_FMT_SHIM}/fmt)
  file(MAKE_DIRECTORY ${LEAP_FMT_SHIM})
  file(CREATE_LINK ${_leap_fmt_include}/fmt ${LEAP_FMT_SHIM}/fmt SYMBOLIC)
endif()
foreach(_target torch torch_cpu torch_cuda c10 c10_cuda headeronly)
  if(TARGET ${_target})
    set_property(TARGET ${_target} PROPERTY INTERFACE_INCLUDE_DIRECTORIES "")
  endif()
endforeach()
target_include_directories(leap_torch SYSTEM INTERFACE "$<BUILD_INTERFACE:${LEAP_FMT_SHIM};${TORCH_INCLUDE_DIRS}>")
target_compile_options(leap_torch INTERFACE $<BUILD_INTERFACE:$<$<COMPILE_LANGUAGE:CXX>:${LEAP_TORCH_CXX_FLAGS}>>)
if(LEAP_WITH_CUDA OR NOT TARGET torch_cpu_library)
  target_link_libraries(leap_torch INTERFACE "$<BUILD_INTERFACE:${TORCH_LIBRARIES}>")
else()
  target_link_libraries(leap_torch INTERFACE $<BUILD_INTERFACE:torch_cpu_library> $<BUILD_INTERFACE:c10>)
endif()
# An installed LEAP hands its users the LibTorch their own find_package(Torch) gives.
target_link_libraries(leap_torch INTERFACE $<INSTALL_INTERFACE:torch>)

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
