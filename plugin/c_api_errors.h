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

// guarded() with the C function's name in front of the message (the error's kind kept).
template <class F>
int named(const char* fn, F&& f) {
  return guarded([&] {
    try {
      f();
    } catch (const InputError& e) {
      throw InputError(std::string(fn) + ": " + e.what());
    } catch (const std::exception& e) {
      throw Error(std::string(fn) + ": " + e.what());
    }
  });
}

}  // namespace leap::capi
