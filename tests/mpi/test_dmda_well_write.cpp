// Collective dataset writing from a distributed DMDA: on any rank count (uneven splits included),
// every value lands where the natural ordering says, so 1, 2 and 4 ranks write identical files.
#include <gtest/gtest.h>
#include <petscdmda.h>
#include <petscdmshell.h>

#include <filesystem>

#include "leap/data/well_writer.h"
#include "leap/petsc/dmda_layout.h"
#include "well_fixture.h"

using namespace leap;

TEST(DMDAWellWrite, EveryRankCountWritesTheSameFile) {
  const PetscInt nx = 13, ny = 10;  // 13 cells split unevenly over 2 and 4 ranks
  DM da;
  ASSERT_EQ(DMDACreate2d(PETSC_COMM_WORLD, DM_BOUNDARY_PERIODIC, DM_BOUNDARY_NONE, DMDA_STENCIL_BOX, nx, ny,
                         PETSC_DECIDE, PETSC_DECIDE, 3, 2, nullptr, nullptr, &da), 0);
  DMSetUp(da);
  DMDASetFieldName(da, 0, "a");
  std::vector<std::string> names;
  ASSERT_EQ(petsc::LeapDMDAGetFieldNames(da, &names), 0);
  EXPECT_EQ(names, (std::vector<std::string>{"a", "dof_1", "dof_2"}));

  Vec u;
  DMCreateGlobalVector(da, &u);
  data::Block block;
  ASSERT_EQ(petsc::LeapDMDAGetBlock(da, &block), 0);

  int rank = 0;
  MPI_Comm_rank(PETSC_COMM_WORLD, &rank);
  std::string dir = (std::filesystem::temp_directory_path() / "leap_dmda_write").string();
  if (rank == 0) std::filesystem::create_directories(dir);
  MPI_Barrier(PETSC_COMM_WORLD);
  int size = 1;
  MPI_Comm_size(PETSC_COMM_WORLD, &size);
  const std::string path = dir + "/np" + std::to_string(size) + ".hdf5";
  {
    data::WellWriter writer(PETSC_COMM_WORLD, path, test::small_layout(nx, ny, 2, 2));
    for (int64_t t = 0; t < 2; ++t)
      for (int64_t s = 0; s < 2; ++s) {
        PetscScalar*** a;
        DMDAVecGetArrayDOF(da, u, &a);
        for (PetscInt j = block.start[1]; j < block.start[1] + block.count[1]; ++j)
          for (PetscInt i = block.start[0]; i < block.start[0] + block.count[0]; ++i)
            for (int c = 0; c < 3; ++c) a[j][i][c] = test::value_at(t, s, i, j, c);
        DMDAVecRestoreArrayDOF(da, u, &a);
        std::vector<float> buf;
        ASSERT_EQ(petsc::LeapDMDACopyToWellOrder(da, u, {0}, &buf), 0);
        writer.write_frame(t, s, "a", buf.data(), block);
        ASSERT_EQ(petsc::LeapDMDACopyToWellOrder(da, u, {1, 2}, &buf), 0);
        writer.write_frame(t, s, "v", buf.data(), block);
      }
    writer.finish();
  }
  if (rank == 0) {
    data::WellFile f(path);
    for (int64_t t = 0; t < 2; ++t)
      for (int64_t s = 0; s < 2; ++s) {
        const auto state = f.read_state(t, s);
        for (int c = 0; c < 3; ++c)
          for (int64_t i = 0; i < nx; ++i)
            for (int64_t j = 0; j < ny; ++j)
              ASSERT_EQ(state[size_t((c * nx + i) * ny + j)], test::value_at(t, s, i, j, c))
                  << "t=" << t << " s=" << s << " c=" << c << " i=" << i << " j=" << j;
      }
  }
  VecDestroy(&u);
  DMDestroy(&da);
}

TEST(DMDAWellWrite, RefusesNonDMDA) {
  DM dm;
  DMShellCreate(PETSC_COMM_WORLD, &dm);
  PetscPushErrorHandler(PetscReturnErrorHandler, nullptr);
  data::Block block;
  EXPECT_EQ(petsc::LeapDMDAGetBlock(dm, &block), PETSC_ERR_ARG_WRONG);
  PetscPopErrorHandler();
  DMDestroy(&dm);
}
