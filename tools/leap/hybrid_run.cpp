#include "hybrid_run.h"

#include <ATen/ATen.h>
#include <petscts.h>

#include <filesystem>
#include <limits>

#include "case_solvers.h"
#include "leap/error.h"
#include "leap/log.h"
#include "leap/plugin/collective_error.h"
#include "leap/plugin/state_exchange.h"

namespace fs = std::filesystem;

namespace leap::cli {

namespace {

std::vector<std::string> solver_channels(const petsc::FluidSolver& s) {
  data::WellLayout L;
  L.axes = s.axes();
  L.fields = s.well_fields();
  return L.channel_names();
}

std::string joined(const std::vector<std::string>& names) {
  std::string s;
  for (const auto& n : names) s += (s.empty() ? "" : ", ") + n;
  return s;
}

}  // namespace

void petsc_ok(PetscErrorCode ierr, const std::string& what) {
  if (ierr) throw Error("PETSc error " + std::to_string(int(ierr)) + " while " + what);
}

// Every rank throws the lowest failing rank's InputError, or none does.
void agree_on_problem(const std::string& problem) {
  plugin::agree_on_input_error(MPI_COMM_WORLD, problem);
}

std::unique_ptr<petsc::FluidSolver> make_hybrid_solver(const HybridConfig& cfg, const std::string& file,
                                                       const std::vector<std::string>& sets) {
  GenerateConfig g;
  g.case_name = cfg.case_name;
  g.euler2d = cfg.euler2d;
  g.euler3d = cfg.euler3d;
  g.rayleigh_benard = cfg.rayleigh_benard;
  std::vector<std::string> all = {"seed=" + std::to_string(cfg.seed)};
  all.insert(all.end(), sets.begin(), sets.end());
  return make_case_solver(MPI_COMM_WORLD, g, all, file);
}

std::vector<std::string> coarse_solver_sets(const HybridConfig& cfg, int64_t factor,
                                            const std::string& file) {
  std::vector<std::pair<std::string, int64_t>> axes;
  if (cfg.case_name == "euler2d") axes = {{"nx", cfg.euler2d.nx}, {"ny", cfg.euler2d.ny}};
  if (cfg.case_name == "euler3d")
    axes = {{"nx", cfg.euler3d.nx}, {"ny", cfg.euler3d.ny}, {"nz", cfg.euler3d.nz}};
  if (axes.empty())
    throw InputError(file, "leap.guidance",
                     "off for case " + cfg.case_name +
                         " (solver guidance needs a grid that coarsens by block means: the Euler cases)",
                     "'" + cfg.leap.policy.guidance + "'");
  std::vector<std::string> sets;
  std::string grid;
  bool divides = true;
  for (const auto& a : axes) {
    grid += (grid.empty() ? "" : " x ") + std::to_string(a.second);
    divides = divides && a.second % factor == 0 && a.second / factor >= 4;
    sets.push_back(a.first + "=" + std::to_string(factor > 0 ? a.second / factor : 0));
  }
  if (!divides)
    throw InputError(file, "leap.coarse_factor",
                     "a factor that divides every axis of the " + grid + " grid, leaving at least 4 cells",
                     std::to_string(factor));
  return sets;
}

at::Tensor gather_state(const petsc::FluidSolver& s) {
  data::Block block;
  petsc_ok(s.GetBlock(&block), "reading the block layout");
  const auto axes = s.axes();
  const auto fields = s.well_fields();
  const int64_t D = int64_t(axes.size());
  std::vector<std::vector<float>> blocks;
  std::vector<int64_t> comps;
  int64_t C = 0;
  for (const auto& f : fields) {
    blocks.emplace_back();
    petsc_ok(s.ExtractWellField(f.name, &blocks.back()), "extracting " + f.name);
    comps.push_back(f.order == 0 ? 1 : f.order == 1 ? D : D * D);
    C += comps.back();
  }
  std::vector<float> packed(size_t(C * block.cells()));
  int64_t c0 = 0;
  for (size_t f = 0; f < blocks.size(); ++f) {
    for (int64_t i = 0; i < block.cells(); ++i)
      for (int64_t j = 0; j < comps[f]; ++j)
        packed[size_t(i * C + c0 + j)] = blocks[f][size_t(i * comps[f] + j)];
    c0 += comps[f];
  }
  plugin::ExchangeOptions eo;
  eo.layout = plugin::BlockLayout::xyc;
  std::vector<int64_t> grid;
  for (const auto& axis : axes) grid.push_back(axis.size);
  plugin::StateExchange exchange(MPI_COMM_WORLD, grid, block, C, eo);
  return exchange.gather(packed.data());
}

plugin::EmulatorRanks hybrid_emulator_ranks(const HybridConfig& cfg) {
  if (cfg.leap.emulators_per_node) return plugin::EmulatorRanks::one_per_node();
  plugin::EmulatorRanks r;
  r.ranks.assign(cfg.leap.emulator_ranks.begin(), cfg.leap.emulator_ranks.end());
  return r;
}

CheckedEmulator load_checked_emulator(const HybridConfig& cfg, const std::string& config_file,
                                      const std::string& ae, const std::string& emulator_ckpt,
                                      const std::function<void()>& rank0_checks) {
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  for (const auto& p : {std::make_pair(ae, "--ae"), std::make_pair(emulator_ckpt, "--emulator")})
    if (!fs::is_regular_file(p.first))
      throw InputError(std::string(p.second) + ": no checkpoint file '" + p.first + "'");

  CheckedEmulator out;
  std::vector<std::string> theta_names;
  {
    auto probe = make_hybrid_solver(cfg, config_file);
    out.channels = solver_channels(*probe);
    for (const auto& p : probe->parameters()) theta_names.push_back(p.first);
    for (const auto& a : probe->axes()) theta_names.push_back(a.name + "_periodic");
  }
  std::string problem;
  const plugin::EmulatorPlacement place =
      plugin::emulator_placement(MPI_COMM_WORLD, hybrid_emulator_ranks(cfg));
  if (place.is_emulator) {
    try {
      plugin::LatentDiffusionOptions lo;
      lo.context = cfg.leap.context;
      lo.device = cfg.leap.device;
      lo.bf16 = cfg.leap.precision == "bf16";
      lo.cuda_graph = cfg.leap.cuda_graph;
      lo.seed = cfg.leap.seed + place.index;  // emulator rank k: seed + k
      auto e = std::make_shared<plugin::LatentDiffusionEmulator>(ae, emulator_ckpt, lo);
      if (e->channel_names() != out.channels)
        throw InputError(ae, "channels", "the solver's channels (" + joined(out.channels) + ")",
                         joined(e->channel_names()));
      if (!e->theta_names().empty() && e->theta_names() != theta_names)
        throw InputError(emulator_ckpt, "theta", "the solver's parameters (" + joined(theta_names) + ")",
                         joined(e->theta_names()));
      if (place.index == 0 && !e->untrained_context_note().empty())
        spdlog::warn("hybrid: {}: {}", emulator_ckpt, e->untrained_context_note());
      out.emulator = e;
      out.seed = uint64_t(lo.seed);
      if (rank0_checks && rank == 0) rank0_checks();
    } catch (const InputError& e) {
      problem = e.what();
    } catch (const std::exception& e) {
      problem = emulator_ckpt + ": " + e.what();
    }
  }
  agree_on_problem(problem);
  return out;
}

petsc::LeapAttachOptions hybrid_attach_options(const HybridConfig& cfg,
                                               const std::shared_ptr<plugin::Emulator>& emulator) {
  petsc::LeapAttachOptions hybrid;
  hybrid.mode = "hybrid";
  hybrid.leap_frames = PetscInt(cfg.leap.policy.leap_frames);
  hybrid.solver_frames = PetscInt(cfg.leap.policy.solver_frames);
  hybrid.frame_interval = cfg.frame_interval;
  hybrid.members = PetscInt(cfg.leap.members);
  hybrid.restore_conserved = cfg.leap.restore_conserved ? PETSC_TRUE : PETSC_FALSE;
  hybrid.max_spread = cfg.leap.policy.max_spread;
  hybrid.check_every = PetscInt(cfg.leap.policy.check_every);
  hybrid.check_tolerance = cfg.leap.policy.check_tolerance;
  hybrid.min_leap_frames = PetscInt(cfg.leap.policy.min_leap_frames);
  hybrid.max_leap_frames = PetscInt(cfg.leap.policy.max_leap_frames);
  hybrid.guidance = cfg.leap.policy.guidance;
  hybrid.coarse_factor = PetscInt(cfg.leap.policy.coarse_factor);
  hybrid.guidance_noise = cfg.leap.policy.guidance_noise;
  hybrid.guidance_iterations = PetscInt(cfg.leap.policy.guidance_iterations);
  hybrid.record.frames_per_trajectory = cfg.leap.record_frames;
  hybrid.record.valid_every = cfg.leap.record_valid_every;
  hybrid.record.name = "hybrid_seed" + std::to_string(cfg.seed);
  petsc_ok(petsc::LeapAttachOptionsFromDatabase(MPI_COMM_WORLD, &hybrid), "reading -leap_* options");
  hybrid.mode = "hybrid";  // the reference is the solver-only run
  hybrid.emulator = emulator;
  hybrid.emulators = hybrid_emulator_ranks(cfg);
  return hybrid;
}

petsc::LeapAttachOptions solver_only_options(const petsc::LeapAttachOptions& hybrid) {
  petsc::LeapAttachOptions reference = hybrid;
  reference.mode = "off";
  reference.emulator = nullptr;
  reference.record.dir.clear();
  return reference;
}

RunResult run_case(const HybridConfig& cfg, const std::string& config_file,
                   const petsc::LeapAttachOptions& attach,
                   const std::function<void(petsc::FluidSolver&)>& at_end) {
  auto solver = make_hybrid_solver(cfg, config_file);
  if (cfg.warmup > 0) petsc_ok(solver->Advance(cfg.warmup), "the warm-up");
  petsc::LeapAttachOptions options = attach;
  if (options.mode == "hybrid" && options.guidance != "off" && !options.coarse)
    options.coarse = make_hybrid_solver(cfg, config_file,
                                        coarse_solver_sets(cfg, int64_t(options.coarse_factor), config_file));
  std::unique_ptr<petsc::LeapAttachment> a;
  petsc_ok(petsc::LeapAttachCreate(solver.get(), options, &a), "attaching LEAP");
  RunResult r;
  r.options = a->options();
  MPI_Barrier(MPI_COMM_WORLD);
  const double t0 = MPI_Wtime();
  petsc_ok(a->Run(solver->time() + PetscReal(cfg.frames) * PetscReal(cfg.frame_interval)),
           "the " + attach.mode + " run");
  MPI_Barrier(MPI_COMM_WORLD);
  r.wall = MPI_Wtime() - t0;
  r.stats = a->stats();
  if (attach.mode == "off") r.stats.frames_solved = cfg.frames;
  r.spreads = a->spreads();
  r.relative_spreads = a->relative_spreads();
  r.rejections = a->rejections();
  r.checks = a->checks();
  r.policy = a->policy().summary();
  r.leaps_suppressed = a->leaps_suppressed();
  r.check_frames = a->check_frames();
  r.leap_frames_final = a->leap_frames();
  petsc_ok(a->FinishRecording(), "finishing the recording");
  r.recorded_trajectories = a->recorded_trajectories();
  r.final_state = gather_state(*solver);
  r.final_time = double(solver->time());
  r.layout.dataset_name = solver->dataset_name();
  r.layout.axes = solver->axes();
  r.layout.fields = solver->well_fields();
  r.layout.parameters = solver->parameters();
  if (at_end) at_end(*solver);
  return r;
}

}  // namespace leap::cli
