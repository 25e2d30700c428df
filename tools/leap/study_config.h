// `leap study` configuration: the keys of a hybrid config (case, held-out seed, horizon, leaps, the
// case's section) at the top level, plus a `study` section: which numeric key of that config is
// swept over which values, how many independent hybrid runs (replicas) each point gets, where the
// solver-only run is also made, and the quantity of interest.
//
//   case: euler2d
//   seed: 1000
//   frames: 20
//   leap: {leap_frames: 6, solver_frames: 4, members: 1}
//   euler2d: {nx: 64, ny: 64}
//   study:
//     parameter: euler2d.gamma
//     values: [1.3, 1.35, 1.4, 1.45, 1.5]
//     replicas: 3
//     check_points: [0, 2, 4]      # indices into values; [] = first, middle and last
//     qoi: auto                    # kinetic_energy (euler2d, euler3d), nusselt (rayleigh_benard)
#pragma once

#include <cmath>
#include <cstdint>
#include <iomanip>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "hybrid_config.h"
#include "leap/config/load.h"
#include "leap/error.h"

namespace leap::cli {

struct StudySection {
  std::string parameter = "euler2d.gamma";
  std::vector<double> values = {1.3, 1.35, 1.4, 1.45, 1.5};
  int64_t replicas = 3;
  std::vector<int64_t> check_points;
  std::string qoi = "auto";

  template <class V>
  void visit(V& v) {
    v("parameter", parameter,
      "the swept key of this config (a number), e.g. euler2d.gamma, euler3d.gamma, rayleigh_benard.rayleigh, "
      "leap.leap_frames");
    v("values", values, "the values it takes, in increasing order (at least 2)");
    v("replicas", replicas,
      "independent hybrid runs per value, replica r sampling the emulator with seed leap.seed + r; the "
      "quantity of interest is reported as their mean and standard deviation",
      config::at_least<int64_t>(1));
    v("check_points", check_points,
      "indices into values where the solver-only run is also made ([]: the first, middle and last)");
    v("qoi", qoi,
      "quantity of interest at the final time: kinetic_energy (domain mean of |m|^2 / (2 rho) for euler2d "
      "and euler3d, all momentum components; <u^2 + v^2> / 2 for rayleigh_benard), nusselt (rayleigh_benard: "
      "1 + <v b>), auto (kinetic_energy for euler2d and euler3d, nusselt for rayleigh_benard)",
      config::one_of({"auto", "kinetic_energy", "nusselt"}));
  }

  void validate(const std::string& file, const std::string& prefix) const {
    const auto key = [&prefix](const std::string& k) { return config::join_path(prefix, k); };
    if (values.size() < 2)
      throw InputError(file, key("values"), "a list of at least 2 numbers",
                       std::to_string(values.size()) + " values");
    for (size_t i = 0; i < values.size(); ++i) {
      const std::string k = key("values") + "[" + std::to_string(i) + "]";
      if (!std::isfinite(values[i]))
        throw InputError(file, k, "a finite number", config::format_number(values[i]));
      if (i > 0 && !(values[i] > values[i - 1]))
        throw InputError(file, k, "a value > " + config::format_number(values[i - 1]) + " (increasing order)",
                         config::format_number(values[i]));
    }
    std::set<int64_t> seen;
    for (size_t k = 0; k < check_points.size(); ++k) {
      const std::string path = key("check_points") + "[" + std::to_string(k) + "]";
      const int64_t c = check_points[k];
      if (c < 0 || c >= int64_t(values.size()))
        throw InputError(file, path,
                         "an index into " + key("values") + ", 0.." + std::to_string(values.size() - 1),
                         std::to_string(c));
      if (!seen.insert(c).second)
        throw InputError(file, path, "an index not listed before", std::to_string(c));
    }
  }

