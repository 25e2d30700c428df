// Private to libleap_petsc: small helpers the TS routes share (the TS type "leap" and the
// post-step attachment, the frame-by-frame attachment): agreeing on rank 0's verdict, PETSc errors
// through the leap policy, and JSON strings for the run summaries.
#pragma once

#include <petscsys.h>

#include <nlohmann/json.hpp>
#include <string>

#include "leap/error.h"

namespace leap::petsc {

// Rank 0's problem (empty: none), on every rank of `comm`. Collective.
inline PetscErrorCode AgreeOnProblem(MPI_Comm comm, std::string* problem) {
  PetscFunctionBeginUser;
  int len = int(problem->size());
  PetscCallMPI(MPI_Bcast(&len, 1, MPI_INT, 0, comm));
  problem->resize(size_t(len));
  if (len > 0) PetscCallMPI(MPI_Bcast(problem->data(), len, MPI_CHAR, 0, comm));
  PetscFunctionReturn(0);
}

// A PETSc error inside a plugin::LeapSolver call, carried through the leap policy as an exception
// (PetscCheckThrow); the route turns it back into its error code with PetscCall(e.ierr).
struct PetscFailure : Error {
  explicit PetscFailure(PetscErrorCode code)
      : Error("PETSc error " + std::to_string(int(code))), ierr(code) {}
  PetscErrorCode ierr;
};

inline void PetscCheckThrow(PetscErrorCode ierr) {
  if (ierr) throw PetscFailure(ierr);
}

// `s` as a quoted, escaped JSON string.
inline std::string JsonString(const std::string& s) {
  return nlohmann::json(s).dump();
}

}  // namespace leap::petsc
