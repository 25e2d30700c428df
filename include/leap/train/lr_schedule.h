// Learning rate at a step: linear warm-up to `base`, then a cosine decay to base * min_factor at
// the last step.
#pragma once

#include <cstdint>

namespace leap::train {

double cosine_lr(double base, int64_t step, int64_t total_steps, int64_t warmup, double min_factor);

}  // namespace leap::train
