// Uses the installed C API, the C++ data layer and the PETSc adapter: prints the version and the
// block a one-rank DMDA owns.
#include <leap/leap.h>
#include <leap/petsc/dmda_layout.h>

#include <cstdio>

int main(int argc, char** argv) {
  PetscCall(PetscInitialize(&argc, &argv, nullptr, nullptr));
  DM da;
  PetscCall(DMDACreate2d(PETSC_COMM_WORLD, DM_BOUNDARY_PERIODIC, DM_BOUNDARY_PERIODIC, DMDA_STENCIL_STAR, 8, 4,
                         PETSC_DECIDE, PETSC_DECIDE, 1, 1, nullptr, nullptr, &da));
  PetscCall(DMSetUp(da));
  leap::data::Block block;
  PetscCall(leap::petsc::LeapDMDAGetBlock(da, &block));
  std::printf("leap %s block %lld x %lld\n", leap_version(), (long long)block.count[0], (long long)block.count[1]);
  PetscCall(DMDestroy(&da));
  PetscCall(PetscFinalize());
  return 0;
}
