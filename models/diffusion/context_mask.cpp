#include "leap/models/context_mask.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>
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

namespace {

// [cmin, cmax]: the config's context lengths within a window (at least one unknown frame).
std::pair<int64_t, int64_t> context_range(const char* who, int64_t window, const ContextMaskConfig& cfg) {
  if (window < 2)
    throw Error(std::string(who) + ": a window needs at least 2 frames, got " + std::to_string(window));
  const int64_t cmax = std::min<int64_t>(cfg.context_max, window - 1);
  return {std::min<int64_t>(cfg.context_min, cmax), cmax};
}

}  // namespace

at::Tensor cycled_context_mask(int64_t first, int64_t batch, int64_t window, const ContextMaskConfig& cfg) {
  const auto [cmin, cmax] = context_range("cycled_context_mask", window, cfg);
  const int64_t n = cmax - cmin + 1;
  std::vector<at::Tensor> rows;
  for (int64_t i = first; i < first + batch; ++i) {
    const int64_t k = i / n;  // how many samples of this length came before
    const bool at_end = std::floor(double(k + 1) * cfg.p_end) > std::floor(double(k) * cfg.p_end);
    rows.push_back(context_mask(1, window, cmin + i % n, at_end)[0]);
  }
  return at::stack(rows);
}

std::string untrained_context_note(int64_t context, int64_t window, const ContextMaskConfig& cfg) {
  const auto [cmin, cmax] = context_range("untrained_context_note", window, cfg);
  if (context >= cmin && context <= cmax && cfg.p_end < 1.0) return "";
  return "a context of " + std::to_string(context) + (context == 1 ? " frame" : " frames") +
         " was not trained (diffusion.context: forward leaps from " +
         (cfg.p_end >= 1.0
              ? std::string("none: every training context sat at the window's end")
              : std::to_string(cmin) + (cmax > cmin ? " to " + std::to_string(cmax) : std::string()) +
                    " known frames") +
         ")";
}

at::Tensor random_context_mask(int64_t batch, int64_t window, const ContextMaskConfig& cfg) {
  const auto [cmin, cmax] = context_range("random_context_mask", window, cfg);
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
