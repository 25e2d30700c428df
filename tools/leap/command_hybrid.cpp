// `leap hybrid --config C --ae RUN_AE/best.ckpt --emulator RUN_EMU/best.ckpt --out HYB` (under
// mpiexec): a solver-only run and a hybrid run (emulator leaps, solver corrections) of the same
// horizon from the same held-out initial condition; HYB/config.yaml and HYB/metrics.json (frames by
// solver and by emulator, leaps accepted and rejected, wall time per phase, speed-up, VRMSE of the
// final state against the solver-only run), HYB/final_state.png and HYB/final_state.hdf5. The states
// are [C, X, Y] or [C, X, Y, Z] (case euler3d): one code path; the figure shows the z mid-plane of a
// 3-D state. With solver guidance (leap.guidance coarse or coarse_only) the same schedule also runs
// with the other two ways of leaping (unguided, guided, the coarse solver alone), and metrics.json
// compares them (guidance_comparison: VRMSE, speed-up, the coarse solver's share of the wall time).
#include <ATen/ATen.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "hybrid_config.h"
#include "hybrid_run.h"
#include "leap/config/load.h"
#include "leap/data/well_writer.h"
#include "leap/log.h"
#include "leap/metrics/vrmse.h"
#include "leap/util/atomic_file.h"
#include "leap/util/png_figure.h"
#include "rank_config.h"

namespace fs = std::filesystem;

