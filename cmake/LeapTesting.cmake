# Test registration. Labels: unit, mpi, e2e, gpu.
#   leap_add_gtest(NAME SOURCES a.cpp ... [LIBS ...] LABELS unit [RANKS 1 2 4] [TIMEOUT s])
# With RANKS, the test runs under mpiexec once per rank count (oversubscribed), as NAME_np<N>.
find_package(GTest)
leap_require(GTest_FOUND "GoogleTest" "libgtest-dev")

set(LEAP_TEST_ENV
  "OMPI_ALLOW_RUN_AS_ROOT=1" "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1" "OMPI_MCA_btl=self,vader"
  "OMPI_MCA_rmaps_base_oversubscribe=1" "OMP_WAIT_POLICY=PASSIVE" "OMPI_MCA_btl_vader_single_copy_mechanism=none"
  # ctest runs nproc tests at once: one LibTorch thread per process keeps the machine at its core count.
  "LEAP_NUM_THREADS=1")

add_library(leap_test_main STATIC ${PROJECT_SOURCE_DIR}/tests/support/test_main.cpp)
target_link_libraries(leap_test_main PUBLIC GTest::gtest PkgConfig::PETSC MPI::MPI_C)
target_include_directories(leap_test_main PUBLIC ${PROJECT_SOURCE_DIR}/tests/support)

function(leap_add_gtest name)
  cmake_parse_arguments(T "" "TIMEOUT" "SOURCES;LIBS;LABELS;RANKS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE leap_test_main ${T_LIBS})
  target_compile_definitions(${name} PRIVATE LEAP_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
                                             LEAP_BINARY_DIR="${PROJECT_BINARY_DIR}")
  leap_warnings(${name})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  if(T_RANKS)
    foreach(n ${T_RANKS})
      add_test(NAME ${name}_np${n}
               COMMAND ${MPIEXEC_EXECUTABLE} ${MPIEXEC_NUMPROC_FLAG} ${n} --oversubscribe
                       ${MPIEXEC_PREFLAGS} $<TARGET_FILE:${name}> ${MPIEXEC_POSTFLAGS})
      set_tests_properties(${name}_np${n} PROPERTIES LABELS "${T_LABELS}" TIMEOUT ${T_TIMEOUT}
                           PROCESSORS ${n} ENVIRONMENT "${LEAP_TEST_ENV}")
    endforeach()
  else()
    add_test(NAME ${name} COMMAND ${name})
    set_tests_properties(${name} PROPERTIES LABELS "${T_LABELS}" TIMEOUT ${T_TIMEOUT}
                         ENVIRONMENT "${LEAP_TEST_ENV}")
  endif()
endfunction()

#   leap_add_script_test(NAME SCRIPT file.sh LABELS e2e [TIMEOUT s]) -- bash SCRIPT BUILD_DIR SOURCE_DIR
function(leap_add_script_test name)
  cmake_parse_arguments(T "" "SCRIPT;TIMEOUT" "LABELS" ${ARGN})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 600)
  endif()
  add_test(NAME ${name} COMMAND bash ${T_SCRIPT} ${PROJECT_BINARY_DIR} ${PROJECT_SOURCE_DIR})
  set_tests_properties(${name} PROPERTIES LABELS "${T_LABELS}" TIMEOUT ${T_TIMEOUT}
                       ENVIRONMENT "${LEAP_TEST_ENV};LEAP=$<TARGET_FILE:leap>;MPIEXEC=${MPIEXEC_EXECUTABLE};LEAP_PYTHON=${LEAP_VENV}/bin/python3")
endfunction()
