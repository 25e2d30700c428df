// A small PETSc program for the coupling-route tests (test_ts_post_step, test_conformance): two
// coupled dofs (u, v) advected and diffused on a periodic unit square (a 2-D DMDA, centred
// differences), u_t = -a_u . grad u + nu lap u + k (v - u), v_t = -a_v . grad v + nu lap v + k (u - v),
// its initial state, and a Well file of its trajectory written frame by frame (the oracle emulator of
// the tests). Also: PETSc options set for a scope, and the rank, rank count and a per-rank-count
// directory of a test.
#pragma once

#include <petscdmda.h>
#include <petscts.h>

#include <cmath>
#include <filesystem>
#include <limits>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "leap/data/well_writer.h"
#include "leap/petsc/dmda_layout.h"

namespace leap::test {

inline int Rank() {
  int rank = 0;
  MPI_Comm_rank(PETSC_COMM_WORLD, &rank);
  return rank;
}

inline int Size() {
  int size = 1;
  MPI_Comm_size(PETSC_COMM_WORLD, &size);
  return size;
}

// A directory of this rank count's files (the runs on different rank counts may run concurrently).
inline std::filesystem::path RankCountDir(const std::string& stem) {
  return std::filesystem::temp_directory_path() / (stem + "_np" + std::to_string(Size()));
}

// The equations' parameters; the RHS's context.
struct Advection {
  DM da = nullptr;
  PetscReal nu = 0.002, coupling = 0.5;
};

inline PetscErrorCode AdvectionRHS(TS, PetscReal, Vec U, Vec F, void* ctx) {
  const Advection* p = static_cast<const Advection*>(ctx);
  DM da = p->da;
  Vec local;
  const PetscScalar*** u;
  PetscScalar*** f;
  PetscInt nx, ny, xs, ys, xm, ym;
  const PetscReal ax[2] = {1.0, -0.6}, ay[2] = {0.5, 0.8};
  PetscFunctionBeginUser;
  PetscCall(DMDAGetInfo(da, nullptr, &nx, &ny, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr,
                        nullptr, nullptr, nullptr));
  const PetscReal hx = 1.0 / PetscReal(nx), hy = 1.0 / PetscReal(ny);
  PetscCall(DMGetLocalVector(da, &local));
  PetscCall(DMGlobalToLocalBegin(da, U, INSERT_VALUES, local));
  PetscCall(DMGlobalToLocalEnd(da, U, INSERT_VALUES, local));
  PetscCall(DMDAVecGetArrayDOFRead(da, local, &u));
  PetscCall(DMDAVecGetArrayDOF(da, F, &f));
  PetscCall(DMDAGetCorners(da, &xs, &ys, nullptr, &xm, &ym, nullptr));
  for (PetscInt j = ys; j < ys + ym; ++j)
    for (PetscInt i = xs; i < xs + xm; ++i)
      for (PetscInt c = 0; c < 2; ++c) {
        const PetscScalar w = u[j][i][c];
        const PetscScalar lap = (u[j][i + 1][c] - 2 * w + u[j][i - 1][c]) / (hx * hx) +
                                (u[j + 1][i][c] - 2 * w + u[j - 1][i][c]) / (hy * hy);
        const PetscScalar adv = ax[c] * (u[j][i + 1][c] - u[j][i - 1][c]) / (2 * hx) +
                                ay[c] * (u[j + 1][i][c] - u[j - 1][i][c]) / (2 * hy);
        f[j][i][c] = -adv + p->nu * lap + p->coupling * (u[j][i][1 - c] - w);
      }
  PetscCall(DMDAVecRestoreArrayDOF(da, F, &f));
  PetscCall(DMDAVecRestoreArrayDOFRead(da, local, &u));
  PetscCall(DMRestoreLocalVector(da, &local));
  PetscFunctionReturn(0);
}

// u = offset + sin 2pi(x + phase) + cos(4 pi y) / 2 + 0.3 sin 2pi(x + 2y), v = cos 2pi x sin 2pi(y + phase)
// + 0.2 cos 2pi(3x - y), at cell centres.
inline PetscErrorCode AdvectionInitialState(DM da, PetscReal phase, PetscReal offset, Vec U) {
  PetscScalar*** u;
  PetscInt nx, ny, xs, ys, xm, ym;
  const PetscReal two_pi = 2 * PETSC_PI;
  PetscFunctionBeginUser;
  PetscCall(DMDAGetInfo(da, nullptr, &nx, &ny, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr,
                        nullptr, nullptr, nullptr));
  PetscCall(DMDAGetCorners(da, &xs, &ys, nullptr, &xm, &ym, nullptr));
  PetscCall(DMDAVecGetArrayDOF(da, U, &u));
  for (PetscInt j = ys; j < ys + ym; ++j)
    for (PetscInt i = xs; i < xs + xm; ++i) {
      const PetscReal x = (PetscReal(i) + 0.5) / PetscReal(nx), y = (PetscReal(j) + 0.5) / PetscReal(ny);
      u[j][i][0] = offset + std::sin(two_pi * (x + phase)) + 0.5 * std::cos(2 * two_pi * y) +
                   0.3 * std::sin(two_pi * (x + 2 * y));
      u[j][i][1] =
          std::cos(two_pi * x) * std::sin(two_pi * (y + phase)) + 0.2 * std::cos(two_pi * (3 * x - y));
    }
  PetscCall(DMDAVecRestoreArrayDOF(da, U, &u));
  PetscFunctionReturn(0);
}

// A Well file of the program's trajectory, one frame per Write (append mode), with an optional +inf
// planted in cell (0, 0) of u at the steps = 1 (mod 3).
class TrajectoryFile {
 public:
  TrajectoryFile(const std::string& path, PetscInt nx, PetscInt ny, bool inf_every_third = false)
      : inf_every_third_(inf_every_third) {
    data::WellLayout L;
    L.dataset_name = "advection_diffusion";
    data::WellAxis x{"x", nx, {}, "periodic"}, y{"y", ny, {}, "periodic"};
    for (PetscInt i = 0; i < nx; ++i) x.coords.push_back((double(i) + 0.5) / double(nx));
    for (PetscInt j = 0; j < ny; ++j) y.coords.push_back((double(j) + 0.5) / double(ny));
    L.axes = {x, y};
    for (const char* name : {"u", "v"}) {
      data::WellField f;
      f.name = name;
      f.order = 0;
      f.dim_varying = {true, true};
      L.fields.push_back(f);
    }
    L.n_trajectories = 1;
    L.n_steps = 0;  // grows by one frame per Write
    writer_ = std::make_unique<data::WellWriter>(PETSC_COMM_WORLD, path, L);
  }

