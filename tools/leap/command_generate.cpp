// `leap generate --config C --out DATA` (under mpiexec): an ensemble of solver runs written as a
// collection in The Well's layout: one dataset per dataset_name (a boundary sweep of the Euler case
// gives euler_multi_quadrants_openBC and _periodicBC), DATA/<dataset_name>/data/{train,valid,test}/
// *.hdf5 in The Well's schema and DATA/<dataset_name>/stats.yaml; config.yaml and metrics.json in DATA.
#include <cctype>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "case_solvers.h"
#include "commands.h"
#include "leap/config/load.h"
#include "leap/data/dataset_stats.h"
#include "leap/log.h"
#include "leap/petsc/dataset_generator.h"
#include "leap/train/dataset_dir.h"
#include "leap/util/atomic_file.h"
#include "rank_config.h"

namespace fs = std::filesystem;

namespace leap::cli {

namespace {

// Cartesian product of the sweep: each point is a list of "key=value" overrides.
std::vector<std::vector<std::string>> sweep_points(const std::vector<SweepAxis>& sweep) {
  std::vector<std::vector<std::string>> points{{}};
  for (const auto& axis : sweep) {
    std::vector<std::vector<std::string>> next;
    for (const auto& p : points)
      for (const auto& v : axis.values) {
        auto q = p;
        q.push_back(axis.key + "=" + v);
        next.push_back(std::move(q));
      }
    points = std::move(next);
  }
  return points;
}

std::string file_stem(const std::string& case_name, const std::vector<std::string>& point) {
  std::string stem = case_name;
  for (const auto& kv : point) {
    stem += "_";
    for (char ch : kv)
      stem += (std::isalnum(static_cast<unsigned char>(ch)) || ch == '.' || ch == '-') ? ch : '_';
  }
  return stem;
}

struct Options {
  std::string config;
  std::string out;
  bool no_progress = false;
};

void run(const Options& o, const Common& common) {
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  const GenerateConfig cfg = load_config_on_all_ranks<GenerateConfig>(o.config, common.sets);
  const auto points = sweep_points(cfg.sweep);

  // Everything is checked before the first solver step: each sweep point's config, the grid
  // against the spatial factor, and the output directory. Points that make the same dataset_name
  // (one Well dataset, one directory) must agree on the grid and the fields.
  struct DatasetShape {
    std::string point;  // the first point that made it, for messages
    std::string grid, fields;
  };
  std::map<std::string, DatasetShape> shapes;
  std::vector<std::string> point_dataset;  // dataset_name of each point
  for (const auto& point : points) {
    auto solver = make_case_solver(MPI_COMM_WORLD, cfg, point, o.config);
    std::string grid, fields, label = point.empty() ? "(no sweep)" : "";
    for (const auto& kv : point) label += (label.empty() ? "" : " ") + kv;
    for (const auto& a : solver->axes()) {
      if (a.size % cfg.spatial_factor != 0)
        throw InputError(o.config, cfg.case_name + ".grid",
                         "a grid divisible by spatial_factor = " + std::to_string(cfg.spatial_factor),
                         std::to_string(a.size) + " cells along " + a.name);
      grid += (grid.empty() ? "" : " x ") + std::to_string(a.size);
    }
    for (const auto& f : solver->well_fields()) fields += (fields.empty() ? "" : ", ") + f.name;
    const std::string name = solver->dataset_name();
    point_dataset.push_back(name);
    const auto [it, fresh] = shapes.emplace(name, DatasetShape{label, grid, fields});
    if (!fresh && (it->second.grid != grid || it->second.fields != fields))
      throw InputError(o.config, "sweep",
                       "sweep points of one dataset (" + name + ") with one grid and one set of fields",
                       "'" + label + "' gives " + grid + " (" + fields + "), '" + it->second.point +
                           "' gives " + it->second.grid + " (" + it->second.fields + ")");
  }
  const char* splits[] = {"train", "valid", "test"};
  const int64_t counts[] = {cfg.trajectories.train, cfg.trajectories.valid, cfg.trajectories.test};
  int bad = 0;
  std::string why;
  if (rank == 0) {
    try {
      util::ensure_writable_dir(o.out, "--out");
      for (const auto& [name, shape] : shapes)
        for (auto s : splits)
          util::ensure_writable_dir(train::split_dir((fs::path(o.out) / name).string(), s), "--out");
    } catch (const InputError& e) {
      bad = 1;
      why = e.what();
    }
  }
  MPI_Bcast(&bad, 1, MPI_INT, 0, MPI_COMM_WORLD);
  if (bad) throw InputError(rank == 0 ? why : "--out: not writable");
  if (rank == 0) config::write_effective_config(o.out, cfg);

  std::vector<petsc::GenerationItem> items;
  std::map<std::string, std::vector<std::string>> train_files, all_files;  // per dataset_name
  int64_t offset = 0;
  for (int s = 0; s < 3; ++s) {
    if (counts[s] == 0) continue;
    for (size_t p = 0; p < points.size(); ++p) {
      const auto& point = points[p];
      const std::string& name = point_dataset[p];
      petsc::GenerationItem item;
      item.file = (fs::path(train::split_dir((fs::path(o.out) / name).string(), splits[s])) /
                   (file_stem(cfg.case_name, point) + ".hdf5"))
                      .string();
      item.label = splits[s];
      for (const auto& kv : point) item.label += " " + kv;
      item.trajectories = counts[s];
      item.seed_base = cfg.seed + offset;
      item.overrides = point;
      offset += counts[s];
      items.push_back(item);
      all_files[name].push_back(item.file);
      if (s == 0) train_files[name].push_back(item.file);
    }
  }
  petsc::GenerationSettings settings;
  settings.frames = cfg.frames;
  settings.frame_interval = cfg.frame_interval;
  settings.warmup = cfg.warmup;
  settings.progress = !o.no_progress && !common.quiet;
  const double t0 = MPI_Wtime();
  const auto report = petsc::GenerateDataset(MPI_COMM_WORLD, items, settings,
                                             [&](const petsc::GenerationItem& item, int64_t seed) {
                                               auto sets = item.overrides;
                                               sets.push_back("seed=" + std::to_string(seed));
                                               return make_case_solver(MPI_COMM_WORLD, cfg, sets, o.config);
                                             });
  const double wall = MPI_Wtime() - t0;

  // One stats.yaml per dataset, from its training split (or all its files when it has none).
  for (const auto& [name, files] : all_files) {
    const auto it = train_files.find(name);
    const auto stats = data::compute_stats(MPI_COMM_WORLD, it == train_files.end() ? files : it->second);
    if (rank == 0) data::write_stats_yaml((fs::path(o.out) / name / "stats.yaml").string(), stats);
  }
  int size = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  if (rank == 0) {
    nlohmann::json m;
    m["command"] = "generate";
    m["case"] = cfg.case_name;
    m["ranks"] = size;
    m["files"] = report.files;
    m["datasets"] = nlohmann::json::array();
    for (const auto& [name, files] : all_files) m["datasets"].push_back(name);
    m["trajectories"] = report.trajectories_total;
    m["trajectories_run"] = report.trajectories_run;
    m["frames_written"] = report.frames_written;
    m["wall_seconds"] = wall;
    m["solver_seconds"] = report.solver_seconds;
    m["write_seconds"] = report.write_seconds;
    m["cell_updates_per_second"] =
        report.solver_seconds > 0 ? report.cell_updates / report.solver_seconds : 0.0;
    m["cell_updates_per_second_per_rank"] =
        report.solver_seconds > 0 ? report.cell_updates / report.solver_seconds / size : 0.0;
    util::write_file_atomic((fs::path(o.out) / "metrics.json").string(), m.dump(2) + "\n");
    spdlog::info("generate: {} trajectories in {} files under {} ({:.1f} s)", report.trajectories_total,
                 report.files, o.out, wall);
  }
}

}  // namespace

void add_generate(CLI::App& app, Common& common) {
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "generate", "Run an ensemble of solver trajectories and write a dataset in The Well's HDF5 schema");
  cmd->add_option("--config", o->config, "YAML config (examples/<case>/generate-small.yaml)")->required();
  cmd->add_option("--out", o->out,
                  "collection in The Well's layout: OUT/<dataset_name>/data/{train,valid,test}/*.hdf5, "
                  "OUT/<dataset_name>/stats.yaml")
      ->required();
  cmd->add_option("--set", common.sets, "override a config key: --set key.path=value (repeatable)");
  cmd->add_flag("--no-progress", o->no_progress, "no progress bar");
  cmd->footer("PETSc options go after '--', e.g. leap generate ... -- -ts_monitor -log_view");
  cmd->callback([o, &common] { run(*o, common); });
}

}  // namespace leap::cli
