#include "leap/train/dataset_dir.h"

#include <algorithm>
#include <filesystem>

#include "leap/data/well_file.h"
#include "leap/error.h"
#include "leap/log.h"

namespace fs = std::filesystem;

namespace leap::train {

namespace {

std::vector<std::string> hdf5_files(const fs::path& dir) {
  std::vector<std::string> out;
  if (!fs::is_directory(dir)) return out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_regular_file() && (e.path().extension() == ".hdf5" || e.path().extension() == ".h5"))
      out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

std::string skipped_note(const std::vector<std::string>& unfinished) {
  std::string names;
  for (size_t i = 0; i < unfinished.size() && i < 3; ++i)
    names += (i ? ", " : "") + fs::path(unfinished[i]).filename().string();
  if (unfinished.size() > 3) names += ", ...";
  return std::to_string(unfinished.size()) + " unfinished file" + (unfinished.size() > 1 ? "s" : "") + " (" +
         names + ": a writer was interrupted; run it again, or delete them)";
}

bool is_dataset(const fs::path& p) {
  return fs::is_directory(p / "data");
}

// Frames x cells of a split (values) and its frame-to-frame differences, for pooling.
std::pair<double, double> split_weight(const std::vector<std::string>& files) {
  double w = 0, dw = 0;
  for (const auto& f : files) {
    const data::WellFile file(f);
    const auto& L = file.layout();
    double cells = 1;
    for (const auto& a : L.axes) cells *= double(a.size);
    w += double(L.n_trajectories) * double(L.n_steps) * cells;
    dw += double(L.n_trajectories) * double(std::max<int64_t>(L.n_steps - 1, 0)) * cells;
  }
  return {w, dw};
}

std::string grid_of(const data::WellLayout& L) {
  std::string g;
  for (const auto& a : L.axes) g += (g.empty() ? "" : " x ") + std::to_string(a.size);
  return g + " (" + std::to_string(L.n_spatial_dims()) + "-D)";
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

}  // namespace

std::string join_paths(const std::vector<std::string>& paths) {
  return join(paths);
}

std::string split_dir(const std::string& dataset_root, const std::string& split) {
  return (fs::path(dataset_root) / "data" / split).string();
}

std::vector<std::string> find_datasets(const std::vector<std::string>& paths) {
  if (paths.empty()) throw InputError("--data: no dataset given");
  std::vector<std::string> out;
  for (const auto& path : paths) {
    const fs::path p(path);
    if (!fs::is_directory(p)) throw InputError(path + ": no such dataset directory");
    if (is_dataset(p)) {
      out.push_back(p.string());
      continue;
    }
    std::vector<std::string> children;
    for (const auto& e : fs::directory_iterator(p))
      if (e.is_directory() && is_dataset(e.path())) children.push_back(e.path().string());
    std::sort(children.begin(), children.end());
    if (children.empty()) {
      std::string hint;
      if (fs::is_directory(p / "train"))
        hint = " (" + path + "/train is LEAP's former layout: a dataset now keeps its splits under " + path +
               "/data/, as The Well does; move train/, valid/ and test/ there)";
      throw InputError(path + ": not a dataset in The Well's layout: expected " + path +
                       "/data/{train,valid,test}/*.hdf5 (one dataset) or " + path +
                       "/<dataset_name>/data/... (a collection)" + hint);
    }
    out.insert(out.end(), children.begin(), children.end());
  }
  for (size_t i = 0; i < out.size(); ++i)
    for (size_t j = i + 1; j < out.size(); ++j)
      if (fs::weakly_canonical(out[i]) == fs::weakly_canonical(out[j]))
        throw InputError("--data: dataset " + out[i] + " is named twice");
  return out;
}

std::vector<std::string> unfinished_files(const std::string& split_directory) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(split_directory, ec))
    if (e.is_regular_file() && e.path().extension() == ".partial") out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

DatasetDir open_dataset_dir(const std::string& path, bool need_valid, MPI_Comm comm) {
  return open_dataset_dir(std::vector<std::string>{path}, need_valid, comm);
}

DatasetDir open_dataset_dir(const std::vector<std::string>& paths, bool need_valid, MPI_Comm comm) {
  DatasetDir d;
  d.root = join(paths);
  const auto roots = find_datasets(paths);
  std::string first_file;
  data::WellLayout first;
  std::vector<data::DatasetStats> parts;
  std::vector<double> weights, delta_weights;
  for (const auto& root : roots) {
    WellDataset ds;
    ds.root = root;
    ds.train = hdf5_files(split_dir(root, "train"));
    ds.valid = hdf5_files(split_dir(root, "valid"));
    ds.test = hdf5_files(split_dir(root, "test"));
    int rank = 0;
    MPI_Comm_rank(comm, &rank);
    for (const char* split : {"train", "valid", "test"}) {
      const auto unfinished = unfinished_files(split_dir(root, split));
      if (!unfinished.empty() && rank == 0)
        spdlog::warn("{}: skipping {}", split_dir(root, split), skipped_note(unfinished));
    }
    if (ds.train.empty()) {
      const auto unfinished = unfinished_files(split_dir(root, "train"));
      throw InputError(root + ": no training files (expected " + split_dir(root, "train") + "/*.hdf5" +
                       (unfinished.empty() ? "" : "; found only " + skipped_note(unfinished)) + ")");
    }
    // One dataset_name per split directory, and one layout across the collection.
    for (const auto* split : {&ds.train, &ds.valid, &ds.test}) {
      std::string split_name;
      for (const auto& f : *split) {
        const data::WellFile file(f);
        const auto& L = file.layout();
        if (ds.name.empty()) ds.name = L.dataset_name;
        if (L.dataset_name != ds.name)
          throw InputError(f + ": dataset_name '" + L.dataset_name + "' differs from '" + ds.name +
                           "' of the dataset " + root +
                           "; a dataset's files share one dataset_name (The Well's reader refuses a mix)");
        if (first_file.empty()) {
          first_file = f;
          first = L;
          continue;
        }
        if (L.n_spatial_dims() != first.n_spatial_dims() || grid_of(L) != grid_of(first))
          throw InputError(f + ": grid " + grid_of(L) + " differs from " + grid_of(first) + " of " +
                           first_file + "; datasets used together share one grid");
        if (L.channel_names() != first.channel_names())
          throw InputError(f + ": channels (" + join(L.channel_names()) + ") differ from those of " +
                           first_file + " (" + join(first.channel_names()) +
                           "); datasets used together share their fields");
      }
    }
    ds.stats_path = (fs::path(root) / "stats.yaml").string();
    if (fs::exists(ds.stats_path)) {
      ds.stats = data::read_stats_yaml(ds.stats_path);
    } else {
      ds.stats = data::compute_stats(comm, ds.train);
      ds.stats_computed = true;
    }
    const auto [w, dw] = split_weight(ds.train);
    parts.push_back(ds.stats);
    weights.push_back(w);
    delta_weights.push_back(dw);
    d.train.insert(d.train.end(), ds.train.begin(), ds.train.end());
    d.valid.insert(d.valid.end(), ds.valid.begin(), ds.valid.end());
    d.test.insert(d.test.end(), ds.test.begin(), ds.test.end());
    d.datasets.push_back(std::move(ds));
  }
  if (need_valid && d.valid.empty())
    throw InputError(d.root + ": no validation files (expected " + split_dir(roots.front(), "valid") +
                     "/*.hdf5)");
  d.stats = data::pool_stats(parts, weights, delta_weights);
  if (d.datasets.size() == 1) {
    const auto& ds = d.datasets.front();
    d.stats_path =
        ds.stats_computed ? ds.root + " (statistics computed from its training split)" : ds.stats_path;
  } else {
    std::vector<std::string> names;
    for (const auto& ds : d.datasets)
      names.push_back(ds.stats_computed ? ds.root + " (computed)" : ds.stats_path);
    d.stats_path = "pooled statistics of " + join(names);
  }
  return d;
}

}  // namespace leap::train
