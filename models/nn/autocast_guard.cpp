#include "leap/models/autocast_guard.h"

#include <ATen/autocast_mode.h>

#include <string>

#include "leap/error.h"

namespace leap::models {

namespace {

bool autocast_enabled(c10::DeviceType d) {
  return at::autocast::is_autocast_enabled(d);
}
void set_autocast(c10::DeviceType d, bool on) {
  at::autocast::set_autocast_enabled(d, on);
}
c10::ScalarType autocast_dtype(c10::DeviceType d) {
  return at::autocast::get_autocast_dtype(d);
}
void set_dtype(c10::DeviceType d, c10::ScalarType t) {
  at::autocast::set_autocast_dtype(d, t);
}

}  // namespace

AutocastGuard::AutocastGuard(c10::DeviceType device_type, c10::ScalarType dtype, bool enabled)
    : device_(device_type) {
  if (!enabled) return;
  if (device_type != c10::DeviceType::CUDA && device_type != c10::DeviceType::CPU)
    throw Error(std::string("autocast: only CUDA and CPU devices are supported, not ") +
                c10::DeviceTypeName(device_type));
  previous_enabled_ = autocast_enabled(device_);
  previous_dtype_ = autocast_dtype(device_);
  set_autocast(device_, true);
  set_dtype(device_, dtype);
  at::autocast::increment_nesting();
  active_ = true;
}

AutocastGuard::~AutocastGuard() {
  if (!active_) return;
  if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
  set_autocast(device_, previous_enabled_);
  set_dtype(device_, previous_dtype_);
}

}  // namespace leap::models
