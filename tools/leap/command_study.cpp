// `leap study --config C --ae RUN_AE/best.ckpt --emulator RUN_EMU/best.ckpt --out STUDY` (under
// mpiexec): a parameter study with the hybrid solver. One numeric key of the hybrid config
// (study.parameter, e.g. euler2d.gamma or rayleigh_benard.rayleigh) is swept over study.values; at
// every value the case runs from the same held-out initial condition (seed) over the same horizon.
//
// - Ensemble: each point gets study.replicas independent hybrid runs; replica r samples the emulator
//   with seed leap.seed + r (the same seeds at every point, so differences between points are not
//   sampling noise). Within a run, leap.members members are averaged per leap as in `leap hybrid`.
//   The quantity of interest (QoI) at the final time is reported as the replicas' mean and sample
//   standard deviation (0 with one replica): the spread of outcomes the emulator's randomness causes.
// - QoI: kinetic_energy (Euler, 2-D or 3-D: domain mean of |m|^2 / (2 rho) over every momentum
//   component; Rayleigh-Benard: <u^2 + v^2> / 2) or nusselt (Rayleigh-Benard: 1 + <v b>, the
//   layer-averaged heat flux).
// - Check points (study.check_points): the solver-only run is also made there; its QoI is the
//   reference the hybrid mean is compared with.
// - Speed-up: the wall time a solver-only sweep of all points would take, estimated as the mean
//   solver-only wall time at the check points times the number of points, over the total wall time
//   of all hybrid runs (every replica of every point): `speedup`. `speedup_per_run` compares one
//   hybrid run with one solver-only run at the check points (means). Set-up, warm-up and loading are
//   excluded from both.
//
// Outputs (rank 0): STUDY/config.yaml (effective config), study.csv (one row per point),
// metrics.json (the same, per-replica values, the speed-ups and how they are computed), study.png
// (QoI mean with a +-std band against the parameter, solver-only values as markers). One log line
// per point with an ETA (quiet with -q). Every input is checked before anything is written.
#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "commands.h"
#include "hybrid_run.h"
#include "leap/error.h"
#include "leap/log.h"
#include "leap/plugin/state_exchange.h"
#include "leap/util/atomic_file.h"
#include "leap/util/line_plot.h"
#include "leap/util/progress.h"
#include "rank_config.h"
#include "rb_solver.h"
#include "study_config.h"

namespace fs = std::filesystem;

