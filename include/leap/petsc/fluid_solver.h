// The contract between LEAP and a PETSc fluid solver built on a 2-D or 3-D DMDA and a TS: what the dataset
// generator, the recorder and the hybrid controller need to know of a solver, and nothing more.
// LEAP's example solvers (examples/euler2d, examples/rayleigh_benard) implement it.
#pragma once

#include <petscdmda.h>
#include <petscts.h>

#include <string>
#include <utility>
#include <vector>

#include "leap/data/well_file.h"
#include "leap/data/well_writer.h"
#include "leap/petsc/conserved_totals.h"

namespace leap::petsc {

class FluidSolver {
 public:
  virtual ~FluidSolver() = default;

  virtual DM dm() const = 0;  // the 2-D or 3-D DMDA of the state
  virtual TS ts() const = 0;  // the time stepper (its solution vector is the state)
  virtual Vec solution() const = 0;
  PetscReal time() const;

  // Integrates from the current time to exactly t_end (the last step is shortened to land on it).
  virtual PetscErrorCode Advance(PetscReal t_end) = 0;

  // Dataset description in The Well's terms.
  virtual std::string dataset_name() const = 0;
  virtual std::vector<data::WellAxis> axes() const = 0;                        // x, y(, z), with bc_type
  virtual std::vector<data::WellField> well_fields() const = 0;                // name + order (0 or 1)
  virtual std::vector<std::pair<std::string, double>> parameters() const = 0;  // e.g. gamma; Ra, Pr

  // This rank's block of a field, float32 in The Well's order [x][y]([z])[component].
  virtual PetscErrorCode ExtractWellField(const std::string& name, std::vector<float>* out) const = 0;
  // Sets the state from this rank's block of every field in well_fields() (same order and layout
  // as ExtractWellField), deriving the solver's own variables (e.g. conserved from primitive).
  virtual PetscErrorCode InjectWellFields(const std::vector<std::vector<float>>& fields) = 0;

  // The rank's block along (x, y) or (x, y, z).
  PetscErrorCode GetBlock(data::Block* block) const;

  // Solver physics a hybrid run relies on: the leap policy asks the solver, never the command line.
  // The dofs whose domain totals this solver conserves on its boundaries (none by default).
  virtual std::vector<ConservedDof> ConservedDofs() const { return {}; }
  // Puts the totals of ConservedDofs() back to `target` (same order; collective); *ok false where
  // that cannot keep the state admissible. By default one uniform correction per dof
  // (LeapRestoreConservedSums).
  virtual PetscErrorCode RestoreConserved(const std::vector<PetscScalar>& target, PetscBool* ok);
  // Whether the current state is admissible (collective, the same answer on every rank); *why says
  // why not. By default every state is (a finite one: the policy checks that itself).
  virtual PetscErrorCode Admissible(PetscBool* ok, std::string* why) const;
  // The domain mean of the kinetic energy per unit volume (collective, the same on every rank), a
  // quantity of interest of parameter studies. PETSC_ERR_SUP by default (a solver without one).
  virtual PetscErrorCode KineticEnergy(PetscReal* ke) const;
};

}  // namespace leap::petsc
