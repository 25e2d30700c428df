// The status half of the C API: version, CUDA availability, the last error message.
#include <torch/cuda.h>

#include <algorithm>
#include <string>

#include "c_api_errors.h"
#include "leap/leap.h"
#include "leap/version.h"

namespace leap::capi {

thread_local std::string last_error;

int record(const std::exception& e) {
  last_error = e.what();
  return exit_code_for(e);
}

}  // namespace leap::capi

extern "C" {

const char* leap_version(void) { return LEAP_VERSION; }

int leap_cuda_available(void) {
  try {
    return LEAP_WITH_CUDA && torch::cuda::is_available() ? 1 : 0;
  } catch (const std::exception& e) {
    leap::capi::record(e);
    return 0;
  }
}

const char* leap_last_error(void) { return leap::capi::last_error.c_str(); }

int leap_last_error_copy(char* buf, int size) {
  const std::string& m = leap::capi::last_error;
  if (buf && size > 0) {
    const size_t n = std::min(m.size(), size_t(size) - 1);
    m.copy(buf, n);
    buf[n] = '\0';
  }
  return int(m.size());
}

}  // extern "C"
