#include "leap/util/fault_injection.h"

#include <mpi.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "leap/error.h"

namespace leap::util {

namespace {

const char* const kSites[] = {"exchange", "leap", "recorder", "train_step", "ts_step", "ts_post_step"};

struct FaultSpec {
  bool active = false;
  std::string site;
  int rank = 0;
  bool abort = false;
  long hit = 1;
};

long parse_number(const std::string& text, const std::string& value, long min) {
  char* end = nullptr;
  const long v = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || v < min)
    throw InputError("environment", "LEAP_FAULT", "SITE:RANK[:error|abort[:HIT]] with RANK >= 0 and HIT >= 1",
                     value);
  return v;
}

FaultSpec parse_spec(const char* env) {
  FaultSpec s;
  if (!env || !*env) return s;
  const std::string value = env;
  std::vector<std::string> parts;
  for (size_t start = 0;;) {
    const size_t colon = value.find(':', start);
    parts.push_back(value.substr(start, colon == std::string::npos ? std::string::npos : colon - start));
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  const size_t n = parts.size();
  bool known = false;
  for (const char* site : kSites) known = known || parts[0] == site;
  if (n < 2 || n > 4 || !known || (n >= 3 && parts[2] != "error" && parts[2] != "abort"))
    throw InputError("environment", "LEAP_FAULT",
                     "SITE:RANK[:error|abort[:HIT]] with SITE one of exchange, leap, recorder, train_step, "
                     "ts_step, ts_post_step",
                     value);
  s.active = true;
  s.site = parts[0];
  s.rank = int(parse_number(parts[1], value, 0));
  s.abort = n >= 3 && parts[2] == "abort";
  if (n == 4) s.hit = parse_number(parts[3], value, 1);
  return s;
}

const FaultSpec& spec() {
  static const FaultSpec s = parse_spec(std::getenv("LEAP_FAULT"));
  return s;
}

}  // namespace

void fault_point(const char* site) {
  const FaultSpec& s = spec();
  if (!s.active || s.site != site) return;
  int initialized = 0, rank = 0;
  MPI_Initialized(&initialized);
  if (initialized) MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  if (rank != s.rank) return;
  static std::atomic<long> passes{0};
  const long pass = ++passes;
  if (pass != s.hit) return;
  const std::string message =
      "injected fault at " + s.site + " (pass " + std::to_string(pass) + ") on rank " + std::to_string(rank);
  if (s.abort) {
    std::fprintf(stderr, "leap: %s: aborting\n", message.c_str());
    std::fflush(stderr);
    std::abort();
  }
  throw Error(message);
}

}  // namespace leap::util
