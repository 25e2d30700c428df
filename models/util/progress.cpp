#include "leap/util/progress.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>

namespace leap::util {

std::string format_duration(double s) {
  if (!std::isfinite(s) || s < 0) return "?";
  char buf[32];
  const long t = long(std::lround(s));
  if (t >= 3600) {
    std::snprintf(buf, sizeof(buf), "%ldh%02ldm", t / 3600, (t % 3600) / 60);
  } else if (t >= 60) {
    std::snprintf(buf, sizeof(buf), "%ldm%02lds", t / 60, t % 60);
  } else {
    std::snprintf(buf, sizeof(buf), "%lds", t);
  }
  return buf;
}

ProgressBar::ProgressBar(std::string label, int64_t total, bool enabled)
    : label_(std::move(label)), total_(total), enabled_(enabled), tty_(::isatty(STDERR_FILENO) != 0) {
  start_ = last_draw_ = std::chrono::steady_clock::now();
}

ProgressBar::~ProgressBar() {
  if (!finished_ && enabled_ && tty_ && done_ > 0) std::fputc('\n', stderr);
}

void ProgressBar::set_resumed(int64_t already_done) {
  resumed_ = already_done;
  done_ = already_done;
}

void ProgressBar::update(int64_t done, const std::string& note) {
  done_ = done;
  note_ = note;
  const auto now = std::chrono::steady_clock::now();
  const double since = std::chrono::duration<double>(now - last_draw_).count();
  if (since < (tty_ ? 0.2 : 5.0) && done_ < total_) return;
  last_draw_ = now;
  draw(false);
}

void ProgressBar::finish(const std::string& note) {
  if (finished_) return;
  if (!note.empty()) note_ = note;
  draw(true);
  finished_ = true;
}

void ProgressBar::draw(bool final) {
  if (!enabled_) return;
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double rate = elapsed > 0 ? double(done_ - resumed_) / elapsed : 0.0;
  const double eta = rate > 0 ? double(total_ - done_) / rate : NAN;
  const double frac = total_ > 0 ? double(done_) / double(total_) : 1.0;
  const int width = 24;
  const int filled = int(frac * width);
  std::string bar(size_t(filled), '#');
  bar += std::string(size_t(width - filled), '.');
  char line[512];
  std::snprintf(line, sizeof(line), "%s [%s] %lld/%lld %3.0f%% %s %s%s", label_.c_str(), bar.c_str(),
                (long long)done_, (long long)total_, 100.0 * frac, format_duration(elapsed).c_str(),
                final ? "done" : ("ETA " + format_duration(eta)).c_str(), note_.empty() ? "" : ("  " + note_).c_str());
  if (tty_) {
    std::fprintf(stderr, "\r%s\033[K%s", line, final ? "\n" : "");
  } else {
    std::fprintf(stderr, "%s\n", line);
  }
  std::fflush(stderr);
}

}  // namespace leap::util
