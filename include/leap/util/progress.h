// A progress bar with rate and ETA for long work, printed on one rank (the caller decides which).
// On a terminal it redraws one line; otherwise it prints a line at most every few seconds.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace leap::util {

class ProgressBar {
 public:
  ProgressBar(std::string label, int64_t total, bool enabled = true);
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  // Sets the number of finished units (of `total`) and an optional note (e.g. "loss 0.12").
  void update(int64_t done, const std::string& note = "");
  // Units done before this run started (resumed work): excluded from the rate.
  void set_resumed(int64_t already_done);
  void finish(const std::string& note = "");

 private:
  void draw(bool final);
  std::string label_;
  int64_t total_;
  int64_t done_ = 0;
  int64_t resumed_ = 0;
  bool enabled_;
  bool tty_;
  bool finished_ = false;
  std::string note_;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

// "1h02m", "3m05s", "12s".
std::string format_duration(double seconds);

}  // namespace leap::util
