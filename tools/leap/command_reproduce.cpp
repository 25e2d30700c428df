// `leap reproduce --case euler2d|rayleigh_benard [--size tiny|small|large] [--out DIR] [--ranks N]`:
// the paper's experiment on LEAP's own data, end to end, resumable. The PETSc solver generates a
// dataset (a parameter sweep, 61-frame trajectories); autoencoders are trained at three compression
// rates (the latent channel count alone changes, as in the paper); at each rate a latent diffusion
// emulator and a deterministic latent emulator are trained on the encoded data; one deterministic
// pixel-space emulator is trained on the solver's states; every model is evaluated on the held-out
// test trajectories (leap evaluate: VRMSE by lead-time bin, power-spectrum error per band, spread/skill,
// CRPS). The findings of the paper are then checked on the results (paper_findings.h) and written,
// with the paper's own table beside LEAP's, as
//   OUT/report.md       the tables, the three verdicts, the wall time per stage
//   OUT/table.csv       VRMSE by lead-time bin per method and rate (the paper's layout)
//   OUT/metrics.json    all of it, machine-readable
//   OUT/*.png           VRMSE against lead time, VRMSE against compression, spread/skill
// Every stage is this program run as a child process (mpiexec for generate and evaluate), as in
// `leap demo`. A finished stage is recorded in OUT/stages.json and skipped when the command is run
// again; an interrupted training stage resumes from its last.ckpt; a finished stage whose outputs were
// removed runs again when a stage that must run reads them.
#include <torch/cuda.h>
#include <yaml-cpp/yaml.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include <sys/resource.h>

#include "child_process.h"
#include "commands.h"
#include "leap/config/load.h"
#include "leap/error.h"
#include "leap/util/atomic_file.h"
#include "leap/util/line_plot.h"
#include "paper_findings.h"
#include "reproduce_configs.h"

namespace fs = std::filesystem;