namespace leap::cli {
namespace {

struct Options {
  std::string config, ae, emulator, out;
};

// The QoI of the solver's current state; the same value on every rank. Collective.
double quantity_of_interest(petsc::FluidSolver& s, const std::string& qoi) {
  if (qoi == "nusselt") {  // StudyConfig allows it for rayleigh_benard only
    auto& rb = dynamic_cast<rayleigh_benard::RBSolver&>(s);
    rayleigh_benard::Nusselt nu;
    petsc_ok(rb.ComputeNusselt(&nu), "computing the Nusselt number");
    return double(nu.volume);
  }
  // The solver's own kinetic energy: Euler (2-D or 3-D) |m|^2 / (2 rho) over every momentum
  // component, Rayleigh-Benard <u^2 + v^2> / 2; domain means.
  PetscReal ke = 0;
  petsc_ok(s.KineticEnergy(&ke), "computing the kinetic energy");
  return double(ke);
}

struct Point {
  double value = 0;
  std::vector<double> qoi;  // one per replica
  double mean = 0, std = 0;
  bool checked = false;
  double solver_qoi = NAN, solver_wall = NAN;
  double hybrid_wall = 0;  // all replicas
  int64_t accepted = 0, rejected = 0, frames_emulated = 0, frames_solved = 0;
  double coarse_seconds = 0;  // solver guidance: the coarse solver's time, all replicas
};

std::string csv_number(double v) {
  if (!std::isfinite(v)) return "";
  std::ostringstream s;
  s.precision(10);
  s << v;
  return s.str();
}

nlohmann::json number_or_null(double v) {
  return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
}

void run(const Options& o, const Common& common) {
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  const StudyConfig cfg = load_config_on_all_ranks<StudyConfig>(o.config, common.sets);
  const StudySection& st = cfg.study;
  const std::string qoi = cfg.qoi();
  std::vector<HybridConfig> points;
  for (size_t i = 0; i < st.values.size(); ++i) points.push_back(cfg.point(i, o.config));
  const std::vector<size_t> checks = st.check_indices();

  // Solver guidance: every point's grid must coarsen by the factor (the -leap_* options included).
  const petsc::LeapAttachOptions leap_options = hybrid_attach_options(cfg.hybrid, nullptr);
  const std::string guidance = leap_options.guidance;
  const int64_t coarse_factor = int64_t(leap_options.coarse_factor);
  for (const HybridConfig& pc : points) {
    const petsc::LeapAttachOptions a = hybrid_attach_options(pc, nullptr);
    if (a.guidance != "off") coarse_solver_sets(pc, int64_t(a.coarse_factor), o.config);
  }
  // Everything is checked before the first step: the solver, the checkpoints against it, --out.
  const CheckedEmulator checked = load_checked_emulator(cfg.hybrid, o.config, o.ae, o.emulator,
                                                        [&o] { util::ensure_writable_dir(o.out, "--out"); });
  if (rank == 0) {
    const std::string leaf = st.parameter.substr(st.parameter.rfind('.') + 1);
    bool conditioned = false;
    std::string names;
    for (const auto& n : checked.emulator->theta_names()) {
      std::string a = n, b = leaf;
      std::transform(a.begin(), a.end(), a.begin(), ::tolower);
      std::transform(b.begin(), b.end(), b.begin(), ::tolower);
      conditioned = conditioned || a == b;
      names += (names.empty() ? "" : ", ") + n;
    }
    if (!conditioned && st.parameter.rfind(cfg.hybrid.case_name + ".", 0) == 0)
      spdlog::warn(
          "study: the emulator is not conditioned on '{}' (its parameters: {}): its leaps ignore the sweep",
          leaf, names.empty() ? "none" : names);
    config::write_effective_config(o.out, cfg);
  }

  spdlog::info("study: {} over {} values, {} replicas each, solver-only at {} of them; QoI {} ({} ranks)",
               st.parameter, st.values.size(), st.replicas, checks.size(), qoi, size);
  std::vector<Point> result(points.size());
  const double t_study = MPI_Wtime();
  for (size_t i = 0; i < points.size(); ++i) {
    Point& pt = result[i];
    pt.value = st.values[i];
    const HybridConfig& pc = points[i];
    const petsc::LeapAttachOptions hybrid = hybrid_attach_options(pc, checked.emulator);
    double q = 0;
    auto measure = [&q, &qoi](petsc::FluidSolver& s) { q = quantity_of_interest(s, qoi); };
    if (std::find(checks.begin(), checks.end(), i) != checks.end()) {
      const RunResult ref = run_case(pc, o.config, solver_only_options(hybrid), measure);
      pt.checked = true;
      pt.solver_qoi = q;
      pt.solver_wall = ref.wall;
    }
    // Replica r on emulator rank k of K draws its noise from seed + r K + k: every (replica, rank)
    // its own stream, the same at every run (each emulator owns its generator).
    const plugin::EmulatorPlacement place = plugin::emulator_placement(MPI_COMM_WORLD, hybrid.emulators);
    for (int64_t r = 0; r < st.replicas; ++r) {
      if (checked.emulator)
        checked.emulator->reseed(uint64_t(pc.leap.seed) + uint64_t(r) * uint64_t(place.count) +
                                 uint64_t(place.index));
      const RunResult hyb = run_case(pc, o.config, hybrid, measure);
      pt.qoi.push_back(q);
      pt.hybrid_wall += hyb.wall;
      pt.accepted += hyb.stats.leaps_accepted;
      pt.rejected += hyb.stats.leaps_rejected;
      pt.frames_emulated += hyb.stats.frames_emulated;
      pt.frames_solved += hyb.stats.frames_solved;
      pt.coarse_seconds += hyb.stats.coarse_seconds;
    }
    double sum = 0, sq = 0;
    for (double v : pt.qoi) sum += v;
    pt.mean = sum / double(pt.qoi.size());
    for (double v : pt.qoi) sq += (v - pt.mean) * (v - pt.mean);
    pt.std = pt.qoi.size() > 1 ? std::sqrt(sq / double(pt.qoi.size() - 1)) : 0.0;
    const double elapsed = MPI_Wtime() - t_study;
    spdlog::info(
        "study: point {}/{}: {} = {}: {} {:.6g} +- {:.3g} ({} replicas){}; leaps {} accepted, {} rejected; "
        "ETA {}",
        i + 1, points.size(), st.parameter, yaml_number(pt.value), qoi, pt.mean, pt.std, st.replicas,
        pt.checked ? fmt::format(", solver-only {:.6g}", pt.solver_qoi) : std::string(), pt.accepted,
        pt.rejected, util::format_duration(elapsed / double(i + 1) * double(points.size() - i - 1)));
  }
  const double study_wall = MPI_Wtime() - t_study;
  if (rank != 0) return;

  // Totals and speed-ups.
  double hybrid_total = 0, solver_checked = 0, hybrid_at_checks = 0;
  int64_t accepted = 0, rejected = 0;
  for (const auto& pt : result) {
    hybrid_total += pt.hybrid_wall;
    accepted += pt.accepted;
    rejected += pt.rejected;
    if (pt.checked) solver_checked += pt.solver_wall, hybrid_at_checks += pt.hybrid_wall;
  }
  const double n_checks = double(checks.size()), runs_at_checks = n_checks * double(st.replicas);
  const double solver_estimated = solver_checked / n_checks * double(result.size());
  const double speedup = hybrid_total > 0 ? solver_estimated / hybrid_total : 0.0;
  const double speedup_per_run =
      hybrid_at_checks > 0 ? (solver_checked / n_checks) / (hybrid_at_checks / runs_at_checks) : 0.0;

  // study.csv
  const std::string csv_path = (fs::path(o.out) / "study.csv").string();
  std::ostringstream csv;
  csv << st.parameter
      << ",qoi_mean,qoi_std,replicas,solver_qoi,hybrid_wall_seconds,solver_wall_seconds,leaps_accepted,"
         "leaps_rejected\n";
  for (const auto& pt : result)
    csv << yaml_number(pt.value) << "," << csv_number(pt.mean) << "," << csv_number(pt.std) << ","
        << st.replicas << "," << csv_number(pt.solver_qoi) << "," << csv_number(pt.hybrid_wall) << ","
        << csv_number(pt.solver_wall) << "," << pt.accepted << "," << pt.rejected << "\n";
  util::write_file_atomic(csv_path, csv.str());

  // study.png
  const std::string png_path = (fs::path(o.out) / "study.png").string();
  util::LinePlot plot;
  plot.title = qoi + " at the final time (" + cfg.hybrid.case_name + ", " +
               std::to_string(cfg.hybrid.frames) + " frames)";
  plot.xlabel = st.parameter;
  plot.ylabel = qoi;
  util::LineSeries mean_series;
  mean_series.name = "hybrid: mean +- std of " + std::to_string(st.replicas) + " replicas";
  mean_series.style = util::SeriesStyle::line_markers;
  mean_series.colour = util::plot_colour(0);
  util::LineSeries solver_series;
  solver_series.name = "solver only";
  solver_series.style = util::SeriesStyle::markers;
  solver_series.colour = util::plot_colour(3);
  for (const auto& pt : result) {
    mean_series.x.push_back(pt.value);
    mean_series.y.push_back(pt.mean);
    mean_series.y_lo.push_back(pt.mean - pt.std);
    mean_series.y_hi.push_back(pt.mean + pt.std);
    if (pt.checked) solver_series.x.push_back(pt.value), solver_series.y.push_back(pt.solver_qoi);
  }
  plot.series = {mean_series, solver_series};
  util::write_line_plot_png(png_path, plot);

  // metrics.json
  nlohmann::json m;
  m["command"] = "study";
  m["case"] = cfg.hybrid.case_name;
  m["ranks"] = size;
  m["seed"] = cfg.hybrid.seed;
  m["frames"] = cfg.hybrid.frames;
  m["parameter"] = st.parameter;
  m["values"] = st.values;
  m["replicas"] = st.replicas;
  m["replica_sampling_seeds"] = {cfg.hybrid.leap.seed, cfg.hybrid.leap.seed + st.replicas - 1};
  m["members"] = cfg.hybrid.leap.members;
  m["guidance"] = guidance;
  if (guidance != "off") m["coarse_factor"] = coarse_factor;
  m["check_points"] = checks;
  m["qoi"] = qoi;
  const std::string momenta = cfg.hybrid.case_name == "euler3d" ? "3" : "2";
  m["qoi_definition"] = qoi == "nusselt" ? "Nusselt number 1 + <v b> (layer average) at the final time"
                        : cfg.hybrid.case_name == "rayleigh_benard"
                            ? "kinetic energy (u^2 + v^2) / 2, domain mean, at the final time"
                            : "kinetic energy |m|^2 / (2 rho) (m: the " + momenta +
                                  " momentum components), domain mean, at the final time";
  m["uncertainty"] = "sample standard deviation of the QoI over the replicas (0 with one replica)";
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& pt : result) {
    nlohmann::json r;
    r["value"] = pt.value;
    r["qoi_mean"] = pt.mean;
    r["qoi_std"] = pt.std;
    r["qoi_replicas"] = pt.qoi;
    r["solver_qoi"] = number_or_null(pt.solver_qoi);
    r["abs_error"] = number_or_null(std::abs(pt.mean - pt.solver_qoi));
    r["hybrid_wall_seconds"] = pt.hybrid_wall;
    r["solver_wall_seconds"] = number_or_null(pt.solver_wall);
    r["leaps_accepted"] = pt.accepted;
    r["leaps_rejected"] = pt.rejected;
    r["frames_by_emulator"] = pt.frames_emulated;
    r["frames_by_solver"] = pt.frames_solved;
    if (guidance != "off") r["coarse_share"] = pt.hybrid_wall > 0 ? pt.coarse_seconds / pt.hybrid_wall : 0.0;
    rows.push_back(r);
  }
  m["points"] = rows;
  m["leaps_accepted"] = accepted;
  m["leaps_rejected"] = rejected;
  m["wall_seconds_hybrid_total"] = hybrid_total;
  m["wall_seconds_solver_checked"] = solver_checked;
  m["wall_seconds_solver_estimated"] = solver_estimated;
  m["wall_seconds_study"] = study_wall;
  m["speedup"] = speedup;
  m["speedup_definition"] =
      "wall_seconds_solver_estimated / wall_seconds_hybrid_total: the mean solver-only wall time at the "
      "check "
      "points times the number of points (a solver-only sweep), over the wall time of all hybrid runs (every "
      "replica of every point); set-up, warm-up and emulator loading excluded";
  m["speedup_per_run"] = speedup_per_run;
  m["csv"] = csv_path;
  m["figure"] = png_path;
  util::write_file_atomic((fs::path(o.out) / "metrics.json").string(), m.dump(2) + "\n");
  spdlog::info("study: {} points in {}; leaps {} accepted, {} rejected; speed-up {:.2f} (per run {:.2f}); {}",
               result.size(), util::format_duration(study_wall), accepted, rejected, speedup, speedup_per_run,
               png_path);
}

}  // namespace

void add_study(CLI::App& app, Common& common) {
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "study",
      "Sweep a parameter with hybrid ensembles: a quantity of interest with its uncertainty, checked "
      "against the solver");
  cmd->add_option("--config", o->config, "YAML config (examples/<case>/study-small.yaml)")->required();
  cmd->add_option("--ae", o->ae, "autoencoder checkpoint (RUN_AE/best.ckpt)")->required();
  cmd->add_option("--emulator", o->emulator, "latent diffusion emulator checkpoint (RUN_EMU/best.ckpt)")
      ->required();
  cmd->add_option("--out", o->out, "output directory: config.yaml, study.csv, metrics.json, study.png")
      ->required();
  cmd->add_option("--set", common.sets, "override a config key: --set key.path=value (repeatable)");
  cmd->footer("PETSc options go after '--', e.g. leap study ... -- -leap_members 4");
  cmd->callback([o, &common] { run(*o, common); });
}

}  // namespace leap::cli
