#include "leap/petsc/dataset_generator.h"

#include <filesystem>

#include "leap/error.h"
#include "leap/log.h"
#include "leap/util/fault_injection.h"
#include "leap/util/progress.h"

namespace leap::petsc {

namespace {

void petsc_ok(PetscErrorCode ierr, const std::string& what) {
  if (ierr) throw Error("PETSc error " + std::to_string(int(ierr)) + " while " + what);
}

data::WellLayout layout_of(const FluidSolver& s, const GenerationItem& item, const GenerationSettings& g) {
  data::WellLayout L;
  L.dataset_name = s.dataset_name();
  L.axes = s.axes();
  L.fields = s.well_fields();
  L.parameters = s.parameters();
  L.n_trajectories = item.trajectories;
  L.n_steps = g.frames;
  for (int64_t k = 0; k < g.frames; ++k) L.times.push_back(g.warmup + double(k) * g.frame_interval);
  return L;
}

}  // namespace

GenerationReport GenerateDataset(MPI_Comm comm, const std::vector<GenerationItem>& items,
                                 const GenerationSettings& settings, const SolverFactory& factory) {
  int rank = 0;
  MPI_Comm_rank(comm, &rank);
  GenerationReport report;
  for (const auto& it : items) report.trajectories_total += it.trajectories;
  report.files = int64_t(items.size());

  int64_t done = 0;
  util::ProgressBar bar("generate", report.trajectories_total, settings.progress && rank == 0);
  bool first_run = true;
  for (const auto& item : items) {
    if (std::filesystem::exists(item.file)) {  // finished by an earlier run
      done += item.trajectories;
      continue;
    }
    // The first trajectory's solver gives the layout; an unfinished file of that layout is resumed.
    std::unique_ptr<FluidSolver> solver = factory(item, item.seed_base);
    data::WellWriter writer(comm, item.file, layout_of(*solver, item, settings), /*resume=*/true);
    const int64_t start = writer.completed_trajectories();
    if (start > 0) spdlog::info("{}: resuming at trajectory {} of {}", item.file, start, item.trajectories);
    done += start;
    for (int64_t k = start; k < item.trajectories; ++k) {
      if (k > 0) solver = factory(item, item.seed_base + k);
      if (first_run) bar.set_resumed(done);
      first_run = false;
      const auto fields = solver->well_fields();
      data::Block block;
      petsc_ok(solver->GetBlock(&block), "getting the block");
      int64_t cells = 1;
      for (const auto& a : solver->axes()) cells *= a.size;
      std::vector<float> buf;
      for (int64_t s = 0; s < settings.frames; ++s) {
        const double t = settings.warmup + double(s) * settings.frame_interval;
        const double t0 = MPI_Wtime();
        PetscInt steps_before = 0, steps_after = 0;
        TSGetStepNumber(solver->ts(), &steps_before);
        if (t > solver->time()) petsc_ok(solver->Advance(t), item.label + ": advancing to t=" + std::to_string(t));
        TSGetStepNumber(solver->ts(), &steps_after);
        report.cell_updates += double(cells) * double(steps_after - steps_before);
        const double t1 = MPI_Wtime();
        util::fault_point("recorder");
        for (const auto& f : fields) {
          petsc_ok(solver->ExtractWellField(f.name, &buf), "extracting " + f.name);
          writer.write_frame(k, s, f.name, buf.data(), block);
        }
        report.solver_seconds += t1 - t0;
        report.write_seconds += MPI_Wtime() - t1;
        ++report.frames_written;
      }
      writer.mark_complete(k + 1);
      ++report.trajectories_run;
      bar.update(++done, item.label);
    }
    writer.finish();
  }
  bar.finish();
  return report;
}

}  // namespace leap::petsc