  PetscErrorCode Write(DM da, PetscInt step, PetscReal t, Vec u) {
    data::Block block;
    std::vector<float> buf;
    PetscFunctionBeginUser;
    PetscCall(petsc::LeapDMDAGetBlock(da, &block));
    const int64_t k = writer_->append_frame(double(t));
    PetscCheck(k == step, PETSC_COMM_SELF, PETSC_ERR_PLIB, "frame %d written as step %d", int(k), int(step));
    for (PetscInt c = 0; c < 2; ++c) {
      PetscCall(petsc::LeapDMDACopyToWellOrder(da, u, {c}, &buf));
      if (inf_every_third_ && c == 0 && step % 3 == 1 && block.start[0] == 0 && block.start[1] == 0 &&
          !buf.empty())
        buf[0] = std::numeric_limits<float>::infinity();
      writer_->write_frame(0, k, c == 0 ? "u" : "v", buf.data(), block);
    }
    PetscFunctionReturn(0);
  }

  void Finish() {
    writer_->mark_complete(1);
    writer_->finish();
  }

 private:
  bool inf_every_third_;
  std::unique_ptr<data::WellWriter> writer_;
};

// PETSc options set for a scope.
class ScopedOptions {
 public:
  using Options = std::vector<std::pair<std::string, std::string>>;
  explicit ScopedOptions(Options options) : options_(std::move(options)) {
    for (const auto& [name, value] : options_)
      PetscOptionsSetValue(nullptr, name.c_str(), value.empty() ? nullptr : value.c_str());
  }
  ScopedOptions(const std::string& name, const std::string& value) : ScopedOptions(Options{{name, value}}) {}
  ~ScopedOptions() {
    for (const auto& [name, value] : options_) PetscOptionsClearValue(nullptr, name.c_str());
  }
  ScopedOptions(const ScopedOptions&) = delete;
  ScopedOptions& operator=(const ScopedOptions&) = delete;

 private:
  std::vector<std::pair<std::string, std::string>> options_;
};

}  // namespace leap::test
