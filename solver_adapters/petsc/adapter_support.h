// Private to libleap_petsc: small helpers the TS routes share (the TS type "leap" and the
// post-step attachment, the frame-by-frame attachment): agreeing on a problem, PETSc errors
// through the leap policy, and JSON strings for the run summaries.
#pragma once

#include <petscsys.h>

#include <nlohmann/json.hpp>
#include <string>

#include "leap/error.h"
#include "leap/plugin/collective_error.h"

namespace leap::petsc {

// Where a failure caught in a route is reported: on `comm` (by its first rank) when every rank
// learned it together (leap::AgreedFailure), else on this rank alone (PETSC_COMM_SELF), which is
// the only one that knows it: its message is never lost.
inline MPI_Comm ErrorComm(MPI_Comm comm, const std::exception& e) { return is_agreed(e) ? comm : PETSC_COMM_SELF; }

// The lowest failing rank's problem ("rank N: ..."; empty: none), on every rank of `comm`: the one
// collective-error helper (leap/plugin/collective_error.h) in PETSc's error style. Collective.
inline PetscErrorCode AgreeOnProblem(MPI_Comm comm, std::string* problem) {
  PetscFunctionBeginUser;
  try {
    *problem = plugin::first_problem(comm, *problem);
  } catch (const std::exception& e) {
    SETERRQ(comm, PETSC_ERR_LIB, "LEAP: %s", e.what());
  }
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
