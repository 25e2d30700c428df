#include "leap/models/context_mask.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <string>
#include <vector>

#include "leap/error.h"

namespace leap::models {

at::Tensor context_mask(int64_t batch, int64_t window, int64_t context, bool at_end) {
  if (context < 0 || context > window)
    throw Error("context_mask: context " + std::to_string(context) +
                " outside [0, window = " + std::to_string(window) + "]");
  at::Tensor index = at::arange(window, at::kLong).unsqueeze(0).expand({batch, window});
  return at_end ? index >= window - context : index < context;
}

at::Tensor random_context_mask(int64_t batch, int64_t window, const ContextMaskConfig& cfg) {
  if (window < 2)
    throw Error("random_context_mask: a window needs at least 2 frames, got " + std::to_string(window));
  const int64_t cmax = std::min<int64_t>(cfg.context_max, window - 1);
  const int64_t cmin = std::min<int64_t>(cfg.context_min, cmax);
  at::Tensor context = at::randint(cmin, cmax + 1, {batch, 1}, at::kLong);
  at::Tensor at_end = at::rand({batch, 1}) < cfg.p_end;
  at::Tensor index = at::arange(window, at::kLong).unsqueeze(0);
  return at::where(at_end, index >= window - context, index < context);
}

at::Tensor broadcast_mask(const at::Tensor& mask, int64_t dims) {
  if (mask.dim() != 2 || dims < 3)
    throw Error("broadcast_mask: expected a (B, T) mask for windows of rank >= 3, found mask " +
                c10::str(mask.sizes()) + " and rank " + std::to_string(dims));
  std::vector<int64_t> shape(size_t(dims), 1);
  shape[0] = mask.size(0);
  shape[2] = mask.size(1);
  return mask.reshape(shape);
}

}  // namespace leap::models
