// Mixed precision for training: while an AutocastGuard lives, matrix products and convolutions on
// `device_type` run in `dtype` (bf16) with fp32 weights, as torch.autocast does; reductions and
// normalisations stay in fp32. Nesting works; the cast cache is cleared when the outermost guard ends.
// A disabled guard (enabled = false) does nothing, so call sites need no branches.
#pragma once

#include <c10/core/DeviceType.h>
#include <c10/core/ScalarType.h>

namespace leap::models {

class AutocastGuard {
 public:
  AutocastGuard(c10::DeviceType device_type, c10::ScalarType dtype, bool enabled = true);
  ~AutocastGuard();
  AutocastGuard(const AutocastGuard&) = delete;
  AutocastGuard& operator=(const AutocastGuard&) = delete;

 private:
  c10::DeviceType device_;
  bool active_ = false;
  bool previous_enabled_ = false;
  c10::ScalarType previous_dtype_ = c10::ScalarType::Float;
};

}  // namespace leap::models
