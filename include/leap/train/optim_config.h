// Optimisation settings shared by every `leap train` command.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "leap/config/schema.h"
#include "leap/error.h"

namespace leap::train {

struct OptimConfig {
  std::string optimizer = "adamw";
  double lr = 1e-4;
  double weight_decay = 0.0;
  std::vector<double> betas{0.9, 0.99};
  int64_t epochs = 10;
  int64_t batch = 8;            // global batch (split across data-parallel ranks)
  int64_t warmup = 0;           // steps of linear warm-up
  double min_lr_factor = 0.0;   // cosine decays to lr * min_lr_factor
  double grad_clip = 1.0;       // global gradient-norm clipping (0: off)
  double ema = 0.0;             // EMA decay of the weights (0: off)
  int64_t shuffle_buffer = 256;
  bool augment = false;         // flips and periodic rolls
  int64_t validation_batches = 0;  // 0: the whole validation split

  template <class V>
  void visit(V& v) {
    using namespace leap::config;
    v("optimizer", optimizer, "adamw (AdamW)", one_of({"adamw"}));
    v("lr", lr, "peak learning rate", greater_than(0.0));
    v("weight_decay", weight_decay, "decoupled weight decay", at_least(0.0));
    v("betas", betas, "Adam betas (two values in [0, 1))", each(in_range(0.0, 0.999999)));
    v("epochs", epochs, "passes over the training split", at_least<int64_t>(1));
    v("batch", batch, "global batch size (divided among data-parallel ranks)", at_least<int64_t>(1));
    v("warmup", warmup, "steps of linear learning-rate warm-up", at_least<int64_t>(0));
    v("min_lr_factor", min_lr_factor, "final learning rate as a fraction of lr (cosine schedule)", in_range(0.0, 1.0));
    v("grad_clip", grad_clip, "clip the global gradient norm to this value (0: off)", at_least(0.0));
    v("ema", ema, "exponential moving average decay of the weights (0: off)", in_range(0.0, 0.999999));
    v("shuffle_buffer", shuffle_buffer, "windows in the shuffle buffer", at_least<int64_t>(0));
    v("augment", augment, "random flips and periodic rolls of training windows");
    v("validation_batches", validation_batches, "validation batches per epoch (0: all)", at_least<int64_t>(0));
  }
  void validate(const std::string& file, const std::string& prefix) const {
    if (betas.size() != 2)
      throw InputError(file, prefix + ".betas", "2 values", std::to_string(betas.size()) + " values");
  }
};

}  // namespace leap::train
