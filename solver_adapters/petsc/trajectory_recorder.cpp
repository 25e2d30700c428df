#include "leap/petsc/trajectory_recorder.h"

#include <petsc/private/tsimpl.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "adapter_support.h"
#include "leap/data/dataset_stats.h"
#include "leap/data/well_file.h"
#include "leap/data/well_writer.h"
#include "leap/petsc/dmda_layout.h"
#include "leap/util/atomic_file.h"
#include "leap/util/fault_injection.h"

namespace fs = std::filesystem;

namespace leap::petsc {

namespace {

struct Recorder {
  std::string out_dir;
  std::string split = "train";
  std::string name = "petsc_ts";
  PetscInt every = 1;
  std::unique_ptr<data::WellWriter> writer;
  std::vector<std::string> fields;
  data::Block block;
  MPI_Comm comm = MPI_COMM_NULL;
  std::string path;
  // A recorded step failed: the file stays unfinished (NAME.hdf5.partial) and is never completed,
  // and, since the failure may be this rank's alone, it is given up without collective calls.
  bool failed = false;
};

PetscErrorCode OpenWriter(Recorder* r, TS ts, DM da) {
  PetscInt dim, M, N, P, dof;
  DMBoundaryType bx, by, bz;
  PetscFunctionBeginUser;
  PetscCall(LeapDMDACheckDimension(da, &dim));
  PetscCall(
      DMDAGetInfo(da, nullptr, &M, &N, &P, nullptr, nullptr, nullptr, &dof, nullptr, &bx, &by, &bz, nullptr));
  PetscCall(LeapDMDAGetFieldNames(da, &r->fields));
  PetscCall(LeapDMDAGetBlock(da, &r->block));
  r->comm = PetscObjectComm((PetscObject)ts);
  data::WellLayout L;
  L.dataset_name = r->name;
  const PetscInt sizes[3] = {M, N, P};
  const DMBoundaryType types[3] = {bx, by, bz};
  const char* names[3] = {"x", "y", "z"};
  for (int a = 0; a < dim; ++a) {
    data::WellAxis ax;
    ax.name = names[a];
    ax.size = sizes[a];
    ax.bc_type = types[a] == DM_BOUNDARY_PERIODIC ? "periodic" : "open";
    for (PetscInt i = 0; i < sizes[a]; ++i) ax.coords.push_back((double(i) + 0.5) / double(sizes[a]));
    L.axes.push_back(ax);
  }
  for (const auto& f : r->fields) {
    data::WellField wf;
    wf.name = f;
    wf.order = 0;
    L.fields.push_back(wf);
  }
  L.n_trajectories = 1;
  L.n_steps = 0;  // grows with every recorded step
  PetscMPIInt rank;
  PetscCallMPI(MPI_Comm_rank(r->comm, &rank));
  // The dataset DIR/<name> in The Well's layout; files already in it must share this layout.
  const fs::path dir = fs::path(r->out_dir) / r->name / "data" / r->split;
  std::string problem;
  if (rank == 0) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec || !fs::is_directory(dir)) problem = "cannot create the directory " + dir.string();
    for (const char* split : {"train", "valid", "test"}) {
      const fs::path d = fs::path(r->out_dir) / r->name / "data" / split;
      if (!problem.empty() || !fs::is_directory(d)) continue;
      for (const auto& e : fs::directory_iterator(d, ec)) {
        if (e.path().extension() != ".hdf5" || !problem.empty()) continue;
        try {
          const std::string diff = data::layout_difference(L, data::WellFile(e.path().string()).layout());
          if (!diff.empty())
            problem = e.path().string() + " is of another layout (" + diff +
                      "); a dataset's files share one layout: choose another -leap_out or -leap_dataset_name";
        } catch (const std::exception& err) {
          problem = e.path().string() + " is in the dataset but unreadable: " + err.what();
        }
      }
    }
  }
  int ok = problem.empty() ? 1 : 0;
  PetscCallMPI(MPI_Bcast(&ok, 1, MPI_INT, 0, r->comm));
  PetscCheck(ok, r->comm, PETSC_ERR_FILE_OPEN, "LEAP: -leap_out %s: %s", r->out_dir.c_str(),
             rank == 0 ? problem.c_str() : "refused on rank 0");
  r->path = (dir / (r->name + ".hdf5")).string();
  try {
    r->writer = std::make_unique<data::WellWriter>(r->comm, r->path, L);
  } catch (const std::exception& e) {
    SETERRQ(ErrorComm(r->comm, e), PETSC_ERR_FILE_OPEN, "LEAP: %s", e.what());
  }
  PetscFunctionReturn(0);
}

