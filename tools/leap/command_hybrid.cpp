// `leap hybrid --config C --ae RUN_AE/best.ckpt --emulator RUN_EMU/best.ckpt --out HYB` (under
// mpiexec): a solver-only run and a hybrid run (emulator leaps, solver corrections) of the same
// horizon from the same held-out initial condition; HYB/config.yaml and HYB/metrics.json (frames by
// solver and by emulator, leaps accepted and rejected, wall time per phase, speed-up, VRMSE of the
// final state against the solver-only run).
#include <ATen/ATen.h>
#include <petscts.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "case_solvers.h"
#include "commands.h"
#include "euler2d/euler_solver.h"
#include "hybrid_config.h"
#include "leap/config/load.h"
#include "leap/log.h"
#include "leap/metrics/vrmse.h"
#include "leap/petsc/ts_attach.h"
#include "leap/plugin/emulator.h"
#include "leap/plugin/state_exchange.h"
#include "leap/util/atomic_file.h"
#include "leap/util/png_figure.h"

namespace fs = std::filesystem;

namespace leap::cli {
namespace {

struct Options {
  std::string config, ae, emulator, out;
};

void petsc_ok(PetscErrorCode ierr, const std::string& what) {
  if (ierr) throw Error("PETSc error " + std::to_string(int(ierr)) + " while " + what);
}

// Every rank throws InputError when rank 0 found a problem (message broadcast from rank 0).
void agree_on_rank0_problem(const std::string& problem) {
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  int len = rank == 0 ? int(problem.size()) : 0;
  MPI_Bcast(&len, 1, MPI_INT, 0, MPI_COMM_WORLD);
  if (len == 0) return;
  std::string message = rank == 0 ? problem : std::string(size_t(len), ' ');
  MPI_Bcast(message.data(), len, MPI_CHAR, 0, MPI_COMM_WORLD);
  throw InputError(message);
}

std::vector<std::string> solver_channels(const petsc::FluidSolver& s) {
  data::WellLayout L;
  L.axes = s.axes();
  L.fields = s.well_fields();
  return L.channel_names();
}

// The whole state [C, X, Y] (The Well's channels) on rank 0; undefined elsewhere. Collective.
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
      for (int64_t j = 0; j < comps[f]; ++j) packed[size_t(i * C + c0 + j)] = blocks[f][size_t(i * comps[f] + j)];
    c0 += comps[f];
  }
  plugin::ExchangeOptions eo;
  eo.layout = plugin::BlockLayout::xyc;
  plugin::StateExchange exchange(MPI_COMM_WORLD, {axes[0].size, axes[1].size}, block, C, eo);
  return exchange.gather(packed.data());
}

// Euler: positive density and pressure; every solver: a finite state (checked by the adapter).
void set_admissibility(petsc::FluidSolver& s, petsc::LeapAttachment& a) {
  if (auto* euler = dynamic_cast<euler2d::EulerSolver*>(&s)) {
    a.SetAdmissibility([euler](PetscBool* ok, std::string* why) -> PetscErrorCode {
      PetscReal rho, p;
      PetscFunctionBeginUser;
      PetscCall(euler->MinDensityPressure(&rho, &p));
      *ok = (rho > 0 && p > 0) ? PETSC_TRUE : PETSC_FALSE;
      if (!*ok) *why = "non-positive density (" + std::to_string(rho) + ") or pressure (" + std::to_string(p) + ")";
      PetscFunctionReturn(0);
    });
  }
}

struct RunResult {
  double wall = 0;
  at::Tensor final_state;
  plugin::HybridStats stats;
  std::vector<double> spreads;
  std::vector<std::string> rejections;
  petsc::LeapAttachOptions options;
};

RunResult run_case(const HybridConfig& cfg, const Options& o, const petsc::LeapAttachOptions& attach) {
  GenerateConfig g;
  g.case_name = cfg.case_name;
  g.euler2d = cfg.euler2d;
  g.rayleigh_benard = cfg.rayleigh_benard;
  auto solver = make_case_solver(MPI_COMM_WORLD, g, {"seed=" + std::to_string(cfg.seed)}, o.config);
  if (cfg.warmup > 0) petsc_ok(solver->Advance(cfg.warmup), "the warm-up");
  std::unique_ptr<petsc::LeapAttachment> a;
  petsc_ok(petsc::LeapTSAttach(solver.get(), attach, &a), "attaching LEAP");
  set_admissibility(*solver, *a);
  RunResult r;
  r.options = a->options();
  MPI_Barrier(MPI_COMM_WORLD);
  const double t0 = MPI_Wtime();
  petsc_ok(a->Run(solver->time() + PetscReal(cfg.frames) * PetscReal(cfg.frame_interval)), "the " + attach.mode + " run");
  MPI_Barrier(MPI_COMM_WORLD);
  r.wall = MPI_Wtime() - t0;
  r.stats = a->stats();
  if (attach.mode == "off") r.stats.frames_solved = cfg.frames;
  r.spreads = a->spreads();
  r.rejections = a->rejections();
  r.final_state = gather_state(*solver);
  return r;
}

