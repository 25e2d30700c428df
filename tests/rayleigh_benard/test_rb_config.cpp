// RBConfig read from YAML: defaults, values, and refusal of unphysical or unknown keys with the
// key's path.
#include <gtest/gtest.h>

#include <string>

#include "leap/config/load.h"
#include "leap/error.h"
#include "rb_config.h"

namespace {

using leap::rayleigh_benard::RBConfig;

RBConfig Parse(const std::string& text) {
  return leap::config::parse_config<RBConfig>(leap::config::load_yaml_text(text, "case.yaml"), "case.yaml");
}

TEST(RBConfig, ReadsEveryKey) {
  const RBConfig c = Parse(
      "nx: 64\nny: 33\nlx: 2.0\nrayleigh: 1.0e5\nprandtl: 0.7\nperturbation: 0.01\nseed: 3\ncfl: 1.0\n"
      "dt: 1.0e-5\nt_end: 0.5\npoisson_rtol: 1.0e-12\n");
  EXPECT_EQ(c.nx, 64);
  EXPECT_EQ(c.ny, 33);
  EXPECT_DOUBLE_EQ(c.lx, 2.0);
  EXPECT_DOUBLE_EQ(c.rayleigh, 1e5);
  EXPECT_DOUBLE_EQ(c.prandtl, 0.7);
  EXPECT_DOUBLE_EQ(c.perturbation, 0.01);
  EXPECT_EQ(c.seed, 3);
  EXPECT_DOUBLE_EQ(c.cfl, 1.0);
  EXPECT_DOUBLE_EQ(c.dt, 1e-5);
  EXPECT_DOUBLE_EQ(c.t_end, 0.5);
  EXPECT_DOUBLE_EQ(c.poisson_rtol, 1e-12);
}

TEST(RBConfig, RefusesUnphysicalValuesAndUnknownKeys) {
  for (const char* bad : {"rayleigh: 0\n", "rayleigh: -1.0e4\n", "prandtl: 0\n", "ny: 3\n", "lx: -2\n",
                          "cfl: 3.0\n", "reynolds: 10\n", "nx: many\n"}) {
    try {
      Parse(bad);
      ADD_FAILURE() << "accepted: " << bad;
    } catch (const leap::InputError& e) {
      const std::string key = std::string(bad).substr(0, std::string(bad).find(':'));
      EXPECT_NE(std::string(e.what()).find(key), std::string::npos) << e.what();
    }
  }
}

TEST(RBConfig, DocumentsEveryKey) {
  const auto lines = leap::config::document<RBConfig>();
  EXPECT_EQ(lines.size(), 12u);
}

}  // namespace
