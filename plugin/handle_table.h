// Private: the objects behind the C API's int handles. A handle is a positive int, never reused
// within a process; 0 is never valid. Thread-safe insertion, lookup and removal (an object must not
// be destroyed while another thread uses it).
#pragma once

#include <climits>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "leap/error.h"

namespace leap::capi {

template <class T>
class HandleTable {
 public:
  // `kind` names the handle type in messages ("leap_exchange").
  explicit HandleTable(std::string kind) : kind_(std::move(kind)) {}

  int add(std::unique_ptr<T> object) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (next_ == INT_MAX) throw Error("no " + kind_ + " handles left");
    const int h = next_++;
    objects_.emplace(h, std::move(object));
    return h;
  }
  // InputError naming `arg` when `h` is not a live handle.
  T& get(int h, const char* arg) const {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = objects_.find(h);
    if (it == objects_.end()) throw unknown(h, arg);
    return *it->second;
  }
  std::unique_ptr<T> remove(int h, const char* arg) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = objects_.find(h);
    if (it == objects_.end()) throw unknown(h, arg);
    auto object = std::move(it->second);
    objects_.erase(it);
    return object;
  }

 private:
  InputError unknown(int h, const char* arg) const {
    return InputError(std::string("argument '") + arg + "': expected a live " + kind_ + " handle, found " +
                      std::to_string(h) + (h > 0 && h < next_ ? " (destroyed)" : ""));
  }

  std::string kind_;
  mutable std::mutex mutex_;
  std::map<int, std::unique_ptr<T>> objects_;
  int next_ = 1;
};

}  // namespace leap::capi
