#include "leap/train/run_options.h"

namespace leap::train {

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

TrainLoopOptions loop_options(const OptimConfig& optim, const RunOptions& run, const std::string& kind,
                              const std::string& label) {
  TrainLoopOptions o;
  o.optim = optim;
  o.comm = run.comm;
  o.out_dir = run.out_dir;
  o.resume = run.resume;
  o.progress = run.progress;
  o.label = label;
  o.info.kind = kind;
  return o;
}

}  // namespace leap::train
