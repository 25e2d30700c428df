#include "leap/train/lr_schedule.h"

#include <algorithm>
#include <cmath>

namespace leap::train {

double cosine_lr(double base, int64_t step, int64_t total_steps, int64_t warmup, double min_factor) {
  if (warmup > 0 && step < warmup) return base * double(step + 1) / double(warmup);
  const int64_t span = std::max<int64_t>(1, total_steps - warmup - 1);
  const double progress = std::clamp(double(step - warmup) / double(span), 0.0, 1.0);
  const double cosine = 0.5 * (1.0 + std::cos(M_PI * progress));
  return base * (min_factor + (1.0 - min_factor) * cosine);
}

}  // namespace leap::train
