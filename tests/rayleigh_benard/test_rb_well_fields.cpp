// The FluidSolver contract of RBSolver on any rank count: The Well's description (axes, fields,
// parameters), Advance landing exactly on its end time, and InjectWellFields(ExtractWellField(...))
// reproducing every field to float precision, block by block.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "rb_solver.h"

namespace {

using leap::rayleigh_benard::RBConfig;
using leap::rayleigh_benard::RBSolver;

RBConfig SmallCase(int64_t seed) {
  RBConfig cfg;
  cfg.nx = 30;  // uneven split over 4 ranks
  cfg.ny = 17;
  cfg.lx = 2.0;
  cfg.rayleigh = 5e4;
  cfg.prandtl = 0.7;
  cfg.perturbation = 0.2;
  cfg.seed = seed;
  return cfg;
}

TEST(RBWellFields, DescribesTheDatasetInTheWellsTerms) {
  std::unique_ptr<RBSolver> solver;
  ASSERT_EQ(RBSolver::Create(PETSC_COMM_WORLD, SmallCase(1), &solver), 0);
  EXPECT_EQ(solver->dataset_name(), "rayleigh_benard");
  const auto axes = solver->axes();
  ASSERT_EQ(axes.size(), 2u);
  EXPECT_EQ(axes[0].name, "x");
  EXPECT_EQ(axes[0].bc_type, "periodic");
  EXPECT_EQ(axes[0].size, 30);
  EXPECT_DOUBLE_EQ(axes[0].coords[1], 2.0 / 30);
  EXPECT_EQ(axes[1].name, "y");
  EXPECT_EQ(axes[1].bc_type, "wall");
  EXPECT_EQ(axes[1].size, 17);
  EXPECT_DOUBLE_EQ(axes[1].coords.front(), 0.0);
  EXPECT_DOUBLE_EQ(axes[1].coords.back(), 1.0);
  const auto fields = solver->well_fields();
  ASSERT_EQ(fields.size(), 3u);
  EXPECT_EQ(fields[0].name, "buoyancy");
  EXPECT_EQ(fields[0].order, 0);
  EXPECT_EQ(fields[1].name, "streamfunction");
  EXPECT_EQ(fields[1].order, 0);
  EXPECT_EQ(fields[2].name, "velocity");
  EXPECT_EQ(fields[2].order, 1);
  const auto params = solver->parameters();
  ASSERT_EQ(params.size(), 2u);
  EXPECT_EQ(params[0].first, "Rayleigh");
  EXPECT_DOUBLE_EQ(params[0].second, 5e4);
  EXPECT_EQ(params[1].first, "Prandtl");
  EXPECT_DOUBLE_EQ(params[1].second, 0.7);
}

TEST(RBWellFields, AdvanceLandsExactlyOnItsEndTime) {
  std::unique_ptr<RBSolver> solver;
  ASSERT_EQ(RBSolver::Create(PETSC_COMM_WORLD, SmallCase(1), &solver), 0);
  for (double t : {1e-3, 2.5e-3, 2.6e-3, 7e-3}) {
    ASSERT_EQ(solver->Advance(t), 0);
    EXPECT_EQ(solver->time(), t);
  }
  PetscPushErrorHandler(PetscReturnErrorHandler, nullptr);
  EXPECT_NE(solver->Advance(1e-3), 0) << "going back in time must be refused";
  PetscPopErrorHandler();
}

TEST(RBWellFields, InjectOfExtractReproducesEveryField) {
  std::unique_ptr<RBSolver> source, target;
  ASSERT_EQ(RBSolver::Create(PETSC_COMM_WORLD, SmallCase(1), &source), 0);
  ASSERT_EQ(RBSolver::Create(PETSC_COMM_WORLD, SmallCase(2), &target), 0);  // a different state
  ASSERT_EQ(source->Advance(5e-3), 0);                                      // nontrivial flow
  std::vector<std::vector<float>> fields;
  for (const auto& f : source->well_fields()) {
    fields.emplace_back();
    ASSERT_EQ(source->ExtractWellField(f.name, &fields.back()), 0) << f.name;
  }
  leap::data::Block block;
  ASSERT_EQ(source->GetBlock(&block), 0);
  ASSERT_EQ(fields[0].size(), size_t(block.cells()));
  ASSERT_EQ(fields[2].size(), size_t(2 * block.cells()));

  ASSERT_EQ(target->InjectWellFields(fields), 0);
  for (size_t k = 0; k < fields.size(); ++k) {
    const std::string name = source->well_fields()[k].name;
    std::vector<float> back;
    ASSERT_EQ(target->ExtractWellField(name, &back), 0);
    ASSERT_EQ(back.size(), fields[k].size());
    float scale = 0;
    for (float v : fields[k]) scale = std::max(scale, std::fabs(v));
    float local_scale = scale;
    MPI_Allreduce(&local_scale, &scale, 1, MPI_FLOAT, MPI_MAX, PETSC_COMM_WORLD);
    ASSERT_GT(scale, 0) << name << " is zero everywhere: the round trip would prove nothing";
    double worst = 0;
    for (size_t i = 0; i < back.size(); ++i)
      worst = std::max(worst, double(std::fabs(back[i] - fields[k][i])));
    EXPECT_LE(worst, 1e-5 * scale) << name << ": max |difference| " << worst << " for values up to " << scale;
  }
  // The injected state evolves like the original.
  ASSERT_EQ(target->Advance(target->time() + 1e-3), 0);

  PetscPushErrorHandler(PetscReturnErrorHandler, nullptr);
  auto wrong = fields;
  wrong[2].pop_back();
  EXPECT_NE(target->InjectWellFields(wrong), 0) << "a block of the wrong size must be refused";
  wrong.pop_back();
  EXPECT_NE(target->InjectWellFields(wrong), 0) << "a missing field must be refused";
  std::vector<float> none;
  EXPECT_NE(source->ExtractWellField("pressure", &none), 0) << "an unknown field must be refused";
  PetscPopErrorHandler();
}

// Its physics for the leap policy: a flow obeys the buoyancy's maximum principle; an injected state
// whose buoyancy leaves [0, 1] by more than the margin, or is not finite, is refused on every rank.
TEST(RBWellFields, AdmissibleIsTheBuoyancyMaximumPrinciple) {
  std::unique_ptr<RBSolver> solver;
  ASSERT_EQ(RBSolver::Create(PETSC_COMM_WORLD, SmallCase(1), &solver), 0);
  ASSERT_EQ(solver->Advance(5e-3), 0);
  EXPECT_TRUE(solver->ConservedDofs().empty());
  PetscBool ok = PETSC_FALSE;
  std::string why;
  ASSERT_EQ(solver->Admissible(&ok, &why), 0);
  EXPECT_TRUE(ok) << why;
  std::vector<std::vector<float>> fields;
  for (const auto& f : solver->well_fields()) {
    fields.emplace_back();
    ASSERT_EQ(solver->ExtractWellField(f.name, &fields.back()), 0);
  }
  leap::data::Block block;
  ASSERT_EQ(solver->GetBlock(&block), 0);
  // Buoyancy 1.2 in one interior cell of the last rank that owns interior cells of column 0.
  int rank = 0;
  MPI_Comm_rank(PETSC_COMM_WORLD, &rank);
  const bool mine = block.start[0] == 0 && block.start[1] <= 5 && 5 < block.start[1] + block.count[1];
  auto hot = fields;
  if (mine) hot[0][size_t(5 - block.start[1])] = 1.0f + 2 * float(RBSolver::kBuoyancyMargin);
  ASSERT_EQ(solver->InjectWellFields(hot), 0);
  ASSERT_EQ(solver->Admissible(&ok, &why), 0);
  EXPECT_FALSE(ok);
  EXPECT_NE(why.find("buoyancy in ["), std::string::npos) << why;
  // Within the margin: admissible.
  if (mine) hot[0][size_t(5 - block.start[1])] = 1.0f + 0.5f * float(RBSolver::kBuoyancyMargin);
  ASSERT_EQ(solver->InjectWellFields(hot), 0);
  ASSERT_EQ(solver->Admissible(&ok, &why), 0);
  EXPECT_TRUE(ok) << why;
}

}  // namespace