  // The check points as indices, in increasing order (the default: first, middle, last).
  std::vector<size_t> check_indices() const {
    std::set<size_t> s;
    if (check_points.empty()) {
      s = {0, values.size() / 2, values.size() - 1};
    } else {
      for (int64_t c : check_points) s.insert(size_t(c));
    }
    return {s.begin(), s.end()};
  }
};

// A value as YAML text, exact enough to reproduce the double (integers without a decimal point).
inline std::string yaml_number(double v) {
  std::ostringstream s;
  s << std::setprecision(15) << v;
  return s.str();
}

struct StudyConfig {
  HybridConfig hybrid;
  StudySection study;

  template <class V>
  void visit(V& v) {
    hybrid.visit(v);
    v("study", study, "the parameter sweep, its replicas, check points and quantity of interest");
  }

  // The quantity of interest with `auto` resolved.
  std::string qoi() const {
    if (study.qoi != "auto") return study.qoi;
    return hybrid.case_name == "rayleigh_benard" ? "nusselt" : "kinetic_energy";
  }

  // The hybrid config of point i: the swept key set to values[i], validated as the file would be.
  HybridConfig point(size_t i, const std::string& file) const {
    return config::with_overrides(hybrid, {study.parameter + "=" + yaml_number(study.values[i])}, file, "");
  }

  // Relations between the study and the rest: the swept key exists, is a number and may vary between
  // runs; every value is valid for it; the quantity of interest fits the case.
  void validate(const std::string& file) const {
    const std::string& p = study.parameter;
    std::string type;
    for (const auto& line : config::document<HybridConfig>())
      if (line.rfind(p + ": ", 0) == 0) type = line.substr(p.size() + 2);
    const std::string example =
        hybrid.case_name == "rayleigh_benard" ? "rayleigh_benard.rayleigh" : hybrid.case_name + ".gamma";
    if (type.rfind("a number", 0) != 0 && type.rfind("an integer", 0) != 0)
      throw InputError(
          file, "study.parameter", "a numeric key of this config, e.g. " + example,
          "'" + p + "'" + (type.empty() ? " (no such key)" : " (" + type.substr(0, type.find(',')) + ")"));
    for (const char* section : {"euler2d", "euler3d", "rayleigh_benard"})
      if (section != hybrid.case_name && p.rfind(std::string(section) + ".", 0) == 0)
        throw InputError(file, "study.parameter",
                         "a key of the " + hybrid.case_name + " section (case is " + hybrid.case_name + ")",
                         "'" + p + "'");
    for (const char* fixed :
         {"leap.context", "leap.seed", "euler2d.seed", "euler3d.seed", "rayleigh_benard.seed"})
      if (p == fixed)
        throw InputError(
            file, "study.parameter",
            "a key that may change between runs (not leap.context, leap.seed or the case's seed: "
            "the emulator and the initial condition are fixed for the whole study)",
            "'" + p + "'");
    if (qoi() == "nusselt" && hybrid.case_name != "rayleigh_benard")
      throw InputError(
          file, "study.qoi",
          "kinetic_energy or auto for case " + hybrid.case_name + " (nusselt needs case rayleigh_benard)",
          "'nusselt'");
    for (size_t i = 0; i < study.values.size(); ++i) {
      try {
        point(i, file);
      } catch (const InputError& e) {
        // "FILE: key 'K': expected E, found F" -> the expectation, re-attached to the study's key.
        const std::string m = e.what();
        const size_t a = m.find("expected "), b = m.rfind(", found ");
        const std::string why = (a != std::string::npos && b != std::string::npos && b > a)
                                    ? m.substr(a + 9, b - a - 9)
                                    : m.substr(m.find(": ") == std::string::npos ? 0 : m.find(": ") + 2);
        throw InputError(file, "study.values[" + std::to_string(i) + "]", "a valid " + p + " (" + why + ")",
                         "'" + yaml_number(study.values[i]) + "'");
      }
    }
  }
};

}  // namespace leap::cli