void run(const Options& o, const Common& common) {
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  const HybridConfig cfg = config::load_config<HybridConfig>(o.config, common.sets);
  for (const auto& p : {std::make_pair(o.ae, "--ae"), std::make_pair(o.emulator, "--emulator")})
    if (!fs::is_regular_file(p.first)) throw InputError(std::string(p.second) + ": no checkpoint file '" + p.first + "'");

  // Everything is checked before the first step: the solver, the checkpoints against it, --out.
  GenerateConfig g;
  g.case_name = cfg.case_name;
  g.euler2d = cfg.euler2d;
  g.rayleigh_benard = cfg.rayleigh_benard;
  std::vector<std::string> channels, theta_names;
  {
    auto probe = make_case_solver(MPI_COMM_WORLD, g, {"seed=" + std::to_string(cfg.seed)}, o.config);
    channels = solver_channels(*probe);
    for (const auto& p : probe->parameters()) theta_names.push_back(p.first);
    for (const auto& a : probe->axes()) theta_names.push_back(a.name + "_periodic");
  }
  std::shared_ptr<plugin::Emulator> emulator;
  std::string problem;
  if (rank == 0) {
    try {
      plugin::LatentDiffusionOptions lo;
      lo.context = cfg.leap.context;
      lo.device = cfg.leap.device;
      lo.bf16 = cfg.leap.precision == "bf16";
      lo.cuda_graph = cfg.leap.cuda_graph;
      lo.seed = cfg.leap.seed;
      auto e = std::make_shared<plugin::LatentDiffusionEmulator>(o.ae, o.emulator, lo);
      if (e->channel_names() != channels) {
        std::string a, b;
        for (const auto& c : e->channel_names()) a += (a.empty() ? "" : ", ") + c;
        for (const auto& c : channels) b += (b.empty() ? "" : ", ") + c;
        throw InputError(o.ae, "channels", "the solver's channels (" + b + ")", a);
      }
      if (!e->theta_names().empty() && e->theta_names() != theta_names) {
        std::string a, b;
        for (const auto& c : e->theta_names()) a += (a.empty() ? "" : ", ") + c;
        for (const auto& c : theta_names) b += (b.empty() ? "" : ", ") + c;
        throw InputError(o.emulator, "theta", "the solver's parameters (" + b + ")", a);
      }
      emulator = e;
      util::ensure_writable_dir(o.out, "--out");
    } catch (const InputError& e) {
      problem = e.what();
    } catch (const std::exception& e) {
      problem = o.emulator + ": " + e.what();
    }
  }
  agree_on_rank0_problem(problem);
  if (rank == 0) config::write_effective_config(o.out, cfg);

  petsc::LeapAttachOptions hybrid;
  hybrid.mode = "hybrid";
  hybrid.leap_frames = PetscInt(cfg.leap.leap_frames);
  hybrid.solver_frames = PetscInt(cfg.leap.solver_frames);
  hybrid.frame_interval = cfg.frame_interval;
  hybrid.members = PetscInt(cfg.leap.members);
  hybrid.restore_conserved = cfg.leap.restore_conserved ? PETSC_TRUE : PETSC_FALSE;
  if (cfg.case_name == "euler2d") hybrid.conserved = {{0, PETSC_TRUE}, {1, PETSC_FALSE}, {2, PETSC_FALSE}, {3, PETSC_TRUE}};
  petsc_ok(petsc::LeapAttachOptionsFromDatabase(MPI_COMM_WORLD, &hybrid), "reading -leap_* options");
  hybrid.mode = "hybrid";  // the reference is the solver-only run below
  hybrid.emulator = emulator;
  petsc::LeapAttachOptions reference = hybrid;
  reference.mode = "off";
  reference.emulator = nullptr;

  spdlog::info("hybrid: solver-only reference over {} frames ({} ranks)", cfg.frames, size);
  const RunResult ref = run_case(cfg, o, reference);
  spdlog::info("hybrid: leaps of {} frames, {} solver frames between them", hybrid.leap_frames, hybrid.solver_frames);
  const RunResult hyb = run_case(cfg, o, hybrid);

  if (rank == 0) {
    const at::Tensor v = metrics::vrmse(ref.final_state.to(at::kDouble), hyb.final_state.to(at::kDouble));
    nlohmann::json m;
    m["command"] = "hybrid";
    m["case"] = cfg.case_name;
    m["ranks"] = size;
    m["seed"] = cfg.seed;
    m["frames"] = cfg.frames;
    m["leap_frames"] = hybrid.leap_frames;
    m["solver_frames_between_leaps"] = hybrid.solver_frames;
    m["context"] = emulator->context_frames();
    m["members"] = hybrid.members;
    m["frames_by_solver"] = hyb.stats.frames_solved;
    m["frames_by_emulator"] = hyb.stats.frames_emulated;
    m["leaps_accepted"] = hyb.stats.leaps_accepted;
    m["leaps_rejected"] = hyb.stats.leaps_rejected;
    m["ensemble_spread"] = hyb.spreads;
    m["rejections"] = hyb.rejections;
    m["wall_seconds_solver_only"] = ref.wall;
    m["wall_seconds_hybrid"] = hyb.wall;
    const double leap_share = hyb.stats.gather_seconds + hyb.stats.emulate_seconds + hyb.stats.scatter_seconds;
    m["wall_seconds_per_phase"] = {{"gather", hyb.stats.gather_seconds},
                                   {"emulate", hyb.stats.emulate_seconds},
                                   {"scatter", hyb.stats.scatter_seconds},
                                   {"solver", std::max(0.0, hyb.wall - leap_share)}};
    m["speedup"] = hyb.wall > 0 ? ref.wall / hyb.wall : 0.0;
    m["vrmse_final"] = v.mean().item<double>();
    nlohmann::json per;
    for (int64_t c = 0; c < v.size(0); ++c) per[channels[size_t(c)]] = v[c].item<double>();
    m["vrmse_final_per_channel"] = per;
    // Figure: one row per field: solver-only, hybrid (same colour range), |hybrid - solver|.
    std::vector<util::FigurePanel> panels;
    auto panel = [](const at::Tensor& f, double lo, double hi) {
      const at::Tensor t = f.to(at::kFloat).contiguous();
      util::FigurePanel p;
      p.rows = t.size(1);  // y up the rows, x along the columns
      p.cols = t.size(0);
      const at::Tensor yx = t.transpose(0, 1).flip({0}).contiguous();
      p.values.assign(yx.data_ptr<float>(), yx.data_ptr<float>() + yx.numel());
      p.lo = lo;
      p.hi = hi;
      return p;
    };
    for (int64_t c = 0; c < ref.final_state.size(0); ++c) {
      const at::Tensor a = ref.final_state[c], b = hyb.final_state[c];
      const double lo = a.min().item<double>(), hi = a.max().item<double>();
      panels.push_back(panel(a, lo, hi));
      panels.push_back(panel(b, lo, hi));
      panels.push_back(panel((b - a).abs(), 0, 0));
    }
    const std::string figure = (fs::path(o.out) / "final_state.png").string();
    util::write_figure_png(figure, panels, 3, std::max<int>(1, int(256 / ref.final_state.size(1))));
    m["figure"] = figure;
    util::write_file_atomic((fs::path(o.out) / "metrics.json").string(), m.dump(2) + "\n");
    spdlog::info("hybrid: {} leaps accepted, {} rejected; {} frames by the solver, {} by the emulator; "
                 "speed-up {:.2f}; final VRMSE {:.4f}",
                 hyb.stats.leaps_accepted, hyb.stats.leaps_rejected, hyb.stats.frames_solved,
                 hyb.stats.frames_emulated, m["speedup"].get<double>(), m["vrmse_final"].get<double>());
  }
}

}  // namespace

void add_hybrid(CLI::App& app, Common& common) {
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "hybrid", "Run the solver with emulator leaps and solver corrections, against a solver-only run");
  cmd->add_option("--config", o->config, "YAML config (examples/<case>/hybrid-small.yaml)")->required();
  cmd->add_option("--ae", o->ae, "autoencoder checkpoint (RUN_AE/best.ckpt)")->required();
  cmd->add_option("--emulator", o->emulator, "latent diffusion emulator checkpoint (RUN_EMU/best.ckpt)")->required();
  cmd->add_option("--out", o->out, "output directory: config.yaml, metrics.json")->required();
  cmd->add_option("--set", common.sets, "override a config key: --set key.path=value (repeatable)");
  cmd->footer("PETSc options go after '--', e.g. leap hybrid ... -- -leap_leap_frames 6 -log_view");
  cmd->callback([o, &common] { run(*o, common); });
}

}  // namespace leap::cli
