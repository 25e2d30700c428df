#include "euler3d/euler_config.h"

#include <algorithm>

#include "euler/config_check.h"

namespace leap::euler3d {

void EulerConfig::validate(const std::string& file) const {
  if (initial_condition == "blast") {
    const double fits = 0.5 * std::min(lx, std::min(ly, lz));
    if (!(blast.radius < fits))
      throw InputError(file, "blast.radius",
                       "a value < half the shortest domain length (" + config::format_number(fits) + ")",
                       config::format_number(blast.radius));
  }
}

void CheckEulerConfig(const EulerConfig& cfg, const std::string& source) {
  euler::CheckConfig(cfg, source);
}

}  // namespace leap::euler3d
