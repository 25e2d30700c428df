# LEAP_FUZZ=ON: the libFuzzer build (bench/fuzz.sh; clang). Everything LEAP compiles gets libFuzzer's
# coverage instrumentation and AddressSanitizer + UndefinedBehaviorSanitizer (any UB aborts); the
# harnesses tests/fuzz/fuzz_<harness>.cpp link libFuzzer's main (tests/fuzz/CMakeLists.txt). Build
# only the targets fuzz_config fuzz_well_file fuzz_checkpoint fuzz_c_api from such a build tree.
# LibTorch, HDF5, MPI, PETSc and yaml-cpp are the system's/wheel's uninstrumented libraries: their
# memory errors are seen through ASan's interceptors only.
option(LEAP_FUZZ "Build the libFuzzer harnesses with ASan/UBSan (clang; see bench/fuzz.sh)" OFF)
if(LEAP_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "LEAP_FUZZ=ON needs clang (libFuzzer): configure with CC=clang-14 CXX=clang++-14 "
                        "(bench/fuzz.sh does)")
  endif()
  # vptr checks off: LibTorch's classes come from a library built without UBSan.
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize=vptr
                      -fno-sanitize-recover=undefined -fno-omit-frame-pointer -g)
  add_link_options(-fsanitize=address,undefined)
endif()
