// Private: C API calls catch every exception, keep its message for leap_last_error() and return
// LEAP_ERR_INPUT for bad input, LEAP_ERR_OTHER otherwise.
#pragma once

#include <mpi.h>

#include <exception>
#include <string>

#include "leap/error.h"

namespace leap::capi {

extern thread_local std::string last_error;
int record(const std::exception& e);

template <class F>
int guarded(F&& f) {
  try {
    f();
    last_error.clear();
    return 0;
  } catch (const std::exception& e) {
    return record(e);
  }
}

// guarded() with the C function's name in front of the message (the error's kind kept).
template <class F>
int named(const char* fn, F&& f) {
  return guarded([&] {
    try {
      f();
    } catch (const InputError& e) {
      throw InputError(std::string(fn) + ": " + e.what());
    } catch (const std::exception& e) {
      throw Error(std::string(fn) + ": " + e.what());
    }
  });
}

// The communicator a Fortran handle names (MPI_COMM_NULL for MPI_COMM_NULL's handle). MPI_Comm_f2c
// turns a handle that names none into an invalid C handle (Open MPI: a null pointer), which any MPI
// call would pass to MPI_COMM_WORLD's error handler, MPI_ERRORS_ARE_FATAL by default: the program
// would abort. Such a handle is refused instead (InputError; call inside named()), found by asking
// its size with MPI_COMM_WORLD's handler set to MPI_ERRORS_RETURN for that one call.
inline MPI_Comm comm_from_fortran(MPI_Fint fcomm) {
  const MPI_Comm comm = MPI_Comm_f2c(fcomm);
  int up = 0, down = 0;
  MPI_Initialized(&up);
  MPI_Finalized(&down);
  if (comm == MPI_COMM_NULL || !up || down) return comm;
  MPI_Errhandler was;
  MPI_Comm_get_errhandler(MPI_COMM_WORLD, &was);
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  int size = 0;
  const int rc = MPI_Comm_size(comm, &size);
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, was);
  MPI_Errhandler_free(&was);
  if (rc != MPI_SUCCESS)
    throw InputError("argument 'fcomm': expected a Fortran communicator handle, found " +
                     std::to_string(fcomm) + ", which names no communicator");
  return comm;
}

}  // namespace leap::capi