namespace leap::cli {

namespace {

const char* kWho = "leap reproduce";

struct Options {
  std::string case_name;
  std::string out;
  std::string size = "small";
  std::string device = "auto";
  int ranks = 2;
  bool progress = true;
  bool plan = false;
};

// The compiled-in configs of a case (examples/<case>/reproduce/*.yaml) and what differs between cases.
struct CaseConfigs {
  const char* generate;
  const char* ae;
  const char* emulator;
  const char* surrogate;
  const char* pixel;
  std::string solver_key;  // the generate config's section with nx, ny
  int augment;             // flipped/rolled copies of each training trajectory given to the latent models
};

CaseConfigs case_configs(const std::string& name) {
  namespace r = reproduce;
  if (name == "euler2d")
    return {r::kEulerGenerate,
            r::kEulerAutoencoder,
            r::kEulerEmulator,
            r::kEulerSurrogate,
            r::kEulerPixel,
            "euler2d",
            1};
  // A vertical flip is not a symmetry of Rayleigh-Benard convection as LEAP stores it: no augmentation.
  return {
      r::kRbGenerate, r::kRbAutoencoder, r::kRbEmulator, r::kRbSurrogate, r::kRbPixel, "rayleigh_benard", 0};
}

// The latent channel counts of the three autoencoders (the rates differ by 16x end to end).
const std::vector<int> kLatentChannels = {16, 4, 1};

// Overrides of each config per size: small is the configs as written (about 2 hours on 2 cores);
// tiny checks the whole command in minutes; large is for a GPU node (paper-like widths, 128^2 Euler).
std::vector<std::string> size_overrides(const std::string& size, const std::string& case_name,
                                        const std::string& kind) {
  const bool euler = case_name == "euler2d";
  if (size == "tiny") {
    if (kind == "generate") {
      std::vector<std::string> s = {"frames=10", "trajectories.train=2", "trajectories.valid=1",
                                    "trajectories.test=1", "spatial_factor=4"};
      if (euler)
        s.insert(s.end(), {"sweep=[{key: gamma, values: [1.4]}, {key: boundary, values: [periodic, open]}]",
                           "euler2d.nx=32", "euler2d.ny=32"});
      else
        s.insert(s.end(), {"sweep=[{key: rayleigh, values: [2e4]}, {key: prandtl, values: [1, 4]}]",
                           "rayleigh_benard.nx=64", "rayleigh_benard.ny=16"});
      return s;
    }
    if (kind == "ae")
      return {"optim.epochs=2", "optim.batch=8", "model.channels=[8, 16, 16]", "model.blocks=[1, 1, 1]"};
    if (kind == "emulator" || kind == "surrogate" || kind == "pixel") {
      std::vector<std::string> s = {"optim.epochs=1",
                                    "optim.batch=8",
                                    "model.width=32",
                                    "model.depth=1",
                                    "model.heads=2",
                                    "model.emb_features=32",
                                    "diffusion.context.context_max=2"};
      if (kind == "emulator") s.push_back("diffusion.sampler.steps=4");
      if (kind == "pixel") s.push_back("model.patch_size=4");
      return s;
    }
  }
  if (size == "large") {
    if (kind == "generate") {
      std::vector<std::string> s = {"frames=101", "trajectories.train=16", "trajectories.valid=2",
                                    "trajectories.test=2", "spatial_factor=16"};
      if (euler)
        s.insert(s.end(), {"euler2d.nx=128", "euler2d.ny=128"});
      else
        s.insert(s.end(), {"rayleigh_benard.nx=256", "rayleigh_benard.ny=64"});
      return s;
    }
    if (kind == "ae")
      return {"optim.epochs=100", "optim.batch=32", "model.channels=[32, 64, 128, 256, 256]",
              "model.blocks=[2, 2, 2, 2, 2]", "optim.device=cuda"};
    if (kind == "emulator" || kind == "surrogate" || kind == "pixel") {
      std::vector<std::string> s = {"optim.epochs=50",   "optim.batch=32",      "model.width=384",
                                    "model.depth=8",     "model.heads=6",       "model.emb_features=256",
                                    "optim.device=cuda", "optim.precision=bf16"};
      if (kind == "pixel") s.push_back("model.patch_size=16");
      return s;
    }
  }
  return {};
}

YAML::Node effective_config(const char* text, const std::string& name, const std::vector<std::string>& sets) {
  YAML::Node root = config::load_yaml_text(text, name);
  config::apply_overrides(root, sets, name);
  return root;
}

std::string emit(const YAML::Node& node, const std::string& header) {
  YAML::Emitter e;
  e << node;
  return header + e.c_str() + "\n";
}

struct Stage {
  std::string id;     // key in stages.json and the output directory
  std::string title;  // what it does, for the progress lines
  std::vector<std::string> argv;
  double weight = 1;                 // expected share of the run's time (for the ETA)
  bool trains = false;               // resumable from OUT/id/last.ckpt
  std::vector<std::string> inputs;   // the stages whose outputs it reads
  std::string config;                // the config file it reads ("" for none)
  std::vector<std::string> outputs;  // what it writes that later stages or the report read (under OUT)
};

// FNV-1a of a text, as hex: a stage's fingerprint is that of its command line and its config file.
std::string fingerprint(const std::string& text) {
  uint64_t h = 1469598103934665603ULL;
  for (const unsigned char c : text) h = (h ^ c) * 1099511628211ULL;
  char b[24];
  std::snprintf(b, sizeof b, "%016llx", static_cast<unsigned long long>(h));
  return b;
}

// User and system CPU time of every child process waited for so far (their own children included
// where they waited for them, as mpiexec does for its ranks): a stage's CPU time does not count the
// time it was stopped or waited for the processor, unlike its wall time.
double children_cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_CHILDREN, &u);
  return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         1e-6 * double(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

std::string hms(double s) {
  const long t = std::lround(std::max(0.0, s));
  char b[32];
  if (t >= 3600)
    std::snprintf(b, sizeof b, "%ldh%02ldm", t / 3600, (t % 3600) / 60);
  else
    std::snprintf(b, sizeof b, "%ldm%02lds", t / 60, t % 60);
  return b;
}

nlohmann::json read_json(const fs::path& p) {
  std::ifstream in(p);
  if (!in) throw Error(std::string(kWho) + ": missing " + p.string());
  try {
    return nlohmann::json::parse(in);
  } catch (const std::exception& e) {
    throw Error(std::string(kWho) + ": cannot parse " + p.string() + ": " + e.what());
  }
}

std::string num(double v, const char* f = "%.3f") {
  char b[48];
  std::snprintf(b, sizeof b, f, v);
  return b;
}

// Per-lead values of one metric of one model in an evaluation's metrics.json.
std::vector<double> per_lead(const nlohmann::json& ev, const std::string& model, const std::string& metric) {
  return ev.at("models").at(model).at("per_lead").at(metric).get<std::vector<double>>();
}

std::vector<double> by_bin(const nlohmann::json& ev, const std::string& model, const std::string& metric) {
  std::vector<double> v;
  for (const auto& b : ev.at("lead_bins"))
    v.push_back(ev.at("models").at(model).at("bins").at(b.get<std::string>()).at(metric));
  return v;
}

struct Evaluation {
  int channels;        // latent channels of the rate
  double compression;  // x-fold
  nlohmann::json ev;   // evaluate_cC/metrics.json
};

ResultTable results_table(const std::vector<Evaluation>& evals, const std::string& title) {
  ResultTable t;
  t.title = title;
  for (const auto& b : evals.front().ev.at("lead_bins")) t.bins.push_back(b);
  for (const auto& e : evals) {
    t.rows.push_back({Method::autoencoder, e.compression, by_bin(e.ev, "autoencoder", "vrmse"), {}});
    t.rows.push_back({Method::diffusion, e.compression, by_bin(e.ev, "diffusion", "vrmse"),
                      by_bin(e.ev, "diffusion", "spread_skill_ratio")});
    t.rows.push_back(
        {Method::latent_deterministic, e.compression, by_bin(e.ev, "latent_surrogate", "vrmse"), {}});
  }
  const auto& first = evals.front().ev;
  t.rows.push_back({Method::pixel_deterministic, 0, by_bin(first, "pixel_surrogate", "vrmse"), {}});
  t.rows.push_back({Method::persistence, 0, by_bin(first, "persistence", "vrmse"), {}});
  return t;
}

std::string rate(double c) {
  return c > 0 ? num(c, "%.0f") + "x" : "-";
}

std::string markdown_table(const ResultTable& t) {
  std::ostringstream s;
  s << "| method | compression |";
  for (const auto& b : t.bins) s << " lead " << b << " |";
  s << "\n|---|---|";
  for (size_t k = 0; k < t.bins.size(); ++k) s << "---|";
  s << "\n";
  for (const auto& r : t.rows) {
    s << "| " << method_name(r.method) << " | " << rate(r.compression) << " |";
    for (const double v : r.vrmse) s << " " << num(v) << " |";
    s << "\n";
  }
  return s.str();
}

std::vector<std::string> write_figures(const std::vector<Evaluation>& evals, const ResultTable& t,
                                       const fs::path& out) {
  std::vector<std::string> figures;
  const auto& first = evals.front().ev;
  const int H = first.at("horizon").get<int>();
  std::vector<double> leads;
  for (int l = 1; l <= H; ++l) leads.push_back(l);
  auto positive = [](std::vector<double> v) {
    for (double& x : v) x = x > 0 && std::isfinite(x) ? x : std::nan("");
    return v;
  };
  {  // VRMSE against lead time: every method at every rate.
    util::LinePlot p;
    p.title = "VRMSE against the solver, held-out test trajectories";
    p.xlabel = "lead time (frames)";
    p.ylabel = "VRMSE (mean over fields)";
    p.log_y = true;
    p.width = 900;
    p.height = 560;
    int k = 0;
    for (const auto& e : evals) {
      for (const auto& [model, label] :
           std::vector<std::pair<std::string, std::string>>{{"diffusion", "diffusion"},
                                                            {"latent_surrogate", "deterministic"},
                                                            {"autoencoder", "autoencoder"}})
        p.series.push_back({label + " " + rate(e.compression),
                            leads,
                            positive(per_lead(e.ev, model, "vrmse")),
                            {},
                            {},
                            util::SeriesStyle::line,
                            util::plot_colour(k++)});
    }
    p.series.push_back({"pixel deterministic",
                        leads,
                        positive(per_lead(first, "pixel_surrogate", "vrmse")),
                        {},
                        {},
                        util::SeriesStyle::line_markers,
                        util::Rgb{40, 40, 40}});
    p.series.push_back({"persistence",
                        leads,
                        positive(per_lead(first, "persistence", "vrmse")),
                        {},
                        {},
                        util::SeriesStyle::line,
                        util::Rgb{150, 150, 150}});
    figures.push_back((out / "vrmse_vs_lead.png").string());
    util::write_line_plot_png(figures.back(), p);
  }
  {  // VRMSE against compression: the autoencoder (mean over bins) and the emulators in the long bin.
    util::LinePlot p;
    p.title = "VRMSE against compression (emulators: lead " + t.bins.back() + ")";
    p.xlabel = "compression (x-fold)";
    p.ylabel = "VRMSE";
    p.log_x = p.log_y = true;
    std::vector<double> x, ae, dif, det;
    for (const double c : t.compressions(Method::autoencoder)) {
      x.push_back(c);
      const auto& a = t.find(Method::autoencoder, c)->vrmse;
      double m = 0;
      for (const double v : a) m += v / double(a.size());
      ae.push_back(m);
      dif.push_back(t.find(Method::diffusion, c)->vrmse.back());
      det.push_back(t.find(Method::latent_deterministic, c)->vrmse.back());
    }
    const double pix = t.find(Method::pixel_deterministic)->vrmse.back();
    const auto style = util::SeriesStyle::line_markers;
    p.series.push_back(
        {"autoencoder (mean over leads)", x, positive(ae), {}, {}, style, util::plot_colour(0)});
    p.series.push_back({"latent diffusion", x, positive(dif), {}, {}, style, util::plot_colour(1)});
    p.series.push_back({"latent deterministic", x, positive(det), {}, {}, style, util::plot_colour(2)});
    p.series.push_back({"pixel deterministic",
                        {x.front(), x.back()},
                        positive({pix, pix}),
                        {},
                        {},
                        util::SeriesStyle::line,
                        util::plot_colour(3)});
    figures.push_back((out / "vrmse_vs_compression.png").string());
    util::write_line_plot_png(figures.back(), p);
  }
  {  // Spread/skill of the diffusion ensemble against lead time, per rate.
    util::LinePlot p;
    p.title = "latent diffusion: spread / skill (" +
              std::to_string(first.at("models").at("diffusion").value("members", 0)) +
              " members; 1 = calibrated)";
    p.xlabel = "lead time (frames)";
    p.ylabel = "spread / skill";
    int k = 0;
    for (const auto& e : evals)
      p.series.push_back({rate(e.compression),
                          leads,
                          per_lead(e.ev, "diffusion", "spread_skill_ratio"),
                          {},
                          {},
                          util::SeriesStyle::line,
                          util::plot_colour(k++)});
    p.series.push_back({"calibrated",
                        {leads.front(), leads.back()},
                        {1.0, 1.0},
                        {},
                        {},
                        util::SeriesStyle::line,
                        util::Rgb{128, 128, 128}});
    figures.push_back((out / "spread_skill.png").string());
    util::write_line_plot_png(figures.back(), p);
  }
  return figures;
}

class Reproduction {
 public:
  explicit Reproduction(const Options& o) : o_(o), cases_(case_configs(o.case_name)), out_(o.out) {
    if (out_.empty()) out_ = fs::path("out/reproduce") / o.case_name;
    device_ = o.device == "auto" ? (torch::cuda::is_available() ? std::string("cuda") : std::string("cpu"))
                                 : o.device;
  }

  int run() {
    prepare();
    if (o_.plan) {
      for (const auto& s : stages_) std::cout << s.id << ": " << command_line(s.argv) << "\n";
      return 0;
    }
    // A stage is current when it finished with the same command line and config, after every stage
    // it reads was current: change a config and the stages downstream of it run again.
    std::map<std::string, bool> current;
    double weight_left = 0;
    for (const auto& s : stages_) {
      const std::string fp = stage_fingerprint(s);  // in stage order: its inputs' come first
      bool ok = done_.contains(s.id) && done_[s.id].value("fingerprint", "") == fp;
      for (const auto& in : s.inputs) ok = ok && current[in];
      current[s.id] = ok;
      if (!ok && done_.contains(s.id)) done_.erase(s.id);
    }
    rerun_missing_outputs(current);
    for (const auto& s : stages_)
      if (!done_.contains(s.id)) weight_left += s.weight;
    const auto t0 = std::chrono::steady_clock::now();
    double weight_run = 0;  // weight of the stages run by this invocation so far
    for (size_t i = 0; i < stages_.size(); ++i) {
      const Stage& s = stages_[i];
      const std::string head =
          "\n== leap reproduce [" + std::to_string(i + 1) + "/" + std::to_string(stages_.size()) + "] ";
      if (done_.contains(s.id)) {
        std::cout << head << s.title << ": done earlier (" << hms(done_[s.id].value("seconds", 0.0))
                  << "), skipped\n";
        continue;
      }
      const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      std::string eta = "ETA after the first stage";
      if (weight_run > 0) eta = "ETA " + hms(elapsed / weight_run * weight_left);
      std::cout << head << s.title << " (" << s.id << "; elapsed " << hms(elapsed) << ", " << eta << ")\n";
      std::vector<std::string> argv = s.argv;
      if (s.trains && fs::exists(out_ / s.id / "last.ckpt") && resumable(s)) {
        std::cout << "   resuming from " << (out_ / s.id / "last.ckpt").string() << "\n";
        argv.push_back("--resume");
      }
      if (s.trains) {
        fs::create_directories(out_ / s.id);
        util::write_file_atomic((out_ / s.id / ".reproduce_fingerprint").string(),
                                stage_fingerprint(s) + "\n");
      }
      const auto ts = std::chrono::steady_clock::now();
      const double cpu0 = children_cpu_seconds();
      const int status = run_child(argv, kWho);
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - ts).count();
      const double cpu_seconds = children_cpu_seconds() - cpu0;
      if (status != 0) {
        std::cerr << kWho << ": stage '" << s.id << "' failed (exit " << status << "): " << command_line(argv)
                  << "\n"
                  << kWho << ": finished stages are kept; run the same command again to go on\n";
        return status == 2 ? 2 : 1;
      }
      if (s.trains) util::write_file_atomic((out_ / s.id / ".reproduce_fingerprint").string(), "finished\n");
      done_[s.id] = {{"seconds", seconds},
                     {"cpu_seconds", cpu_seconds},
                     {"command", command_line(argv)},
                     {"fingerprint", stage_fingerprint(s)}};
      weight_run += s.weight;
      weight_left -= s.weight;
      save_record();
    }
    report();
    return 0;
  }

 private:
  // Every output is there: a file, or for "DIR/*.hdf5" at least one HDF5 file anywhere under DIR.
  bool outputs_present(const Stage& s) const {
    const std::string any_hdf5 = "/*.hdf5";
    for (const auto& o : s.outputs) {
      if (o.size() > any_hdf5.size() &&
          o.compare(o.size() - any_hdf5.size(), any_hdf5.size(), any_hdf5) == 0) {
        const fs::path dir = out_ / o.substr(0, o.size() - any_hdf5.size());
        std::error_code ec;
        bool found = false;
        if (fs::is_directory(dir, ec))
          for (auto it = fs::recursive_directory_iterator(dir, ec);
               !found && it != fs::recursive_directory_iterator(); it.increment(ec))
            found = it->path().extension() == ".hdf5";
        if (!found) return false;
      } else if (!fs::exists(out_ / o)) {
        return false;
      }
    }
    return true;
  }

  // A current stage whose outputs were removed (a dataset deleted to free the disk, a directory
  // copied without its checkpoints) runs again, but only when a stage that runs, or the report,
  // reads them. Its fingerprint is unchanged, so the stages downstream stay current, except after a
  // training: retrained weights are not the weights the stages downstream were made from, so those
  // run again too (generate, encode and evaluate are deterministic: they reproduce their outputs).
  void rerun_missing_outputs(std::map<std::string, bool>& current) {
    std::map<std::string, const Stage*> by_id;
    for (const auto& s : stages_) by_id[s.id] = &s;
    for (bool changed = true; changed;) {
      changed = false;
      std::map<std::string, bool> needed;
      for (const auto& s : stages_)
        if (s.id.rfind("evaluate_", 0) == 0) needed[s.id] = true;  // the report reads them
      for (auto it = stages_.rbegin(); it != stages_.rend(); ++it) {
        if (current[it->id] && needed[it->id] && !outputs_present(*it)) {
          current[it->id] = false;
          done_.erase(it->id);
          changed = true;
        }
        if (!current[it->id])
          for (const auto& in : it->inputs) needed[in] = true;
      }
      for (const auto& s : stages_)
        for (const auto& in : s.inputs)
          if (current[s.id] && !current[in] && by_id[in]->trains) {
            current[s.id] = false;
            done_.erase(s.id);
            changed = true;
          }
    }
  }

  // Refuses an OUT of another experiment, writes the effective configs and plans the stages.
  void prepare() {
    const fs::path record = out_ / "stages.json";
    if (fs::exists(record)) {
      nlohmann::json r;
      try {
        r = read_json(record);
      } catch (const Error& e) {
        throw InputError(record.string(), "stages", "the record of an earlier leap reproduce run", e.what());
      }
      if (r.value("case", "") != o_.case_name || r.value("size", "") != o_.size)
        throw InputError(record.string(), "case/size",
                         "--case " + o_.case_name + " --size " + o_.size + " (this command's)",
                         "--case " + r.value("case", "?") + " --size " + r.value("size", "?") +
                             "; give another --out or remove that directory");
      done_ = r.value("stages", nlohmann::json::object());
    }
    std::error_code ec;
    fs::create_directories(out_ / "configs", ec);
    if (ec) throw InputError(out_.string(), "--out", "a directory that can be created", ec.message());

    const std::string header = "# leap reproduce --case " + o_.case_name + " --size " + o_.size +
                               ": examples/" + o_.case_name + "/reproduce/ with this size's overrides.\n";
    const std::pair<std::string, const char*> kinds[] = {{"generate", cases_.generate},
                                                         {"ae", cases_.ae},
                                                         {"emulator", cases_.emulator},
                                                         {"surrogate", cases_.surrogate},
                                                         {"pixel", cases_.pixel}};
    for (const auto& [kind, text] : kinds) {
      const std::string name = "examples/" + o_.case_name + "/reproduce/" + kind + ".yaml";
      configs_[kind] = effective_config(text, name, size_overrides(o_.size, o_.case_name, kind));
      util::write_file_atomic(cfg(kind), emit(configs_[kind], header));
    }
    // Compression of each rate: (nx ny C) / ((nx/f) (ny/f) c) with f = 2^(levels - 1).
    const YAML::Node grid = configs_["generate"][cases_.solver_key];
    const double nx = grid["nx"].as<double>(), ny = grid["ny"].as<double>();
    const double in_channels = configs_["ae"]["model"]["in_channels"].as<double>();
    const double f = std::pow(2.0, double(configs_["ae"]["model"]["channels"].size()) - 1);
    for (const int c : kLatentChannels)
      compression_[c] = nx * ny * in_channels / (std::floor(nx / f) * std::floor(ny / f) * c);
    plan();
  }

  // A stage's fingerprint: its command line, its config file and the fingerprints of the stages it
  // reads, so that a change anywhere upstream changes it.
  std::string stage_fingerprint(const Stage& s) {
    if (const auto it = fingerprints_.find(s.id); it != fingerprints_.end()) return it->second;
    std::string text = command_line(s.argv);
    if (!s.config.empty()) {
      std::ifstream in(s.config);
      text += std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    for (const auto& in : s.inputs) text += " " + fingerprints_.at(in);
    return fingerprints_[s.id] = fingerprint(text);
  }

  // An interrupted training stage resumes from its last.ckpt only when that run was started by this
  // same stage: OUT/ID/.reproduce_fingerprint holds the fingerprint while the stage runs and
  // "finished" once it has (a finished run is never resumed: it reran because something changed).
  bool resumable(const Stage& s) {
    std::ifstream in(out_ / s.id / ".reproduce_fingerprint");
    std::string f;
    in >> f;
    return f == stage_fingerprint(s);
  }

  std::string cfg(const std::string& kind) const { return (out_ / "configs" / (kind + ".yaml")).string(); }
  std::string dir(const std::string& id) const { return (out_ / id).string(); }

  void plan() {
    const std::string leap = self_executable(kWho);
    const std::vector<std::string> mpi{mpiexec(), "-n", std::to_string(o_.ranks), "--oversubscribe", leap};
    const std::vector<std::string> one{leap};
    auto cmd = [&](std::vector<std::string> head, std::initializer_list<std::string> tail) {
      head.insert(head.end(), tail);
      if (!o_.progress) head.push_back("--no-progress");
      return head;
    };
    const bool tiny = o_.size == "tiny";
    stages_.push_back({"data",
                       "generate the dataset with the PETSc solver",
                       cmd(mpi, {"generate", "--config", cfg("generate"), "--out", dir("data")}),
                       1,
                       false,
                       {},
                       cfg("generate"),
                       {"data/metrics.json", "data/*.hdf5"}});
    stages_.push_back({"pixel_det",
                       "train the deterministic pixel-space emulator",
                       cmd(one, {"train", "surrogate", "--config", cfg("pixel"), "--data", dir("data"),
                                 "--out", dir("pixel_det")}),
                       8,
                       true,
                       {"data"},
                       cfg("pixel"),
                       {"pixel_det/best.ckpt"}});
    for (const int c : kLatentChannels) {
      const std::string tag = "c" + std::to_string(c), at = " at " + rate(compression_[c]);
      const std::string ae = "ae_" + tag, lat = "latents_" + tag, dif = "diffusion_" + tag,
                        det = "latent_det_" + tag;
      stages_.push_back({ae,
                         "train the autoencoder" + at + " (" + std::to_string(c) + " latent channels)",
                         cmd(one, {"train", "ae", "--config", cfg("ae"), "--data", dir("data"), "--out",
                                   dir(ae), "--set", "model.latent_channels=" + std::to_string(c)}),
                         8,
                         true,
                         {"data"},
                         cfg("ae"),
                         {ae + "/best.ckpt"}});
      std::vector<std::string> enc = cmd(one, {"encode", "--checkpoint", dir(ae) + "/best.ckpt", "--data",
                                               dir("data"), "--out", dir(lat), "--seed", "0"});
      if (cases_.augment > 0) enc.insert(enc.end(), {"--augment", std::to_string(cases_.augment)});
      stages_.push_back({lat,
                         "encode the dataset" + at,
                         enc,
                         1,
                         false,
                         {"data", ae},
                         "",
                         {lat + "/metrics.json", lat + "/*.hdf5"}});
      stages_.push_back({dif,
                         "train the latent diffusion emulator" + at,
                         cmd(one, {"train", "emulator", "--config", cfg("emulator"), "--data", dir(lat),
                                   "--out", dir(dif)}),
                         8,
                         true,
                         {lat},
                         cfg("emulator"),
                         {dif + "/best.ckpt"}});
      stages_.push_back({det,
                         "train the deterministic latent emulator" + at,
                         cmd(one, {"train", "surrogate", "--config", cfg("surrogate"), "--data", dir(lat),
                                   "--out", dir(det)}),
                         8,
                         true,
                         {lat},
                         cfg("surrogate"),
                         {det + "/best.ckpt"}});
      std::vector<std::string> ev =
          cmd(mpi, {"evaluate", "--ae", dir(ae) + "/best.ckpt", "--emulator", dir(dif) + "/best.ckpt",
                    "--surrogate", dir(det) + "/best.ckpt", "--data", dir("data"), "--out",
                    dir("evaluate_" + tag), "--set", "context=1", "--set",
                    std::string("members=") + (tiny                 ? "2"
                                               : o_.size == "large" ? "16"
                                                                    : "8"),
                    "--set", "device=" + device_});
      std::vector<std::string> inputs = {"data", ae, dif, det};
      if (c == kLatentChannels.front()) {
        ev.insert(ev.end(), {"--surrogate", dir("pixel_det") + "/best.ckpt"});
        inputs.push_back("pixel_det");
      }
      stages_.push_back({"evaluate_" + tag,
                         "evaluate every model" + at + " on the held-out test trajectories",
                         ev,
                         3,
                         false,
                         inputs,
                         "",
                         {"evaluate_" + tag + "/metrics.json"}});
    }
  }

  void save_record() const {
    nlohmann::json r = {{"case", o_.case_name}, {"size", o_.size}, {"ranks", o_.ranks}, {"stages", done_}};
    util::write_file_atomic((out_ / "stages.json").string(), r.dump(2) + "\n");
  }

  void report() {
    std::vector<Evaluation> evals;
    for (const int c : kLatentChannels)
      evals.push_back(
          {c, compression_[c], read_json(out_ / ("evaluate_c" + std::to_string(c)) / "metrics.json")});
    const auto& first = evals.front().ev;
    const ResultTable ours = results_table(
        evals, "LEAP, " + o_.case_name + " (" + o_.size + "), " +
                   std::to_string(first.value("trajectories", 0)) + " held-out test trajectories, context " +
                   std::to_string(first.value("context", 0)) + ", horizon " +
                   std::to_string(first.value("horizon", 0)) + " frames");
    const std::vector<Verdict> verdicts = check_findings(ours);
    const std::optional<ResultTable> paper = paper_table(o_.case_name);
    const std::vector<Verdict> paper_verdicts = paper ? check_findings(*paper) : std::vector<Verdict>{};
    const std::vector<std::string> figures = write_figures(evals, ours, out_);

    // table.csv: the paper's layout, one row per method and rate.
    std::string csv = "method,compression";
    for (const auto& b : ours.bins) csv += ",lead_" + b;
    csv += "\n";
    for (const auto& r : ours.rows) {
      csv += method_name(r.method) + "," + (r.compression > 0 ? num(r.compression, "%.0f") : std::string());
      for (const double v : r.vrmse) csv += "," + num(v, "%.6g");
      csv += "\n";
    }
    util::write_file_atomic((out_ / "table.csv").string(), csv);

    std::ostringstream md;
    double total = 0;
    for (const auto& [id, s] : done_.items()) total += s.value("seconds", 0.0);
    md << "# leap reproduce --case " << o_.case_name << " --size " << o_.size << "\n\n"
       << o_.ranks << " MPI ranks for generate and evaluate, models on " << device_ << ", "
       << std::thread::hardware_concurrency() << " hardware threads; " << hms(total)
       << " of stages in all.\n\n"
       << "## VRMSE against the solver by lead-time bin (" << ours.title << ")\n\n"
       << markdown_table(ours);
    if (paper) md << "\nBeside it, " << paper->title << ":\n\n" << markdown_table(*paper);
    md << "\nThe bins are the paper's (1:20, 21:60, 61:100 of a 100-frame horizon) scaled to this "
          "horizon.\n\n"
       << "## The paper's findings on these results\n\n";
    for (const auto& v : verdicts) md << "- " << v.line() << "\n";
    if (paper) {
      md << "\nThe same checks on " << paper->title << ":\n\n";
      for (const auto& v : paper_verdicts) md << "- " << v.line() << "\n";
    }
    md << "\n## Latent diffusion ensembles: spread/skill and CRPS by lead-time bin\n\n| compression | metric "
          "|";
    for (const auto& b : ours.bins) md << " lead " << b << " |";
    md << "\n|---|---|";
    for (size_t k = 0; k < ours.bins.size(); ++k) md << "---|";
    md << "\n";
    for (const auto& e : evals)
      for (const char* m : {"spread_skill_ratio", "crps"}) {
        md << "| " << rate(e.compression) << " | " << m << " |";
        for (const double v : by_bin(e.ev, "diffusion", m)) md << " " << num(v) << " |";
        md << "\n";
      }
    md << "\n## Power-spectrum error per band at lead " << ours.bins.back()
       << " (bands 1-3: low to high frequency)\n\n| method | compression | band 1 | band 2 | band 3 "
          "|\n|---|---|---|---|---|\n";
    auto spectrum_row = [&](const std::string& label, double c, const nlohmann::json& ev,
                            const std::string& model) {
      md << "| " << label << " | " << rate(c) << " |";
      for (int b = 1; b <= 3; ++b)
        md << " " << num(by_bin(ev, model, "spectrum_error_band" + std::to_string(b)).back()) << " |";
      md << "\n";
    };
    for (const auto& e : evals) {
      spectrum_row("autoencoder", e.compression, e.ev, "autoencoder");
      spectrum_row("latent diffusion", e.compression, e.ev, "diffusion");
      spectrum_row("latent deterministic", e.compression, e.ev, "latent_surrogate");
    }
    spectrum_row("pixel deterministic", 0, first, "pixel_surrogate");
    md << "\n## Time per stage\n\nWall seconds, and CPU seconds of all its processes (every thread "
          "of every rank; it does not count time stopped or waiting for a processor).\n\n"
          "| stage | wall s | CPU s |\n|---|---|---|\n";
    for (const auto& s : stages_)
      md << "| " << s.id << " | " << num(done_[s.id].value("seconds", 0.0), "%.0f") << " | "
         << num(done_[s.id].value("cpu_seconds", 0.0), "%.0f") << " |\n";
    md << "\nFigures: ";
    for (const auto& f : figures) md << f << " ";
    md << "\n";

    nlohmann::json m;
    m["command"] = "reproduce";
    m["case"] = o_.case_name;
    m["size"] = o_.size;
    m["ranks"] = o_.ranks;
    m["device"] = device_;
    m["hardware_threads"] = std::thread::hardware_concurrency();
    m["lead_bins"] = ours.bins;
    m["seconds_per_stage"] = done_;
    m["seconds_total"] = total;
    for (const auto& e : evals) m["compression"]["c" + std::to_string(e.channels)] = e.compression;
    auto rows_json = [](const ResultTable& t) {
      nlohmann::json rows = nlohmann::json::array();
      for (const auto& r : t.rows) {
        nlohmann::json j = {
            {"method", method_name(r.method)}, {"compression", r.compression}, {"vrmse", r.vrmse}};
        if (!r.spread_skill.empty()) j["spread_skill_ratio"] = r.spread_skill;
        rows.push_back(j);
      }
      return rows;
    };
    auto verdicts_json = [](const std::vector<Verdict>& vs) {
      nlohmann::json a = nlohmann::json::array();
      for (const auto& v : vs)
        a.push_back({{"finding", v.finding},
                     {"statement", v.statement},
                     {"outcome", v.outcome == Verdict::Outcome::holds           ? "holds"
                                 : v.outcome == Verdict::Outcome::does_not_hold ? "does not hold"
                                                                                : "not checked"},
                     {"numbers", v.numbers}});
      return a;
    };
    m["results"] = rows_json(ours);
    m["findings"] = verdicts_json(verdicts);
    if (paper) {
      m["paper"] = {{"title", paper->title},
                    {"lead_bins", paper->bins},
                    {"results", rows_json(*paper)},
                    {"findings", verdicts_json(paper_verdicts)}};
    }
    m["figures"] = figures;
    nlohmann::json evaluations;
    for (const auto& e : evals)
      evaluations["c" + std::to_string(e.channels)] =
          (out_ / ("evaluate_c" + std::to_string(e.channels))).string();
    m["evaluations"] = evaluations;
    util::write_file_atomic((out_ / "metrics.json").string(), m.dump(2) + "\n");
    util::write_file_atomic((out_ / "report.md").string(), md.str());
    std::cout << "\n" << md.str() << std::flush;
  }

  Options o_;
  CaseConfigs cases_;
  fs::path out_;
  std::string device_;
  std::map<std::string, YAML::Node> configs_;
  std::map<int, double> compression_;
  std::vector<Stage> stages_;
  std::map<std::string, std::string> fingerprints_;  // by stage id
  nlohmann::json done_ = nlohmann::json::object();
};

}  // namespace

void add_reproduce_help_entry(CLI::App& app) {
  app.add_subcommand("reproduce",
                     "Reproduce the paper's findings on LEAP's data: one resumable experiment (see leap "
                     "reproduce --help)")
      ->allow_extras();
}

int reproduce_main(int argc, char** argv) {
  Options o;
  bool no_progress = false;
  CLI::App app{
      "leap reproduce: the paper's experiment on LEAP's own data. Generates a dataset with the PETSc "
      "solver, trains autoencoders at three compression rates, a latent diffusion and a deterministic "
      "latent emulator at each, and a deterministic pixel-space emulator, evaluates them all on held-out "
      "trajectories and checks the paper's three findings. Finished stages are skipped when run again.",
      "leap reproduce"};
  app.add_option("--case", o.case_name, "euler2d or rayleigh_benard")
      ->required()
      ->check(CLI::IsMember({"euler2d", "rayleigh_benard"}));
  app.add_option("--out", o.out, "output directory (default out/reproduce/CASE)");
  app.add_option(
         "--size", o.size,
         "small (the default: about 2 hours on 2 CPU cores), tiny (a check in minutes) or large (a GPU node)")
      ->check(CLI::IsMember({"tiny", "small", "large"}));
  app.add_option("--ranks", o.ranks, "MPI ranks of generate and evaluate")->check(CLI::Range(1, 1024));
  app.add_option("--device", o.device, "where evaluate runs the models: auto, cpu, cuda");
  app.add_flag("--plan", o.plan, "write the configs and print the stages' commands; run nothing");
  app.add_flag("--no-progress", no_progress, "no progress bars in the stages");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);
    std::cerr << kWho << ": " << e.what() << " (see leap reproduce --help)\n";
    return 2;
  }
  o.progress = !no_progress;
  try {
    Reproduction r(o);
    return r.run();
  } catch (const InputError& e) {
    std::cerr << kWho << ": " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << kWho << ": " << e.what() << "\n";
    return 1;
  }
}

}  // namespace leap::cli
