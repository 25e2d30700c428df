// The Euler solver on several ranks (run as _np1, _np2, _np4):
//  - rank invariance: the same multi-quadrant run on this rank count and on one rank (solved on
//    PETSC_COMM_SELF by rank 0 inside the test) gives the same fields, so every rank count checks
//    itself;
//  - the Well-field round trip on distributed blocks: ExtractWellField gives each rank's block in
//    The Well's order [x][y][component], and InjectWellFields of those blocks restores the state.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "euler2d/gas_state.h"
#include "euler_test_support.h"

namespace leap::euler2d {
namespace {

using test::GatherNatural;
using test::MakeSolver;

class Euler2dParallel : public ::testing::TestWithParam<const char*> {};

TEST_P(Euler2dParallel, EveryRankCountGivesTheSameFields) {
  // 30 x 26 cells split unevenly over 2 and 4 ranks.
  EulerConfig cfg = test::SmallConfig("quadrants", 30, 26);
  cfg.boundary = GetParam();
  cfg.seed = 9;
  cfg.gamma = 1.365;
  const PetscReal t_end = 0.25;
  std::unique_ptr<EulerSolver> solver;
  ASSERT_NO_FATAL_FAILURE(MakeSolver(PETSC_COMM_WORLD, cfg, &solver));
  ASSERT_EQ(solver->Advance(t_end), 0);
  std::vector<PetscReal> distributed;
  ASSERT_EQ(GatherNatural(solver->dm(), solver->solution(), &distributed), 0);
  const PetscInt steps = solver->steps();

  int rank = 0, size = 1;
  MPI_Comm_rank(PETSC_COMM_WORLD, &rank);
  MPI_Comm_size(PETSC_COMM_WORLD, &size);
  if (rank != 0) return;
  std::unique_ptr<EulerSolver> serial;
  ASSERT_NO_FATAL_FAILURE(MakeSolver(PETSC_COMM_SELF, cfg, &serial));
  ASSERT_EQ(serial->Advance(t_end), 0);
  EXPECT_EQ(serial->steps(), steps);
  EXPECT_GT(steps, 50);
  PetscInt n;
  const PetscScalar* a;
  ASSERT_EQ(VecGetLocalSize(serial->solution(), &n), 0);
  ASSERT_EQ(size_t(n), distributed.size());
  ASSERT_EQ(n, 4 * 30 * 26);
  VecGetArrayRead(serial->solution(), &a);  // one rank: global order is the natural order
  double max_diff = 0;
  for (PetscInt k = 0; k < n; ++k)
    max_diff = std::max(max_diff, std::abs(double(a[k] - distributed[size_t(k)])));
  VecRestoreArrayRead(serial->solution(), &a);
  std::printf("[ ranks    ] %s boundaries, %d rank(s) vs 1: %d steps, max |difference| = %.3e\n", GetParam(),
              size, int(steps), max_diff);
  EXPECT_LE(max_diff, 1e-12);
}

INSTANTIATE_TEST_SUITE_P(Boundaries, Euler2dParallel, ::testing::Values("periodic", "open"));

TEST(Euler2dWellFields, ExtractThenInjectReproducesTheState) {
  EulerConfig cfg = test::SmallConfig("quadrants", 22, 18);
  cfg.seed = 21;
  cfg.boundary = "open";
  std::unique_ptr<EulerSolver> solver;
  ASSERT_NO_FATAL_FAILURE(MakeSolver(PETSC_COMM_WORLD, cfg, &solver));
  ASSERT_EQ(solver->Advance(0.03), 0);  // a state with waves in it, not only the quadrants

  data::Block block;
  ASSERT_EQ(solver->GetBlock(&block), 0);
  const size_t cells = size_t(block.cells());
  std::vector<std::vector<float>> fields;
  for (const auto& f : solver->well_fields()) {
    fields.emplace_back();
    ASSERT_EQ(solver->ExtractWellField(f.name, &fields.back()), 0) << f.name;
    EXPECT_EQ(fields.back().size(), cells * (f.order == 1 ? 2 : 1)) << f.name;
  }
  // The layout: [x][y][component] over the block, x slowest.
  {
    const Conserved** u;
    const PetscInt xs = PetscInt(block.start[0]), ys = PetscInt(block.start[1]);
    const PetscInt xm = PetscInt(block.count[0]), ym = PetscInt(block.count[1]);
    DMDAVecGetArrayRead(solver->dm(), solver->solution(), &u);
    for (PetscInt i = 0; i < xm; ++i)
      for (PetscInt j = 0; j < ym; ++j) {
        const size_t k = size_t(i) * size_t(ym) + size_t(j);
        const Conserved& c = u[ys + j][xs + i];
        ASSERT_EQ(fields[0][k], float(c.E));
        ASSERT_EQ(fields[1][k], float(c.rho));
        ASSERT_EQ(fields[2][k], float(ToPrimitive(c, cfg.gamma).p));
        ASSERT_EQ(fields[3][2 * k], float(c.mx));
        ASSERT_EQ(fields[3][2 * k + 1], float(c.my));
      }
    DMDAVecRestoreArrayRead(solver->dm(), solver->solution(), &u);
  }

  Vec saved;
  VecDuplicate(solver->solution(), &saved);
  VecCopy(solver->solution(), saved);
  VecSet(solver->solution(), -1.0);  // the injection must overwrite everything
  ASSERT_EQ(solver->InjectWellFields(fields), 0);
  Vec diff;
  VecDuplicate(saved, &diff);
  VecWAXPY(diff, -1.0, saved, solver->solution());
  VecAbs(diff);
  VecPointwiseDivide(diff, diff, saved);  // relative, per entry (densities and energies > 0)
  PetscReal worst = -1;
  // Momentum entries can be near zero: compare them against the local density scale instead.
  {
    const Conserved** s;
    Conserved** d;
    PetscInt xs, ys, xm, ym;
    DMDAGetCorners(solver->dm(), &xs, &ys, nullptr, &xm, &ym, nullptr);
    DMDAVecGetArrayRead(solver->dm(), saved, &s);
    DMDAVecGetArray(solver->dm(), diff, &d);
    for (PetscInt j = ys; j < ys + ym; ++j)
      for (PetscInt i = xs; i < xs + xm; ++i) {
        d[j][i].mx *= std::abs(s[j][i].mx) / (std::abs(s[j][i].mx) + s[j][i].rho);
        d[j][i].my *= std::abs(s[j][i].my) / (std::abs(s[j][i].my) + s[j][i].rho);
      }
    DMDAVecRestoreArray(solver->dm(), diff, &d);
    DMDAVecRestoreArrayRead(solver->dm(), saved, &s);
  }
  VecNorm(diff, NORM_INFINITY, &worst);
  EXPECT_LE(worst, 1.2e-7);  // float32 rounding: 2^-24 relative, plus the momentum rescaling
  EXPECT_GE(worst, 0);
  // The restored state steps on like the original.
  ASSERT_EQ(solver->Advance(0.05), 0);
  PetscReal rho_min, p_min;
  ASSERT_EQ(solver->MinDensityPressure(&rho_min, &p_min), 0);
  EXPECT_GT(rho_min, 0);
  EXPECT_GT(p_min, 0);
  VecDestroy(&diff);
  VecDestroy(&saved);
}

}  // namespace
}  // namespace leap::euler2d