namespace leap::cli {
namespace {

struct Options {
  std::string config, ae, emulator, out, record;
};

void run(const Options& o, const Common& common) {
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  const HybridConfig cfg = load_config_on_all_ranks<HybridConfig>(o.config, common.sets);
  // Everything is checked before the first step: the solver, the checkpoints against it, --out.
  petsc::LeapAttachOptions hybrid = hybrid_attach_options(cfg, nullptr);
  if (!o.record.empty()) hybrid.record.dir = o.record;
  // Solver guidance: the grid must coarsen by the factor.
  if (hybrid.guidance != "off") coarse_solver_sets(cfg, int64_t(hybrid.coarse_factor), o.config);
  const CheckedEmulator checked = load_checked_emulator(cfg, o.config, o.ae, o.emulator, [&o, &hybrid] {
    util::ensure_writable_dir(o.out, "--out");
    if (!o.record.empty()) {
      util::ensure_writable_dir(o.record, "--record");
      const std::string problem = plugin::FrameRecorder::problem_with(hybrid.record);
      if (!problem.empty()) throw InputError("--record " + o.record + ": " + problem);
    }
  });
  const auto& emulator = checked.emulator;
  const auto& channels = checked.channels;
  if (rank == 0) config::write_effective_config(o.out, cfg);

  hybrid.emulator = emulator;
  const petsc::LeapAttachOptions reference = solver_only_options(hybrid);

  spdlog::info("hybrid: solver-only reference over {} frames ({} ranks)", cfg.frames, size);
  const RunResult ref = run_case(cfg, o.config, reference);
  spdlog::info("hybrid: leaps of {} frames, {} solver frames between them", hybrid.leap_frames,
               hybrid.solver_frames);
  const RunResult hyb = run_case(cfg, o.config, hybrid);
  // With solver guidance, the other two ways of leaping over the same schedule from the same seed of
  // the emulator's noise: unguided leaps and the coarse solver alone (its state interpolated).
  std::vector<std::pair<std::string, RunResult>> variants;
  if (hybrid.guidance != "off")
    for (const std::string g : {"off", "coarse", "coarse_only"}) {
      if (g == hybrid.guidance) continue;
      petsc::LeapAttachOptions v = hybrid;
      v.guidance = g;
      v.record.dir.clear();
      if (emulator) emulator->reseed(checked.seed);
      spdlog::info("hybrid: the same schedule with leap.guidance {}", g);
      variants.emplace_back(g, run_case(cfg, o.config, v));
    }

  if (rank == 0) {
    // [C, X, Y] or [C, X, Y, Z]
    const int dims = int(ref.final_state.dim()) - 1;
    const at::Tensor v =
        metrics::vrmse(ref.final_state.to(at::kDouble), hyb.final_state.to(at::kDouble), dims);
    nlohmann::json m;
    m["command"] = "hybrid";
    m["case"] = cfg.case_name;
    m["ranks"] = size;
    m["spatial_dims"] = dims;
    m["grid"] = ref.final_state.sizes().slice(1).vec();
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
    m["ensemble_relative_spread"] = hyb.relative_spreads;
    m["max_spread"] = hybrid.max_spread;
    m["leaps_suppressed_by_spread"] = hyb.leaps_suppressed;
    nlohmann::json checks = nlohmann::json::array();
    for (const auto& c : hyb.checks)
      checks.push_back({{"frame", c.frame},
                        {"leap_frames", c.frames},
                        {"vrmse", c.vrmse},
                        {"passed", c.passed},
                        {"next_leap_frames", c.next_frames}});
    m["check_every"] = hybrid.check_every;
    m["check_tolerance"] = hybrid.check_tolerance;
    m["checks"] = checks;
    m["check_solver_frames"] = hyb.check_frames;
    m["leap_frames_final"] = hyb.leap_frames_final;
    if (!o.record.empty()) {
      m["recorded_dataset"] = o.record;
      m["recorded_trajectories"] = hyb.recorded_trajectories;
    }
    m["rejections"] = hyb.rejections;
    m["policy"] = hyb.policy;
    m["wall_seconds_solver_only"] = ref.wall;
    m["wall_seconds_hybrid"] = hyb.wall;
    const double leap_share =
        hyb.stats.gather_seconds + hyb.stats.emulate_seconds + hyb.stats.scatter_seconds;
    m["wall_seconds_per_phase"] = {
        {"gather", hyb.stats.gather_seconds},
        {"emulate", hyb.stats.emulate_seconds},
        {"scatter", hyb.stats.scatter_seconds},
        {"emulate_encode", hyb.stats.encode_seconds},
        {"emulate_sample", hyb.stats.sample_seconds},
        {"emulate_decode", hyb.stats.decode_seconds},
        {"coarse", hyb.stats.coarse_seconds},
        {"solver", std::max(0.0, hyb.wall - leap_share - hyb.stats.coarse_seconds)}};
    m["speedup"] = hyb.wall > 0 ? ref.wall / hyb.wall : 0.0;
    m["vrmse_final"] = v.mean().item<double>();
    if (hybrid.guidance != "off") {
      // Every way of leaping over the same schedule, against the same solver-only run.
      const auto row = [&](const std::string& g, const RunResult& r) {
        const double e = metrics::vrmse(ref.final_state.to(at::kDouble), r.final_state.to(at::kDouble), dims)
                             .mean()
                             .item<double>();
        return nlohmann::json{{"guidance", g},
                              {"vrmse_final", e},
                              {"wall_seconds", r.wall},
                              {"speedup", r.wall > 0 ? ref.wall / r.wall : 0.0},
                              {"coarse_seconds", r.stats.coarse_seconds},
                              {"coarse_share", r.wall > 0 ? r.stats.coarse_seconds / r.wall : 0.0},
                              {"coarse_frames", r.stats.coarse_frames},
                              {"leaps_accepted", r.stats.leaps_accepted},
                              {"leaps_rejected", r.stats.leaps_rejected}};
      };
      m["guidance"] = hybrid.guidance;
      m["coarse_factor"] = hybrid.coarse_factor;
      m["guidance_noise"] = hybrid.guidance_noise;
      m["guidance_iterations"] = hybrid.guidance_iterations;
      m["coarse_share"] = hyb.wall > 0 ? hyb.stats.coarse_seconds / hyb.wall : 0.0;
      nlohmann::json rows = nlohmann::json::array({row(hybrid.guidance, hyb)});
      for (const auto& [g, r] : variants) rows.push_back(row(g, r));
      m["guidance_comparison"] = rows;
      for (const auto& r : rows)
        spdlog::info("hybrid: guidance {:<11} VRMSE {:.4f}  speed-up {:.2f}  coarse share {:.1f}%",
                     r["guidance"].get<std::string>(), r["vrmse_final"].get<double>(),
                     r["speedup"].get<double>(), 100 * r["coarse_share"].get<double>());
    }
    nlohmann::json per;
    for (int64_t c = 0; c < v.size(0); ++c) per[channels[size_t(c)]] = v[c].item<double>();
    m["vrmse_final_per_channel"] = per;
    // Figure: one row per field: solver-only, hybrid (same colour range), |hybrid - solver|; of a 3-D
    // state, the mid-plane z = Z / 2 (a cell index, 0-based).
    const int64_t z_mid = dims == 3 ? ref.final_state.size(3) / 2 : 0;
    const std::string plane =
        dims == 3 ? "z = " + std::to_string(z_mid) + " of " + std::to_string(ref.final_state.size(3)) : "";
    const auto in_plane = [&](const at::Tensor& f) { return dims == 3 ? f.select(-1, z_mid) : f; };
    if (dims == 3) m["figure_slice"] = {{"axis", "z"}, {"index", z_mid}, {"cells", ref.final_state.size(3)}};
    std::vector<util::FigurePanel> panels;
    auto panel = [](const at::Tensor& f, double lo, double hi, const std::string& title) {
      const at::Tensor t = f.to(at::kFloat).contiguous();
      util::FigurePanel p;
      p.title = title;
      p.rows = t.size(1);  // y up the rows, x along the columns
      p.cols = t.size(0);
      const at::Tensor yx = t.transpose(0, 1).flip({0}).contiguous();
      p.values.assign(yx.data_ptr<float>(), yx.data_ptr<float>() + yx.numel());
      p.lo = lo;
      p.hi = hi;
      return p;
    };
    for (int64_t c = 0; c < ref.final_state.size(0); ++c) {
      const at::Tensor a = in_plane(ref.final_state[c]), b = in_plane(hyb.final_state[c]);
      const double lo = a.min().item<double>(), hi = a.max().item<double>();
      const std::string field = channels[size_t(c)] + (plane.empty() ? "" : " (" + plane + ")");
      panels.push_back(panel(a, lo, hi, field + ": solver only"));
      panels.push_back(panel(b, lo, hi, field + ": hybrid"));
      panels.push_back(panel((b - a).abs(), 0, 0, field + ": |hybrid - solver|"));
    }
    const std::string figure = (fs::path(o.out) / "final_state.png").string();
    util::write_figure_png(figure, panels, 3, std::max<int>(1, int(256 / ref.final_state.size(1))),
                           "final state: solver only and hybrid" +
                               (plane.empty() ? std::string() : ", mid-plane slice " + plane));
    m["figure"] = figure;
    // The final states as a dataset file in The Well's schema (with its XDMF, for ParaView and
    // VisIt): trajectory 0 is the solver-only run, trajectory 1 the hybrid run.
    {
      data::WellLayout L = ref.layout;
      L.n_trajectories = 2;
      L.n_steps = 1;
      L.times = {ref.final_time};
      const std::string states = (fs::path(o.out) / "final_state.hdf5").string();
      data::WellWriter w(MPI_COMM_SELF, states, L);
      data::Block all;
      for (const auto& a : L.axes) {
        all.start.push_back(0);
        all.count.push_back(a.size);
      }
      int64_t c0 = 0;
      for (const auto& f : L.fields) {
        const int64_t nc = f.components();
        int64_t t = 0;
        for (const RunResult* r : {&ref, &hyb}) {
          // [C, X, Y(, Z)] channels c0.. of the field -> [X][Y](Z)[component]
          const at::Tensor v =
              r->final_state.slice(0, c0, c0 + nc).movedim(0, -1).to(at::kFloat).contiguous();
          w.write_frame(t++, 0, f.name, v.data_ptr<float>(), all);
        }
        c0 += nc;
      }
      w.mark_complete(2);
      w.finish();
      m["final_state_file"] = states;
    }
    util::write_file_atomic((fs::path(o.out) / "metrics.json").string(), m.dump(2) + "\n");
    spdlog::info(
        "hybrid: {} leaps accepted, {} rejected; {} frames by the solver, {} by the emulator; "
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
  cmd->add_option("--emulator", o->emulator, "latent diffusion emulator checkpoint (RUN_EMU/best.ckpt)")
      ->required();
  cmd->add_option("--out", o->out,
                  "output directory: config.yaml, metrics.json, final_state.png, final_state.hdf5 (+ .xdmf: "
                  "trajectory 0 solver only, 1 hybrid)")
      ->required();
  cmd->add_option("--record", o->record,
                  "record the hybrid run's solver frames as a dataset here (The Well's schema; "
                  "leap train --init fine-tunes from it)");
  cmd->add_option("--set", common.sets, "override a config key: --set key.path=value (repeatable)");
  cmd->footer(
      "PETSc options go after '--', e.g. leap hybrid ... -- -leap_leap_frames 6 -log_view\n"
      "Solver-guided leaps: --set leap.guidance=coarse --set leap.coarse_factor=4 (metrics.json then "
      "compares "
      "unguided, guided and coarse-only leaps over the same schedule)");
  cmd->callback([o, &common] { run(*o, common); });
}

}  // namespace leap::cli
