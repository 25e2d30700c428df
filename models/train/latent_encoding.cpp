#include "leap/train/latent_encoding.h"

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>
#include <torch/autograd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <random>

#include "leap/data/augmentation.h"
#include "leap/data/dataset_stats.h"
#include "leap/data/well_writer.h"
#include "leap/error.h"
#include "leap/train/autoencoder_io.h"
#include "leap/train/dataset_dir.h"
#include "leap/util/atomic_file.h"
#include "leap/util/progress.h"

namespace fs = std::filesystem;

namespace leap::train {

namespace {

data::WellLayout latent_layout(const data::WellLayout& src, int64_t channels, int64_t factor) {
  data::WellLayout L;
  L.dataset_name = src.dataset_name + "_latent";
  L.grid_type = src.grid_type;
  for (const auto& a : src.axes) {
    data::WellAxis ax;
    ax.name = a.name;
    ax.size = a.size / factor;
    ax.bc_type = a.bc_type;
    ax.bc_lower = a.bc_lower;
    ax.bc_upper = a.bc_upper;
    for (int64_t i = 0; i < ax.size; ++i) {
      double c = 0;
      for (int64_t k = 0; k < factor; ++k) c += a.coords[size_t(i * factor + k)];
      ax.coords.push_back(c / double(factor));
    }
    L.axes.push_back(ax);
  }
  for (int64_t c = 0; c < channels; ++c) {
    data::WellField f;
    f.name = "z" + std::to_string(c);
    f.order = 0;
    L.fields.push_back(f);
  }
  L.parameters = src.parameters;
  L.n_trajectories = src.n_trajectories;
  L.n_steps = src.n_steps;
  L.times = src.times;
  return L;
}

}  // namespace

EncodeReport encode_dataset(const EncodeOptions& o) {
  int rank = 0, world = 1;
  MPI_Comm_rank(o.comm, &rank);
  MPI_Comm_size(o.comm, &world);
  if (o.augment < 0)
    throw InputError("--augment: expected a number of augmented copies >= 0, found " +
                     std::to_string(o.augment));
  const auto t0 = std::chrono::steady_clock::now();
  LoadedAutoencoder ae = load_autoencoder(o.checkpoint);
  const DatasetDir dir = open_dataset_dir(o.data_dirs, false, o.comm);
  const auto& cfg = ae.model->config();
  const int64_t factor = ae.model->spatial_factor();

  struct Job {
    std::string src, dst;
    int64_t augmented = -1;  // index into report.augmented, -1: the file as it is
  };
  EncodeReport report;
  std::vector<Job> jobs;
  // The latent collection mirrors the input's: OUT/<dataset_name>_latent/data/<split>/NAME.hdf5 and
  // OUT/<dataset_name>_latent/stats.yaml per input dataset.
  std::vector<std::vector<std::string>> train_out(dir.datasets.size());
  std::vector<std::string> out_roots;
  for (size_t d = 0; d < dir.datasets.size(); ++d) {
    const WellDataset& ds = dir.datasets[d];
    const std::string out_name = ds.name + "_latent";
    for (const auto& r : out_roots)
      if (fs::path(r).filename() == out_name)
        throw InputError(ds.root + ": a second dataset named '" + ds.name + "' in --data; names must differ");
    const std::string out_root = (fs::path(o.out_dir) / out_name).string();
    out_roots.push_back(out_root);
    for (const auto& [split, files] : std::vector<std::pair<std::string, std::vector<std::string>>>{
             {"train", ds.train}, {"valid", ds.valid}, {"test", ds.test}}) {
      for (size_t i = 0; i < files.size(); ++i) {
        const fs::path name = fs::path(files[i]).filename();
        const std::string dst = (fs::path(split_dir(out_root, split)) / name).string();
        jobs.push_back({files[i], dst, -1});
        if (split != "train") continue;
        train_out[d].push_back(dst);
        if (o.augment == 0) continue;
        // Augmented copies: one transform per trajectory, drawn from (seed, dataset, file, copy) so that a
        // copy does not change with the number of copies or of ranks.
        const data::WellFile f(files[i]);
        const auto& L = f.layout();
        std::vector<bool> periodic;
        std::vector<int64_t> sizes;
        for (const auto& a : L.axes) {
          periodic.push_back(a.bc_type == "periodic");
          sizes.push_back(a.size);
        }
        for (int64_t k = 1; k <= o.augment; ++k) {
          AugmentedFile aug;
          aug.file = (fs::path(out_name) / "data" / split /
                      (name.stem().string() + "-aug" + std::to_string(k) + name.extension().string()))
                         .string();
          aug.source = files[i];
          aug.copy = k;
          std::seed_seq seq{uint32_t(o.seed), uint32_t(o.seed >> 32), uint32_t(d), uint32_t(i), uint32_t(k)};
          std::mt19937_64 rng(seq);
          for (int64_t t = 0; t < L.n_trajectories; ++t)
            aug.transforms.push_back(data::draw_augmentation(periodic, sizes, rng));
          const std::string adst = (fs::path(o.out_dir) / aug.file).string();
          jobs.push_back({files[i], adst, int64_t(report.augmented.size())});
          train_out[d].push_back(adst);
          report.augmented.push_back(std::move(aug));
        }
      }
    }
  }
  // Check every file against the autoencoder before writing anything.
  std::map<std::string, const Job*> outputs;
  for (const auto& j : jobs) {
    const auto [it, fresh] = outputs.emplace(j.dst, &j);
    if (!fresh) {
      const Job* a = it->second->augmented >= 0 ? it->second : &j;
      const Job* b = a == &j ? it->second : &j;
      throw InputError(b->src + ": its latent file " + j.dst + " would also be an augmented copy of " +
                       a->src + " (--augment " + std::to_string(o.augment) + "); rename the dataset's file");
    }
    if (j.augmented >= 0) continue;
    const data::WellFile f(j.src);
    if (f.layout().channel_names() != ae.channels)
      throw InputError(j.src + ": fields differ from those the autoencoder " + o.checkpoint +
                       " was trained on");
    for (const auto& a : f.layout().axes)
      if (a.size % factor != 0)
        throw InputError(j.src + ": " + std::to_string(a.size) + " cells along " + a.name +
                         " are not divisible by the autoencoder's spatial factor " + std::to_string(factor));
    if (std::find(dir.train.begin(), dir.train.end(), j.src) != dir.train.end())
      report.train_trajectories += f.layout().n_trajectories;
  }
  report.augmented_trajectories = o.augment * report.train_trajectories;
  {
    const data::WellFile first(dir.train.front());  // open_dataset_dir refuses an empty training split
    for (const auto& a : first.layout().axes) report.axes.push_back(a.name);
  }
  if (rank == 0)
    for (const auto& r : out_roots)
      for (const char* s : {"train", "valid", "test"}) util::ensure_writable_dir(split_dir(r, s), "--out");
  MPI_Barrier(o.comm);

  report.compression_ratio = cfg.compression_ratio();
  report.latent_channels = cfg.latent_channels;
  util::ProgressBar bar("encode", int64_t(jobs.size()), o.progress && rank == 0);
  c10::NoGradGuard guard;
  for (size_t k = 0; k < jobs.size(); ++k) {
    if (int(k % size_t(world)) != rank) continue;
    const data::WellFile src(jobs[k].src);
    const auto& L = src.layout();
    data::WellWriter writer(MPI_COMM_SELF, jobs[k].dst, latent_layout(L, cfg.latent_channels, factor));
    data::Block block;
    for (const auto& a : writer.layout().axes) {
      block.start.push_back(0);
      block.count.push_back(a.size);
    }
    std::vector<int64_t> shape{L.channels()};
    for (const auto& a : L.axes) shape.push_back(a.size);
    const AugmentedFile* aug =
        jobs[k].augmented >= 0 ? &report.augmented[size_t(jobs[k].augmented)] : nullptr;
    std::vector<std::vector<float>> signs;
    for (int a = 0; a < L.n_spatial_dims(); ++a) signs.push_back(data::flip_signs(L, a));
    for (int64_t t = 0; t < L.n_trajectories; ++t) {
      for (int64_t s0 = 0; s0 < L.n_steps; s0 += o.batch) {
        std::vector<at::Tensor> xs;
        for (int64_t s = s0; s < std::min(L.n_steps, s0 + o.batch); ++s) {
          auto v = src.read_state(t, s);
          xs.push_back(at::from_blob(v.data(), shape, at::kFloat).clone());
        }
        // Augmentations act on the physical fields (a flip negates a velocity, not its normalised value).
        at::Tensor raw = at::stack(xs);
        if (aug != nullptr) raw = data::apply_augmentation(raw, aug->transforms[size_t(t)], signs);
        const at::Tensor x = ae.normalizer.normalize(raw).to(at::kFloat);
        const at::Tensor z = ae.model->encode(x).contiguous();  // [B, Cz, x', y']
        for (int64_t b = 0; b < z.size(0); ++b)
          for (int64_t c = 0; c < z.size(1); ++c) {
            const at::Tensor plane = z[b][c].contiguous();
            writer.write_frame(t, s0 + b, "z" + std::to_string(c), plane.data_ptr<float>(), block);
          }
        report.frames += z.size(0);
      }
    }
    writer.finish();
    bar.update(int64_t(k) + 1, fs::path(jobs[k].dst).filename().string());
  }
  bar.finish();
  MPI_Allreduce(MPI_IN_PLACE, &report.frames, 1, MPI_INT64_T, MPI_SUM, o.comm);
  report.files = int64_t(jobs.size());
  for (size_t d = 0; d < out_roots.size(); ++d) {
    const auto stats = data::compute_stats(o.comm, train_out[d]);
    if (rank == 0) data::write_stats_yaml((fs::path(out_roots[d]) / "stats.yaml").string(), stats);
  }
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return report;
}

}  // namespace leap::train
