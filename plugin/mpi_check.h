// Private: turns a failed MPI call (under an MPI_ERRORS_RETURN handler) into leap::Error naming it.
#pragma once

#include <mpi.h>

#include <string>

#include "leap/error.h"

namespace leap::plugin {

inline void mpi_check(int rc, const char* call) {
  if (rc == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int len = 0;
  MPI_Error_string(rc, text, &len);
  throw Error(std::string(call) + " failed: " + std::string(text, size_t(len)));
}

}  // namespace leap::plugin
