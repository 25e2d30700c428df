// The 3-D Euler solver on several ranks (run as _np1, _np2, _np4):
//  - rank invariance: the same octant run on this rank count and on one rank (solved on
//    PETSC_COMM_SELF by rank 0 inside the test) gives the same fields, on a grid of odd sizes that
//    every rank count splits unevenly, with periodic and with mixed open/periodic boundaries;
//  - the Well-field round trip on distributed blocks: ExtractWellField gives each rank's block in
//    The Well's order [x][y][z][component], and InjectWellFields of those blocks restores the state.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "euler3d_test_support.h"

namespace leap::euler3d {
namespace {

using test::Conserved;
using test::GatherNatural;
using test::MakeSolver;

class Euler3dParallel : public ::testing::TestWithParam<const char*> {};

// periodic, mixed: PETSc's decomposition (2 ranks: 2 x 1 x 1, 4 ranks: 2 x 2 x 1); mixed_z: every
// rank a slab along z (13 cells: 7 + 6 on 2 ranks, 4 + 3 + 3 + 3 on 4).
TEST_P(Euler3dParallel, EveryRankCountGivesTheSameFields) {
  const std::string variant = GetParam();
  EulerConfig cfg = test::SmallConfig("octants", 19, 15, 13);
  if (variant != "periodic") cfg.boundary = {"open", "periodic", "open"};
  cfg.seed = 9;
  cfg.gamma = 1.365;
  const PetscReal t_end = 0.2;
  int rank = 0, size = 1;
  MPI_Comm_rank(PETSC_COMM_WORLD, &rank);
  MPI_Comm_size(PETSC_COMM_WORLD, &size);
  std::unique_ptr<EulerSolver> solver;
  if (variant == "mixed_z") {
    PetscOptionsSetValue(nullptr, "-zslabs_da_processors_z", std::to_string(size).c_str());
    ASSERT_EQ(EulerSolver::Create(PETSC_COMM_WORLD, cfg, &solver, "zslabs_"), 0);
    PetscOptionsClearValue(nullptr, "-zslabs_da_processors_z");
  } else {
    ASSERT_NO_FATAL_FAILURE(MakeSolver(PETSC_COMM_WORLD, cfg, &solver));
  }
  ASSERT_EQ(solver->Advance(t_end), 0);
  std::vector<PetscReal> distributed;
  ASSERT_EQ(GatherNatural(solver->dm(), solver->solution(), &distributed), 0);
  const PetscInt steps = solver->steps();
  PetscInt px, py, pz;
  DMDAGetInfo(solver->dm(), nullptr, nullptr, nullptr, nullptr, &px, &py, &pz, nullptr, nullptr, nullptr,
              nullptr, nullptr, nullptr);

  if (variant == "mixed_z") {
    EXPECT_EQ(pz, size);
  }
  if (rank != 0) return;
  std::unique_ptr<EulerSolver> serial;
  ASSERT_NO_FATAL_FAILURE(MakeSolver(PETSC_COMM_SELF, cfg, &serial));
  ASSERT_EQ(serial->Advance(t_end), 0);
  EXPECT_EQ(serial->steps(), steps);
  EXPECT_GT(steps, 60);
  PetscInt n;
  const PetscScalar* a;
  ASSERT_EQ(VecGetLocalSize(serial->solution(), &n), 0);
  ASSERT_EQ(size_t(n), distributed.size());
  ASSERT_EQ(n, 5 * 19 * 15 * 13);
  VecGetArrayRead(serial->solution(), &a);  // one rank: global order is the natural order
  double max_diff = 0;
  for (PetscInt k = 0; k < n; ++k)
    max_diff = std::max(max_diff, std::abs(double(a[k] - distributed[size_t(k)])));
  VecRestoreArrayRead(serial->solution(), &a);
  std::printf(
      "[ ranks    ] %s boundaries, %d rank(s) as %d x %d x %d vs 1: %d steps, max |difference| = %.3e\n",
      GetParam(), size, int(px), int(py), int(pz), int(steps), max_diff);
  EXPECT_LE(max_diff, 1e-13);
}

INSTANTIATE_TEST_SUITE_P(Boundaries, Euler3dParallel, ::testing::Values("periodic", "mixed", "mixed_z"));

TEST(Euler3dWellFields, ExtractThenInjectReproducesTheState) {
  EulerConfig cfg = test::SmallConfig("blast", 14, 11, 9);
  cfg.boundary = {"open", "periodic", "open"};
  cfg.blast.radius = 0.25;
  std::unique_ptr<EulerSolver> solver;
  ASSERT_NO_FATAL_FAILURE(MakeSolver(PETSC_COMM_WORLD, cfg, &solver));
  ASSERT_EQ(solver->Advance(0.02), 0);  // a state with waves and flow in it

  const test::Box b = test::OwnedBox(*solver);
  const size_t cells = b.cells();
  std::vector<std::vector<float>> fields;
  for (const auto& f : solver->well_fields()) {
    fields.emplace_back();
    ASSERT_EQ(solver->ExtractWellField(f.name, &fields.back()), 0) << f.name;
    EXPECT_EQ(fields.back().size(), cells * (f.order == 1 ? 3 : 1)) << f.name;
  }
  // The layout: [x][y][z][component] over the block, x slowest.
  {
    const Conserved*** u;
    DMDAVecGetArrayRead(solver->dm(), solver->solution(), &u);
    for (PetscInt i = 0; i < b.xm; ++i)
      for (PetscInt j = 0; j < b.ym; ++j)
        for (PetscInt k = 0; k < b.zm; ++k) {
          const size_t n = (size_t(i) * size_t(b.ym) + size_t(j)) * size_t(b.zm) + size_t(k);
          const Conserved& c = u[b.zs + k][b.ys + j][b.xs + i];
          ASSERT_EQ(fields[0][n], float(c.E));
          ASSERT_EQ(fields[1][n], float(c.rho));
          ASSERT_EQ(fields[2][n], float(euler::ToPrimitive(c, cfg.gamma).p));
          ASSERT_EQ(fields[3][3 * n], float(c.mx));
          ASSERT_EQ(fields[3][3 * n + 1], float(c.my));
          ASSERT_EQ(fields[3][3 * n + 2], float(c.mz));
        }
    DMDAVecRestoreArrayRead(solver->dm(), solver->solution(), &u);
  }
  // Some momentum in every direction: the test sees every component move.
  for (int c = 0; c < 3; ++c) {
    float largest = 0;
    for (size_t n = 0; n < cells; ++n) largest = std::max(largest, std::abs(fields[3][3 * n + size_t(c)]));
    float global = 0;
    MPI_Allreduce(&largest, &global, 1, MPI_FLOAT, MPI_MAX, PETSC_COMM_WORLD);
    EXPECT_GT(global, 1e-3f) << "component " << c;
  }

  Vec saved;
  VecDuplicate(solver->solution(), &saved);
  VecCopy(solver->solution(), saved);
  VecSet(solver->solution(), -1.0);  // the injection must overwrite everything
  ASSERT_EQ(solver->InjectWellFields(fields), 0);
  // Relative error per entry; momentum against the local density scale (it may be near zero).
  double worst = 0;
  {
    const Conserved ***s, ***r;
    DMDAVecGetArrayRead(solver->dm(), saved, &s);
    DMDAVecGetArrayRead(solver->dm(), solver->solution(), &r);
    for (PetscInt k = b.zs; k < b.zs + b.zm; ++k)
      for (PetscInt j = b.ys; j < b.ys + b.ym; ++j)
        for (PetscInt i = b.xs; i < b.xs + b.xm; ++i) {
          const Conserved &o = s[k][j][i], &n = r[k][j][i];
          worst = std::max({worst, std::abs(n.rho - o.rho) / o.rho, std::abs(n.E - o.E) / o.E,
                            std::abs(n.mx - o.mx) / (std::abs(o.mx) + o.rho),
                            std::abs(n.my - o.my) / (std::abs(o.my) + o.rho),
                            std::abs(n.mz - o.mz) / (std::abs(o.mz) + o.rho)});
        }
    DMDAVecRestoreArrayRead(solver->dm(), solver->solution(), &r);
    DMDAVecRestoreArrayRead(solver->dm(), saved, &s);
  }
  double global_worst = 0;
  MPI_Allreduce(&worst, &global_worst, 1, MPI_DOUBLE, MPI_MAX, PETSC_COMM_WORLD);
  PetscPrintf(PETSC_COMM_WORLD, "[ roundtrip] largest relative change after extract + inject: %.3e\n",
              global_worst);
  EXPECT_LE(global_worst, 1.2e-7);  // float32 rounding: 2^-24 relative, plus the momentum rescaling
  EXPECT_GT(global_worst, 0);       // it did go through float32
  // The restored state steps on like the original.
  ASSERT_EQ(solver->Advance(0.05), 0);
  PetscReal rho_min, p_min;
  ASSERT_EQ(solver->MinDensityPressure(&rho_min, &p_min), 0);
  EXPECT_GT(rho_min, 0);
  EXPECT_GT(p_min, 0);
  VecDestroy(&saved);
}

}  // namespace
}  // namespace leap::euler3d
