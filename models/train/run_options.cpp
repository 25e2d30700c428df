#include "leap/train/run_options.h"

#include "leap/train/dataset_dir.h"

#include <ATen/Context.h>
#include <torch/cuda.h>

#include "leap/error.h"
#include "leap/log.h"
#include "leap/train/checkpoint.h"
#include "leap/train/model_io.h"

namespace leap::train {

data::Normalizer training_normalizer(const data::DatasetStats& stats, const std::string& stats_path,
                                     const data::WellLayout& layout,
                                     const std::vector<std::string>& log_fields, const RunOptions& run,
                                     const std::string& kind) {
  if (run.init.empty()) return data::Normalizer::from_stats(stats, layout, log_fields, stats_path);
  const CheckpointInfo info = read_checkpoint_info(run.init, kind);
  const auto it = info.extra.find("normalizer");
  if (it == info.extra.end()) throw InputError(run.init + ": the checkpoint holds no normaliser");
  data::Normalizer norm = normalizer_from_yaml(it->second, run.init);
  const auto ch = info.extra.find("channels");
  if (ch != info.extra.end()) {
    std::string want;
    for (const auto& c : layout.channel_names()) want += (want.empty() ? "" : ", ") + c;
    std::string have;
    for (const auto& c : list_from_yaml(ch->second, run.init)) have += (have.empty() ? "" : ", ") + c;
    if (have != want)
      throw InputError(run.init, "channels",
                       "the channels of " + join_paths(run.data_dirs) + " (" + want + ")", have);
  }
  spdlog::info("fine-tuning from {}: its normaliser is kept (the dataset's statistics are not used)",
               run.init);
  return norm;
}

data::LoaderOptions loader_options(const OptimConfig& optim, int64_t seed, MPI_Comm comm) {
  data::LoaderOptions l;
  MPI_Comm_rank(comm, &l.rank);
  MPI_Comm_size(comm, &l.world);
  l.batch = optim.batch / l.world;
  l.shuffle_buffer = optim.shuffle_buffer;
  l.seed = uint64_t(seed);
  l.augment = optim.augment;
  return l;
}

at::Device training_device(const OptimConfig& optim, const std::string& config_file) {
  if (optim.device == "cpu") return at::Device(at::kCPU);
  if (!at::hasCUDA())
    throw InputError(config_file, "optim.device", "cpu (this LibTorch has no CUDA, or sees no GPU)",
                     "'" + optim.device + "'");
  const int64_t count = int64_t(torch::cuda::device_count());
  const int64_t index = optim.device == "cuda" ? 0 : std::stoll(optim.device.substr(5));
  if (index >= count)
    throw InputError(config_file, "optim.device",
                     "cpu or a visible GPU (" + std::to_string(count) +
                         " visible: cuda:0 to cuda:" + std::to_string(count - 1) + ")",
                     "'" + optim.device + "'");
  return at::Device(at::kCUDA, c10::DeviceIndex(index));
}

TrainLoopOptions loop_options(const OptimConfig& optim, const RunOptions& run, const std::string& kind,
                              const std::string& label) {
  TrainLoopOptions o;
  o.device = training_device(optim, run.config_file);
  o.bf16 = optim.precision == "bf16";
  o.optim = optim;
  o.comm = run.comm;
  o.out_dir = run.out_dir;
  o.resume = run.resume;
  o.init = run.init;
  o.progress = run.progress;
  o.label = label;
  o.info.kind = kind;
  return o;
}

}  // namespace leap::train
