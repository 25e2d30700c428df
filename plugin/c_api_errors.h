// Private: C API calls catch every exception, keep its message for leap_last_error() and return
// LEAP_ERR_INPUT for bad input, LEAP_ERR_OTHER otherwise.
#pragma once

#include <exception>
#include <string>

#include "leap/error.h"

namespace leap::capi {

extern thread_local std::string last_error;
int record(const std::exception& e);

template <class F>
int guarded(F&& f) {
  try {
    f();
    last_error.clear();
    return 0;
  } catch (const std::exception& e) {
    return record(e);
  }
}

}  // namespace leap::capi