PetscErrorCode TSTrajectorySet_Leap(TSTrajectory tj, TS ts, PetscInt stepnum, PetscReal time, Vec X) {
  auto* r = static_cast<Recorder*>(tj->data);
  DM da;
  PetscFunctionBeginUser;
  if (stepnum % r->every != 0) PetscFunctionReturn(0);
  PetscCall(TSGetDM(ts, &da));
  if (!r->writer) PetscCall(OpenWriter(r, ts, da));
  std::vector<float> buf;
  try {
    util::fault_point("recorder");
    const int64_t step = r->writer->append_frame(double(time));
    for (size_t c = 0; c < r->fields.size(); ++c) {
      const PetscErrorCode ierr = LeapDMDACopyToWellOrder(da, X, {PetscInt(c)}, &buf);
      r->failed = r->failed || ierr != 0;
      PetscCall(ierr);
      r->writer->write_frame(0, step, r->fields[c], buf.data(), r->block);
    }
  } catch (const std::exception& e) {
    r->failed = true;
    SETERRQ(ErrorComm(r->comm, e), PETSC_ERR_LIB, "LEAP: recording step %" PetscInt_FMT ": %s", stepnum,
            e.what());
  }
  PetscFunctionReturn(0);
}

PetscErrorCode TSTrajectoryDestroy_Leap(TSTrajectory tj) {
  std::unique_ptr<Recorder> r(static_cast<Recorder*>(tj->data));
  PetscFunctionBeginUser;
  tj->data = nullptr;
  if (r && r->writer && r->failed) r->writer->abandon();
  if (r && r->writer && !r->failed) {
    try {
      r->writer->mark_complete(1);
      r->writer->finish();
      r->writer.reset();
      std::vector<std::string> train;
      const fs::path tdir = fs::path(r->out_dir) / r->name / "data" / "train";
      if (fs::is_directory(tdir))
        for (const auto& e : fs::directory_iterator(tdir))
          if (e.path().extension() == ".hdf5") train.push_back(e.path().string());
      std::sort(train.begin(), train.end());
      if (!train.empty()) {
        const auto stats = data::compute_stats(r->comm, train);
        PetscMPIInt rank;
        MPI_Comm_rank(r->comm, &rank);
        if (rank == 0)
          data::write_stats_yaml((fs::path(r->out_dir) / r->name / "stats.yaml").string(), stats);
      }
    } catch (const std::exception& e) {
      SETERRQ(ErrorComm(r->comm, e), PETSC_ERR_LIB, "LEAP: finishing %s: %s", r->path.c_str(), e.what());
    }
  }
  PetscFunctionReturn(0);
}

PetscErrorCode TSTrajectorySetFromOptions_Leap(TSTrajectory tj, PetscOptionItems* PetscOptionsObject) {
  auto* r = static_cast<Recorder*>(tj->data);
  char buf[PETSC_MAX_PATH_LEN] = "";
  PetscBool set = PETSC_FALSE;
  PetscFunctionBeginUser;
  PetscOptionsHeadBegin(PetscOptionsObject, "LEAP trajectory recorder options");
  PetscCall(PetscOptionsString("-leap_out", "directory of the dataset", "", buf, buf, sizeof(buf), &set));
  if (set) r->out_dir = buf;
  PetscCall(PetscOptionsString("-leap_split", "train, valid or test", "", r->split.c_str(), buf, sizeof(buf),
                               &set));
  if (set) r->split = buf;
  PetscCall(PetscOptionsString("-leap_dataset_name", "dataset and file name", "", r->name.c_str(), buf,
                               sizeof(buf), &set));
  if (set) r->name = buf;
  PetscCall(
      PetscOptionsInt("-leap_record_every", "record every k-th step", "", r->every, &r->every, nullptr));
  PetscOptionsHeadEnd();
  PetscCheck(!r->out_dir.empty(), PetscObjectComm((PetscObject)tj), PETSC_ERR_USER_INPUT,
             "LEAP: -ts_trajectory_type leap needs -leap_out DIR (where the dataset is written)");
  PetscCheck(r->split == "train" || r->split == "valid" || r->split == "test",
             PetscObjectComm((PetscObject)tj), PETSC_ERR_USER_INPUT,
             "LEAP: -leap_split: expected train, valid or test, found %s", r->split.c_str());
  PetscCheck(r->every >= 1, PetscObjectComm((PetscObject)tj), PETSC_ERR_USER_INPUT,
             "LEAP: -leap_record_every: expected a value >= 1, found %" PetscInt_FMT, r->every);
  PetscFunctionReturn(0);
}

}  // namespace

PetscErrorCode TSTrajectoryCreate_Leap(TSTrajectory tj, TS ts) {
  PetscFunctionBeginUser;
  auto r = std::make_unique<Recorder>();
  tj->data = r.release();
  tj->ops->set = TSTrajectorySet_Leap;
  tj->ops->destroy = TSTrajectoryDestroy_Leap;
  tj->ops->setfromoptions = TSTrajectorySetFromOptions_Leap;
  tj->usehistory = PETSC_FALSE;
  PetscFunctionReturn(0);
}

PetscErrorCode LeapTSTrajectoryRegister() {
  PetscFunctionBeginUser;
  PetscCall(TSTrajectoryRegister("leap", TSTrajectoryCreate_Leap));
  PetscFunctionReturn(0);
}

}  // namespace leap::petsc
