#include "leap/log.h"

#include <spdlog/sinks/stdout_color_sinks.h>

namespace leap {

void init_logging(int verbosity, int rank, int size) {
  auto logger = spdlog::stderr_color_mt("leap");
  spdlog::set_default_logger(logger);
  if (size > 1) {
    spdlog::set_pattern("[rank " + std::to_string(rank) + "] [%^%l%$] %v");
  } else {
    spdlog::set_pattern("[%^%l%$] %v");
  }
  spdlog::level::level_enum level = spdlog::level::info;
  if (verbosity < 0) level = spdlog::level::warn;
  if (verbosity == 1) level = spdlog::level::debug;
  if (verbosity >= 2) level = spdlog::level::trace;
  if (rank != 0 && verbosity <= 0) level = spdlog::level::warn;
  spdlog::set_level(level);
}

}  // namespace leap
