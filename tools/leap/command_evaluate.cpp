// `leap evaluate --ae RUN_AE/best.ckpt --emulator RUN_EMU/best.ckpt [--surrogate RUN_SUR/best.ckpt ...]
// --data DATA --out EVAL` (under mpiexec the ranks split the trajectories): the models against the
// solver on the test split (train/evaluation.h), written as
//   EVAL/table.csv        the paper's table: one row per model and metric, one column per lead-time bin
//   EVAL/per_lead.csv     every metric at every lead time (model, metric, field, lead, value)
//   EVAL/metrics.json     all of it, per field and averaged, with the figures' paths
//   EVAL/*.png            snapshots (truth, each model, error) per field (3-D: the mid-plane z = Z/2);
//                         VRMSE against lead time; power spectra at the last lead time (isotropic
//                         rings in 2-D, spherical shells in 3-D); spread and skill against lead time
//   EVAL/config.yaml      the effective evaluation config
#include <ATen/ATen.h>

#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "leap/config/load.h"
#include "leap/error.h"
#include "leap/log.h"
#include "leap/metrics/power_spectrum.h"
#include "leap/plugin/collective_error.h"
#include "leap/train/evaluation.h"
#include "leap/util/atomic_file.h"
#include "leap/util/line_plot.h"
#include "leap/util/png_figure.h"

namespace fs = std::filesystem;

