#include "leap/models/schedule.h"

#include <ATen/ATen.h>

#include <cmath>

namespace leap::models {

LogLogitSchedule::LogLogitSchedule(const ScheduleConfig& cfg) : cfg_(cfg) {
  cfg_.validate("noise schedule");
  u_min_ = cfg_.sigma_min / (1.0 + cfg_.sigma_min);
  u_max_ = cfg_.sigma_max / (1.0 + cfg_.sigma_max);
}

double LogLogitSchedule::sigma(double t) const {
  const double u = u_min_ + (u_max_ - u_min_) * t;
  return std::exp(cfg_.scale * std::log(u / (1.0 - u)) + cfg_.shift);
}

at::Tensor LogLogitSchedule::sigma(const at::Tensor& t) const {
  at::Tensor u = t.to(at::kDouble) * (u_max_ - u_min_) + u_min_;
  return at::exp(at::logit(u) * cfg_.scale + cfg_.shift).to(t.scalar_type());
}

std::vector<double> LogLogitSchedule::sigmas(int steps) const {
  std::vector<double> s(size_t(steps) + 1);
  for (int i = 0; i <= steps; ++i) s[size_t(i)] = sigma(1.0 - double(i) / double(steps));
  return s;
}

}  // namespace leap::models
