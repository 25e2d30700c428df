// Configuration of the diffusion process: the noise schedule (variance exploding, sigma from 1e-3 to
// 1e3 on a log-logit schedule), the sampler (3rd-order Adams-Bashforth, 16 steps, by default) and the
// random context masks drawn in training. No LibTorch here.
#pragma once

#include <string>

#include "leap/config/schema.h"
#include "leap/error.h"

namespace leap::models {

struct SamplerConfig {
  std::string algorithm = "ab";  // ab (Adams-Bashforth), euler, ddim, heun
  int steps = 16;
  int order = 3;     // Adams-Bashforth order
  double eta = 0.0;  // DDIM stochasticity (0: deterministic, equal to Euler)

  template <class V>
  void visit(V& v) {
    using namespace leap::config;
    v("algorithm", algorithm, "probability-flow ODE solver", one_of({"ab", "euler", "ddim", "heun"}));
    v("steps", steps, "number of solver steps", at_least(1));
    v("order", order, "order of the Adams-Bashforth method", in_range(1, 4));
    v("eta", eta, "DDIM stochasticity (0 = deterministic)", in_range(0.0, 1.0));
  }
};

struct ScheduleConfig {
  double sigma_min = 1e-3;
  double sigma_max = 1e3;
  double scale = 1.0;  // log sigma = scale * logit(u) + shift
  double shift = 0.0;

  template <class V>
  void visit(V& v) {
    using namespace leap::config;
    v("sigma_min", sigma_min, "smallest noise level", greater_than(0.0));
    v("sigma_max", sigma_max, "largest noise level", greater_than(0.0));
    v("scale", scale, "log-logit scale a in sigma = exp(a logit(u) + b)", greater_than(0.0));
    v("shift", shift, "log-logit shift b in sigma = exp(a logit(u) + b)");
  }
  void validate(const std::string& file, const std::string& prefix = "") const {
    if (!(sigma_max > sigma_min))
      throw InputError(file, prefix.empty() ? "sigma_max" : prefix + ".sigma_max",
                       "a value > sigma_min = " + config::format_number(sigma_min),
                       config::format_number(sigma_max));
  }
};

// Training context masks: a run of `context` known frames, context uniform in
// [context_min, min(context_max, window - 1)], at the start of the window, or with probability
// p_end at its end.
struct ContextMaskConfig {
  int context_min = 1;
  int context_max = 4;
  double p_end = 0.25;

  template <class V>
  void visit(V& v) {
    using namespace leap::config;
    v("context_min", context_min, "fewest known frames in a training window", at_least(1));
    v("context_max", context_max, "most known frames in a training window", at_least(1));
    v("p_end", p_end, "probability that the known frames sit at the end of the window", in_range(0.0, 1.0));
  }
  void validate(const std::string& file, const std::string& prefix = "") const {
    if (context_max < context_min)
      throw InputError(file, prefix.empty() ? "context_max" : prefix + ".context_max",
                       "a value >= context_min = " + std::to_string(context_min),
                       std::to_string(context_max));
  }
};

struct DiffusionConfig {
  ScheduleConfig schedule;
  SamplerConfig sampler;
  ContextMaskConfig context;
  // none: the denoiser models the unknown frames themselves (the paper's); context: as departures
  // from the known frame next to them, scaled per lead by the RMS departure measured on the training
  // windows (anchor.h), so that an untrained denoiser predicts persistence.
  std::string anchor = "none";

  template <class V>
  void visit(V& v) {
    using namespace leap::config;
    v("schedule", schedule, "noise schedule");
    v("sampler", sampler, "probability-flow ODE sampler");
    v("context", context, "random context masks in training");
    v("anchor", anchor, "what the denoiser's unknown frames depart from: none, or context (the nearest known frame)",
      one_of({"none", "context"}));
  }
  void validate(const std::string& file, const std::string& prefix = "") const {
    auto sub = [&](const char* k) { return prefix.empty() ? std::string(k) : prefix + "." + k; };
    schedule.validate(file, sub("schedule"));
    context.validate(file, sub("context"));
  }
};

}  // namespace leap::models