namespace leap::cli {
namespace {

struct Options {
  std::string config, ae, emulator, out;
  std::vector<std::string> data;
  std::vector<std::string> surrogates;
  bool no_progress = false;
};

std::vector<double> to_vector(const at::Tensor& t) {
  const at::Tensor d = t.to(at::kCPU, at::kDouble).contiguous();
  return std::vector<double>(d.data_ptr<double>(), d.data_ptr<double>() + d.numel());
}

// The metrics of one model as [H, C] tensors (spectrum error: one per band), by name.
std::vector<std::pair<std::string, at::Tensor>> metric_list(const train::ModelScores& s) {
  std::vector<std::pair<std::string, at::Tensor>> m = {
      {"vrmse", s.vrmse}, {"vrmse_vs_autoencoder", s.vrmse_ae}, {"vrmse_ensemble_mean", s.vrmse_mean}};
  for (int b = 0; b < metrics::kSpectrumBands; ++b)
    m.emplace_back("spectrum_error_band" + std::to_string(b + 1), s.spectrum_error.select(-1, b));
  if (s.skill.defined()) {
    m.emplace_back("skill", s.skill);
    m.emplace_back("spread", s.spread);
    m.emplace_back("spread_skill_ratio", s.spread / s.skill.clamp_min(1e-12));
    m.emplace_back("crps", s.crps);
  }
  return m;
}

std::string fmt(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

void write_tables(const train::EvaluationResult& r, const std::string& out, nlohmann::json& j) {
  std::string table = "model,metric";
  for (const auto& b : r.bins) table += ",lead_" + b.label();
  table += "\n";
  std::string per_lead = "model,metric,field,lead,value\n";
  nlohmann::json models;
  for (const auto& s : r.models) {
    nlohmann::json jm;
    jm["checkpoint"] = s.checkpoint;
    jm["members"] = s.members;
    jm["seconds_per_state"] = s.seconds_per_state;
    for (const auto& [name, per] : metric_list(s)) {
      const at::Tensor mean = per.mean(-1);  // over fields
      table += s.name + "," + name;
      for (const auto& b : r.bins) {
        const double v = train::bin_mean(mean, b).item<double>();
        table += "," + fmt(v);
        jm["bins"][b.label()][name] = v;
        const at::Tensor fields = train::bin_mean(per, b);
        for (size_t c = 0; c < r.channels.size(); ++c)
          jm["per_field"][r.channels[c]][b.label()][name] = fields[int64_t(c)].item<double>();
      }
      table += "\n";
      jm["per_lead"][name] = to_vector(mean);
      for (int64_t l = 0; l < r.horizon; ++l) {
        per_lead +=
            s.name + "," + name + ",mean," + std::to_string(l + 1) + "," + fmt(mean[l].item<double>()) + "\n";
        for (size_t c = 0; c < r.channels.size(); ++c)
          per_lead += s.name + "," + name + "," + r.channels[c] + "," + std::to_string(l + 1) + "," +
                      fmt(per[l][int64_t(c)].item<double>()) + "\n";
      }
    }
    models[s.name] = jm;
  }
  j["models"] = models;
  util::write_file_atomic((fs::path(out) / "table.csv").string(), table);
  util::write_file_atomic((fs::path(out) / "per_lead.csv").string(), per_lead);
}

// The plane a snapshot figure shows: the field itself in 2-D, its mid-plane z = Z/2 in 3-D.
at::Tensor shown_plane(const at::Tensor& field) {
  return field.dim() == 3 ? field.select(2, field.size(2) / 2) : field;
}

// In 3-D, " (z = k of Z)" for the figure titles and metrics.json; empty in 2-D.
std::string plane_note(const train::EvaluationResult& r) {
  if (r.spatial_dims != 3) return "";
  const int64_t Z = r.truth_snapshots.size(-1);
  return "z = " + std::to_string(Z / 2) + " of " + std::to_string(Z) + " (cells 0.." + std::to_string(Z - 1) +
         ")";
}

util::FigurePanel panel(const at::Tensor& field, double lo, double hi, const std::string& title) {
  const at::Tensor yx =
      shown_plane(field).to(at::kFloat).transpose(0, 1).flip({0}).contiguous();  // y up, x across
  util::FigurePanel p;
  p.title = title;
  p.rows = yx.size(0);
  p.cols = yx.size(1);
  p.values.assign(yx.data_ptr<float>(), yx.data_ptr<float>() + yx.numel());
  p.lo = lo;
  p.hi = hi;
  return p;
}

// Values for a log axis: those <= 0 become gaps.
std::vector<double> positive(std::vector<double> v) {
  for (double& x : v) x = x > 0 ? x : std::nan("");
  return v;
}

std::vector<std::string> write_figures(const train::EvaluationResult& r, const std::string& out) {
  std::vector<std::string> figures;
  auto path = [&](const std::string& name) {
    figures.push_back((fs::path(out) / name).string());
    return figures.back();
  };
  // Snapshots: per field, one row per lead time: truth, each model (member 0), |first emulator - truth|
  // (persistence is left out: it is the context frame.)
  const train::ModelScores* first_emulator = nullptr;
  std::vector<const train::ModelScores*> shown;
  for (const auto& s : r.models) {
    if (s.name == "persistence") continue;
    shown.push_back(&s);
    if (!first_emulator && s.name != "autoencoder") first_emulator = &s;
  }
  const int columns = int(shown.size()) + 1 + (first_emulator ? 1 : 0);
  const int scale = std::max<int>(1, int(128 / std::max<int64_t>(1, shown_plane(r.truth_snapshots[0][0]).size(-1))));
  for (size_t c = 0; c < r.channels.size(); ++c) {
    std::vector<util::FigurePanel> panels;
    std::string leads_shown;
    for (size_t k = 0; k < r.snapshot_leads.size(); ++k) {
      const std::string lead = " t+" + std::to_string(r.snapshot_leads[k]);
      leads_shown += (k ? ", " : "") + std::to_string(r.snapshot_leads[k]);
      const at::Tensor truth = r.truth_snapshots[int64_t(k)][int64_t(c)];
      const at::Tensor plane = shown_plane(truth);  // the colour range of the plane shown
      const double lo = plane.min().item<double>(), hi = plane.max().item<double>();
      panels.push_back(panel(truth, lo, hi, "solver" + lead));
      for (const auto* s : shown)
        panels.push_back(panel(s->snapshots[int64_t(k)][int64_t(c)], lo, hi, s->name + lead));
      if (first_emulator)
        panels.push_back(panel((first_emulator->snapshots[int64_t(k)][int64_t(c)] - truth).abs(), 0, 0,
                               "|" + first_emulator->name + " - solver|" + lead));
    }
    util::write_figure_png(path("snapshots_" + r.channels[c] + ".png"), panels, columns, scale,
                           r.channels[c] + (r.snapshot_leads.size() > 1 ? " at leads " : " at lead ") +
                               leads_shown + " (first trajectory, member 0" +
                               (r.spatial_dims == 3 ? "; mid-plane " + plane_note(r) : "") + ")");
  }
  std::vector<double> leads;
  for (int64_t l = 1; l <= r.horizon; ++l) leads.push_back(double(l));
  const auto style = r.horizon > 1 ? util::SeriesStyle::line_markers : util::SeriesStyle::markers;
  {
    util::LinePlot p;
    p.title = "VRMSE against the solver (mean over fields)";
    p.xlabel = "lead time (frames)";
    p.ylabel = "VRMSE";
    p.log_y = true;
    int k = 0;
    for (const auto& s : r.models)
      p.series.push_back(
          {s.name, leads, positive(to_vector(s.vrmse.mean(-1))), {}, {}, style, util::plot_colour(k++)});
    util::write_line_plot_png(path("vrmse_vs_lead.png"), p);
  }
  {
    util::LinePlot p;
    p.title = "power spectrum at lead " + std::to_string(r.horizon) + " (" + r.channels.front() +
              (r.spatial_dims == 3 ? ", spherical shells" : "") + ")";
    p.xlabel = "wavenumber |k| (cycles/pixel)";
    p.ylabel = "power";
    p.log_x = p.log_y = true;
    const std::vector<double> f = positive(to_vector(r.frequency));
    p.series.push_back({"solver",
                        f,
                        positive(to_vector(r.truth_spectrum[0])),
                        {},
                        {},
                        util::SeriesStyle::line,
                        util::Rgb{0, 0, 0}});
    int k = 0;
    for (const auto& s : r.models)
      p.series.push_back({s.name,
                          f,
                          positive(to_vector(s.spectrum[0])),
                          {},
                          {},
                          util::SeriesStyle::line,
                          util::plot_colour(k++)});
    util::write_line_plot_png(path("spectra.png"), p);
  }
  for (const auto& s : r.models) {
    if (!s.skill.defined()) continue;
    util::LinePlot p;
    p.title = s.name + ": spread and skill (" + std::to_string(s.members) + " members)";
    p.xlabel = "lead time (frames)";
    p.ylabel = "RMSE (physical units, mean over fields)";
    p.log_x = true;
    p.series.push_back({"skill (RMSE of the mean)",
                        leads,
                        to_vector(s.skill.mean(-1)),
                        {},
                        {},
                        style,
                        util::plot_colour(0)});
    p.series.push_back({"spread", leads, to_vector(s.spread.mean(-1)), {}, {}, style, util::plot_colour(1)});
    // One figure per ensemble: spread_skill.png for the diffusion emulator, spread_skill_<model>.png else.
    util::write_line_plot_png(
        path(s.name == "diffusion" ? "spread_skill.png" : "spread_skill_" + s.name + ".png"), p);
  }
  return figures;
}

void run(const Options& o, const Common& common) {
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  const std::string source = o.config.empty() ? "(--set)" : o.config;
  train::EvaluateInputs in;
  {  // read on every rank: one rank's failure fails all; ranks must read the same config
    std::exception_ptr failure;
    try {
      YAML::Node root = o.config.empty() ? YAML::Node(YAML::NodeType::Map) : config::load_yaml_file(o.config);
      config::apply_overrides(root, common.sets, source);
      in.config = config::parse_config<train::EvaluateConfig>(root, source);
    } catch (...) {
      failure = std::current_exception();
    }
    plugin::agree_on_failure(MPI_COMM_WORLD, failure);
    plugin::agree_on_same_input(MPI_COMM_WORLD, config::to_yaml(in.config), source);
  }
  in.config_file = source;
  in.data_dirs = o.data;
  in.autoencoder = o.ae;
  in.emulator = o.emulator;
  in.surrogates = o.surrogates;
  in.progress = !o.no_progress && !common.quiet;
  for (const auto& p :
       std::vector<std::pair<std::string, std::string>>{{o.ae, "--ae"}, {o.emulator, "--emulator"}})
    if (!p.first.empty() && !fs::is_regular_file(p.first))
      throw InputError(p.second + ": no checkpoint file '" + p.first + "'");
  for (const auto& s : o.surrogates)
    if (!fs::is_regular_file(s)) throw InputError("--surrogate: no checkpoint file '" + s + "'");
  in.before_work = [&] {  // every rank fails when rank 0 cannot write --out
    std::string problem;
    if (rank == 0) try {
        util::ensure_writable_dir(o.out, "--out");
      } catch (const InputError& e) {
        problem = e.what();
      }
    int failed = problem.empty() ? 0 : 1;
    MPI_Bcast(&failed, 1, MPI_INT, 0, MPI_COMM_WORLD);
    if (failed) throw InputError(rank == 0 ? problem : "--out: rank 0 cannot write '" + o.out + "'");
  };
  const train::EvaluationResult r = train::evaluate_models(in);
  if (rank != 0) return;

  config::write_effective_config(o.out, in.config);
  nlohmann::json j;
  j["command"] = "evaluate";
  j["data"] = o.data;
  j["split"] = in.config.split;
  j["trajectories"] = r.trajectories;
  j["start"] = in.config.start;
  j["context"] = r.context;
  j["horizon"] = r.horizon;
  j["sampler_steps"] = in.config.sampler_steps;  // 0: the emulator checkpoint's
  j["ranks"] = r.ranks;
  j["channels"] = r.channels;
  j["spatial_dims"] = r.spatial_dims;
  if (r.spatial_dims == 3) j["snapshot_plane"] = plane_note(r);
  std::vector<std::string> bins;
  for (const auto& b : r.bins) bins.push_back(b.label());
  j["lead_bins"] = bins;
  j["snapshot_leads"] = r.snapshot_leads;
  std::vector<std::string> columns = {"solver"};  // of snapshots_<field>.png; rows: snapshot_leads
  std::string first_emulator;
  for (const auto& s : r.models) {
    if (s.name == "persistence") continue;
    columns.push_back(s.name);
    if (first_emulator.empty() && s.name != "autoencoder") first_emulator = s.name;
  }
  if (!first_emulator.empty()) columns.push_back("|" + first_emulator + " - solver|");
  j["snapshot_columns"] = columns;
  write_tables(r, o.out, j);
  j["figures"] = write_figures(r, o.out);
  util::write_file_atomic((fs::path(o.out) / "metrics.json").string(), j.dump(2) + "\n");

  // The table on the terminal: VRMSE against the solver per lead-time bin.
  std::string header = fmt::format("{:<18}", "VRMSE");
  for (const auto& b : r.bins) header += fmt::format("{:>10}", b.label());
  spdlog::info("evaluate: {} trajectories, context {}, horizon {} frames", r.trajectories, r.context,
               r.horizon);
  spdlog::info("{}", header);
  for (const auto& s : r.models) {
    std::string line = fmt::format("{:<18}", s.name);
    for (const auto& b : r.bins)
      line += fmt::format("{:>10.4f}", train::bin_mean(s.vrmse.mean(-1), b).item<double>());
    spdlog::info("{}", line);
  }
  spdlog::info("evaluate: table.csv, per_lead.csv, metrics.json and figures in {}", o.out);
}

}  // namespace

void add_evaluate(CLI::App& app, Common& common) {
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "evaluate", "Score the autoencoder, the diffusion emulator and the surrogates against the solver");
  cmd->add_option("--ae", o->ae, "autoencoder checkpoint (RUN_AE/best.ckpt)")->required();
  cmd->add_option("--emulator", o->emulator, "latent diffusion emulator checkpoint (RUN_EMU/best.ckpt)");
  cmd->add_option("--surrogate", o->surrogates,
                  "deterministic surrogate checkpoint, latent or pixel space (repeatable: one of each)");
  cmd->add_option(
         "--data", o->data,
         "datasets in The Well's layout or collections of them (leap generate's output), one or more; "
         "the config's split (test) of every dataset is scored")
      ->required();
  cmd->add_option("--out", o->out, "output directory: table.csv, per_lead.csv, metrics.json, figures")
      ->required();
  cmd->add_option("--config", o->config, "optional YAML config (keys: see leap config --help)");
  cmd->add_option("--set", common.sets,
                  "override a config key, e.g. --set members=8 --set horizon=20 (repeatable)");
  cmd->add_flag("--no-progress", o->no_progress, "no progress bar");
  // Shorthands for the guidance keys (the same as --set guidance=..., obs_noise=..., cg_iterations=...).
  auto guidance = std::make_shared<std::string>();
  auto obs_noise = std::make_shared<std::string>();
  auto cg = std::make_shared<std::string>();
  cmd->add_option(
      "--guidance", *guidance,
      "also run the diffusion emulator guided by observations of the truth: subsample:S[:OFFSET] or "
      "downscale:B (key guidance)");
  cmd->add_option("--obs-noise", *obs_noise,
                  "observation noise standard deviation (key obs_noise, default 0.1)");
  cmd->add_option("--cg-iterations", *cg,
                  "MMPS conjugate-gradient iterations (key cg_iterations, default 1)");
  cmd->callback([o, &common, guidance, obs_noise, cg] {
    if (!guidance->empty()) common.sets.push_back("guidance=" + *guidance);
    if (!obs_noise->empty()) common.sets.push_back("obs_noise=" + *obs_noise);
    if (!cg->empty()) common.sets.push_back("cg_iterations=" + *cg);
    run(*o, common);
  });
}

}  // namespace leap::cli
