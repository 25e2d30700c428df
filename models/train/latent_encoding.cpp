#include "leap/train/latent_encoding.h"

#include <c10/core/GradMode.h>
#include <ATen/ATen.h>
#include <torch/autograd.h>

#include <chrono>
#include <filesystem>

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
  const auto t0 = std::chrono::steady_clock::now();
  LoadedAutoencoder ae = load_autoencoder(o.checkpoint);
  const DatasetDir dir = open_dataset_dir(o.data_dir, false);
  const auto& cfg = ae.model->config();
  const int64_t factor = ae.model->spatial_factor();

  struct Job {
    std::string src, dst;
  };
  std::vector<Job> jobs;
  std::vector<std::string> train_out;
  for (const auto& [split, files] : std::vector<std::pair<std::string, std::vector<std::string>>>{
           {"train", dir.train}, {"valid", dir.valid}, {"test", dir.test}}) {
    for (const auto& f : files) {
      const std::string dst = (fs::path(o.out_dir) / split / fs::path(f).filename()).string();
      jobs.push_back({f, dst});
      if (split == "train") train_out.push_back(dst);
    }
  }
  // Check every file against the autoencoder before writing anything.
  for (const auto& j : jobs) {
    const data::WellFile f(j.src);
    if (f.layout().channel_names() != ae.channels)
      throw InputError(j.src + ": fields differ from those the autoencoder " + o.checkpoint + " was trained on");
    for (const auto& a : f.layout().axes)
      if (a.size % factor != 0)
        throw InputError(j.src + ": " + std::to_string(a.size) + " cells along " + a.name +
                         " are not divisible by the autoencoder's spatial factor " + std::to_string(factor));
  }
  if (rank == 0)
    for (const char* s : {"train", "valid", "test"}) util::ensure_writable_dir((fs::path(o.out_dir) / s).string(), "--out");
  MPI_Barrier(o.comm);

  EncodeReport report;
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
    for (int64_t t = 0; t < L.n_trajectories; ++t) {
      for (int64_t s0 = 0; s0 < L.n_steps; s0 += o.batch) {
        std::vector<at::Tensor> xs;
        for (int64_t s = s0; s < std::min(L.n_steps, s0 + o.batch); ++s) {
          auto v = src.read_state(t, s);
          xs.push_back(at::from_blob(v.data(), shape, at::kFloat).clone());
        }
        const at::Tensor x = ae.normalizer.normalize(at::stack(xs)).to(at::kFloat);
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
    bar.update(int64_t(k) + 1, fs::path(jobs[k].src).filename().string());
  }
  bar.finish();
  MPI_Allreduce(MPI_IN_PLACE, &report.frames, 1, MPI_INT64_T, MPI_SUM, o.comm);
  report.files = int64_t(jobs.size());
  const auto stats = data::compute_stats(o.comm, train_out);
  if (rank == 0) data::write_stats_yaml((fs::path(o.out_dir) / "stats.yaml").string(), stats);
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return report;
}

}  // namespace leap::train
