# Sanitizers over every LEAP target (scripts/sanitize.sh): -DLEAP_SANITIZE=address,undefined compiles and
# links the C, C++ and Fortran code with -fsanitize=<list> (GCC or Clang), keeps frame pointers for the
# reports' stacks, and makes every undefined-behaviour finding fatal. Third-party libraries (PETSc, MPI,
# HDF5, LibTorch) stay uninstrumented; empty (the default) builds without sanitizers.
set(LEAP_SANITIZE "" CACHE STRING "Sanitizers for every LEAP target, e.g. address,undefined (empty: none)")
set(LEAP_SANITIZE_TIMEOUT_FACTOR 10 CACHE STRING "With LEAP_SANITIZE, every test's TIMEOUT is multiplied by this")
if(LEAP_SANITIZE)
  set(_leap_san_langs "$<COMPILE_LANGUAGE:C,CXX,Fortran>")
  add_compile_options("$<${_leap_san_langs}:-fsanitize=${LEAP_SANITIZE};-fno-omit-frame-pointer>")
  if(LEAP_SANITIZE MATCHES "undefined")
    add_compile_options("$<${_leap_san_langs}:-fno-sanitize-recover=undefined>")
  endif()
  add_link_options("-fsanitize=${LEAP_SANITIZE}")
  message(STATUS "LEAP: sanitizers ${LEAP_SANITIZE}, test timeouts x${LEAP_SANITIZE_TIMEOUT_FACTOR}")

  # Instrumented tests run many times slower (LibTorch-heavy ones 10-30x with the DWARF-unwound
  # allocation stacks of scripts/sanitize.sh): every TIMEOUT given to set_tests_properties is scaled
  # (CMake 3.25 cannot reach tests of other directories afterwards, nor ctest scale them). Arguments
  # are passed on as bracket arguments, so list values (ENVIRONMENT) keep their semicolons.
  function(set_tests_properties)
    set(_call "_set_tests_properties(")
    set(_scale OFF)
    foreach(_i RANGE 0 ${ARGC})
      if(_i EQUAL ARGC)
        break()
      endif()
      set(_arg "${ARGV${_i}}")
      if(_scale)
        math(EXPR _arg "${_arg} * ${LEAP_SANITIZE_TIMEOUT_FACTOR}")
      endif()
      set(_scale OFF)
      if(_arg STREQUAL "TIMEOUT")
        set(_scale ON)
      endif()
      string(APPEND _call " [==[${_arg}]==]")
    endforeach()
    cmake_language(EVAL CODE "${_call})")
  endfunction()
endif()
