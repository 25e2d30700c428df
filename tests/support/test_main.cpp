// GoogleTest main for LEAP's tests: initialises MPI and PETSc (so the same binary runs alone or
// under mpiexec) and lets only rank 0 print, while a failure on any rank fails the test.
#include <gtest/gtest.h>
#include <petscsys.h>

#include <memory>

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  if (PetscInitialize(&argc, &argv, nullptr, nullptr)) return 1;
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  auto& listeners = ::testing::UnitTest::GetInstance()->listeners();
  std::unique_ptr<::testing::TestEventListener> silenced;
  if (rank != 0) silenced.reset(listeners.Release(listeners.default_result_printer()));
  int local = RUN_ALL_TESTS();
  int global = 0;
  MPI_Allreduce(&local, &global, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  PetscFinalize();
  return global;
}
