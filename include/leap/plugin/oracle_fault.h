// Faults injected into an oracle emulator's leaps (TrajectoryOracle::set_faults; emulator.faults in a
// runtime config, -leap_oracle_faults for the TS type leap).
#pragma once

#include <cstdint>
#include <string>

namespace leap::plugin {

// A fault the oracle injects into the result of one of its leaps, to see how a coupling route treats a
// poor emulator (the conformance test, and users trying their setup). Written "N:KIND[:ARG]": N is
// the leap (0 the first leap() call of this oracle), KIND one of
//   nan               the result holds a NaN (cell (0, 0) of the first channel)
//   negative:CHANNEL  cell (0, 0) of CHANNEL is -(|value| + 1) (an inadmissible state, e.g. density)
//   spread:A          member m is moved by (m - (M - 1) / 2) * A times each channel's spatial
//                     standard deviation (M members; the mean stays the stored frame)
//   offset:A          every member is moved by A times each channel's spatial standard deviation (a
//                     leap far from the solver)
struct OracleFault {
  enum class Kind { nan, negative, spread, offset };
  int64_t leap = 0;
  Kind kind = Kind::nan;
  std::string channel;  // negative
  double amount = 0;    // spread, offset
  // Parses "N:KIND[:ARG]"; InputError naming `what` (e.g. the config key) when it is not one.
  static OracleFault parse(const std::string& spec, const std::string& what);
};

}  // namespace leap::plugin
