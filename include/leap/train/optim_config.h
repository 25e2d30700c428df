// Optimisation settings shared by every `leap train` command.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "leap/config/schema.h"
#include "leap/error.h"

namespace leap::train {

// PSGD-Kron settings (optim.optimizer: psgd_kron; see leap/train/psgd_kron.h). lr, weight_decay
// (decoupled, every parameter), warm-up, schedule and clipping come from the optim section itself.
struct PsgdConfig {
  double momentum = 0.9;
  double precond_lr = 0.1;
  double update_probability = 0.0;  // 0: anneal from 1 to min_update_probability
  double min_update_probability = 0.03;
  double update_probability_decay = 1e-3;
  int64_t update_probability_flat_steps = 500;
  int64_t max_size_triangular = 8192;
  double max_skew_triangular = 0.0;  // 0: no limit
  double update_clip_rms = 1.1;      // 0: off
  double precond_init_scale = 0.0;   // 0: from the first gradient

  template <class V>
  void visit(V& v) {
    using namespace leap::config;
    v("momentum", momentum, "momentum of the gradient fed to the preconditioner and the update",
      in_range(0.0, 0.999999));
    v("precond_lr", precond_lr, "step size of the preconditioner fit (normalised; 0: keep the initial one)",
      in_range(0.0, 1.0));
    v("update_probability", update_probability,
      "fraction of steps that update the preconditioner (0: 1 for update_probability_flat_steps, then "
      "exp(-update_probability_decay * (step - flat)) down to min_update_probability)",
      in_range(0.0, 1.0));
    v("min_update_probability", min_update_probability, "floor of the annealed update probability",
      in_range(1e-6, 1.0));
    v("update_probability_decay", update_probability_decay, "decay rate per step of the annealed probability",
      at_least(0.0));
    v("update_probability_flat_steps", update_probability_flat_steps,
      "steps with a preconditioner update every step before the annealing", at_least<int64_t>(0));
    v("max_size_triangular", max_size_triangular,
      "largest dimension with a dense (triangular) factor; larger ones, 1-D and scalar parameters get "
      "diagonal ones",
      at_least<int64_t>(0));
    v("max_skew_triangular", max_skew_triangular,
      "a dimension d is diagonal too when d^2 > max_skew_triangular * numel (0: no limit)", at_least(0.0));
    v("update_clip_rms", update_clip_rms, "clip each parameter's update to this RMS before the lr (0: off)",
      at_least(0.0));
    v("precond_init_scale", precond_init_scale,
      "initial scale s of Q, P = s^2 I (0: from the first gradient g, s = (mean g^4)^(-1/8))", at_least(0.0));
  }
};

struct OptimConfig {
  std::string optimizer = "adamw";
  double lr = 1e-4;
  double weight_decay = 0.0;
  std::vector<double> betas{0.9, 0.99};
  PsgdConfig psgd;
  int64_t epochs = 10;
  int64_t batch = 8;           // global batch (split across data-parallel ranks)
  int64_t warmup = 0;          // steps of linear warm-up
  double min_lr_factor = 0.0;  // cosine decays to lr * min_lr_factor
  double grad_clip = 1.0;      // global gradient-norm clipping (0: off)
  double ema = 0.0;            // EMA decay of the weights (0: off)
  std::string gradient_sync = "overlap";  // data-parallel gradient averaging: overlap, after_backward
  double gradient_bucket_mb = 25;         // gradients per all-reduce
  int64_t shuffle_buffer = 256;
  bool augment = false;            // flips and periodic rolls
  int64_t validation_batches = 0;  // 0: the whole validation split
  std::string device = "cpu";      // cpu, cuda, cuda:N
  std::string precision = "fp32";  // fp32, or bf16 autocast (CUDA only)

  template <class V>
  void visit(V& v) {
    using namespace leap::config;
    v("optimizer", optimizer,
      "adamw (AdamW) or psgd_kron (PSGD with Kronecker-factored preconditioners; settings in psgd)",
      one_of({"adamw", "psgd_kron"}));
    v("lr", lr, "peak learning rate", greater_than(0.0));
    v("weight_decay", weight_decay, "decoupled weight decay", at_least(0.0));
    v("betas", betas, "Adam betas (two values in [0, 1))", each(in_range(0.0, 0.999999)));
    v("psgd", psgd, "PSGD-Kron settings (used with optimizer: psgd_kron)");
    v("epochs", epochs, "passes over the training split", at_least<int64_t>(1));
    v("batch", batch, "global batch size (divided among data-parallel ranks)", at_least<int64_t>(1));
    v("warmup", warmup, "steps of linear learning-rate warm-up", at_least<int64_t>(0));
    v("min_lr_factor", min_lr_factor, "final learning rate as a fraction of lr (cosine schedule)",
      in_range(0.0, 1.0));
    v("grad_clip", grad_clip, "clip the global gradient norm to this value (0: off)", at_least(0.0));
    v("ema", ema, "exponential moving average decay of the weights (0: off)", in_range(0.0, 0.999999));
    v("gradient_sync", gradient_sync,
      "how data-parallel ranks average their gradients (2 or more ranks): overlap (LibTorch's DDP reducer "
      "over c10d with LEAP's MPI backend: each bucket of gradients is all-reduced as soon as the backward "
      "pass has produced it; on cuda it falls back to after_backward) or after_backward (all the gradients "
      "all-reduced through host memory once the backward pass has ended)",
      one_of({"overlap", "after_backward"}));
    v("gradient_bucket_mb", gradient_bucket_mb, "megabytes of gradients in one all-reduce at most (a bucket)",
      greater_than(0.0));
    v("shuffle_buffer", shuffle_buffer, "windows in the shuffle buffer", at_least<int64_t>(0));
    v("augment", augment, "random flips and periodic rolls of training windows");
    v("validation_batches", validation_batches, "validation batches per epoch (0: all)",
      at_least<int64_t>(0));
    v("device", device,
      "where the model trains: cpu, cuda or cuda:N (a LibTorch with CUDA and a visible GPU)");
    v("precision", precision,
      "fp32, or bf16: matrix products and convolutions in bf16 autocast with fp32 weights (device cuda only; "
      "TF32 allowed for the fp32 ones)",
      one_of({"fp32", "bf16"}));
  }
  void validate(const std::string& file, const std::string& prefix) const {
    if (betas.size() != 2)
      throw InputError(file, prefix + ".betas", "2 values", std::to_string(betas.size()) + " values");
    const bool cuda = device.rfind("cuda", 0) == 0;
    const auto index_ok = [&] {
      if (device == "cuda") return true;
      if (device.size() < 6 || device[4] != ':') return false;
      return device.find_first_not_of("0123456789", 5) == std::string::npos;
    };
    if (device != "cpu" && !(cuda && index_ok()))
      throw InputError(file, prefix + ".device", "cpu, cuda or cuda:N", "'" + device + "'");
    if (precision == "bf16" && !cuda)
      throw InputError(file, prefix + ".precision",
                       "fp32 on device " + device + " (bf16 autocast is for cuda)", "bf16");
  }
};

}  // namespace leap::train
