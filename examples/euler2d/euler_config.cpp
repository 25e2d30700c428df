#include "euler2d/euler_config.h"

#include "euler/config_check.h"

namespace leap::euler2d {

void CheckEulerConfig(const EulerConfig& cfg, const std::string& source) {
  euler::CheckConfig(cfg, source);
}

}  // namespace leap::euler2d
