// LEAP's YAML writer: everything it writes reads back (through yaml-cpp) as what was written —
// numbers bit for bit, strings that look like numbers, booleans or null stay strings, awkward
// strings (indicators, blanks, line breaks, quotes) survive — and the layout is the block style
// configs are read in.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>

#include "leap/config/yaml_writer.h"

namespace {

using leap::config::YamlValue;

YAML::Node reread(const YamlValue& v) { return YAML::Load(leap::config::render_yaml(v)); }

TEST(YamlWriter, DoublesReadBackBitForBit) {
  std::mt19937_64 rng(7);
  std::vector<double> values = {0.0, -0.0, 1.0, 0.1, 1.4, -2.5e-7, 1e300, 5e-324, 123456789.0,
                                std::numeric_limits<double>::max(), std::numeric_limits<double>::min()};
  for (int i = 0; i < 200; ++i) {
    uint64_t bits = rng();
    double d;
    std::memcpy(&d, &bits, sizeof d);
    if (std::isfinite(d)) values.push_back(d);
  }
  YamlValue list = leap::config::yaml_list(values);
  const auto back = reread(list).as<std::vector<double>>();
  ASSERT_EQ(back.size(), values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    uint64_t a, b;
    std::memcpy(&a, &values[i], 8);
    std::memcpy(&b, &back[i], 8);
    EXPECT_EQ(a, b) << "value " << i << " written as " << leap::config::format_yaml_double(values[i]);
  }
  EXPECT_EQ(leap::config::format_yaml_double(0.1), "0.1");  // shortest form, not 0.10000000000000001
  EXPECT_EQ(leap::config::format_yaml_double(1.4), "1.4");
}

TEST(YamlWriter, NonFiniteNumbers) {
  YamlValue m;
  m.set("a", YamlValue::number(std::numeric_limits<double>::infinity()));
  m.set("b", YamlValue::number(-std::numeric_limits<double>::infinity()));
  m.set("c", YamlValue::number(std::nan("")));
  const YAML::Node n = reread(m);
  EXPECT_EQ(n["a"].as<double>(), std::numeric_limits<double>::infinity());
  EXPECT_EQ(n["b"].as<double>(), -std::numeric_limits<double>::infinity());
  EXPECT_TRUE(std::isnan(n["c"].as<double>()));
}

TEST(YamlWriter, StringsReadBackAsThemselves) {
  const std::vector<std::string> awkward = {
      "",      "plain", "yes",  "No",   "null", "~",     "true",  "1e3",   "0x10",   "-1",  ".inf", "3",
      "a: b",  "a #b",  "#c",   "- x",  "[1]",  "{k}",   "a,b",   " lead", "trail ", "x:",  "\"q\"", "'s'",
      "a\nb",  "tab\t", "back\\slash", "*ref", "&anchor", "!tag", "%p", "@at", "`tick", "|", ">", "?",
      "unicode \xc3\xa9\xe2\x82\xac", std::string("nul\x01" "ctl")};
  YamlValue m;
  YamlValue list = leap::config::yaml_list(awkward);
  for (size_t i = 0; i < awkward.size(); ++i) m.set(awkward[i], YamlValue::string(awkward[i]));
  m.set("list", list);
  const YAML::Node n = reread(m);
  for (const auto& s : awkward) {
    ASSERT_TRUE(n[s]) << "key '" << s << "' lost in:\n" << leap::config::render_yaml(m);
    ASSERT_TRUE(n[s].IsScalar()) << "'" << s << "'";
    EXPECT_EQ(n[s].Scalar(), s);
  }
  EXPECT_EQ(n["list"].as<std::vector<std::string>>(), awkward);
  // Plain where plain is safe: what a person would write.
  EXPECT_EQ(leap::config::quote_yaml_string("periodic"), "periodic");
  EXPECT_EQ(leap::config::quote_yaml_string("cuda:1"), "cuda:1");
  EXPECT_EQ(leap::config::quote_yaml_string("yes"), "\"yes\"");
}

TEST(YamlWriter, BlockLayoutAndNesting) {
  YamlValue root;
  root.set("gamma", YamlValue::number(1.4));
  root.set("name", YamlValue::string("euler"));
  YamlValue& model = root.set("model", YamlValue::map());
  model.set("levels", YamlValue::integer(3));
  model.set("channels", leap::config::yaml_list(std::vector<int64_t>{8, 16, 32}));
  model.set("empty_map", YamlValue::map());
  model.set("empty_list", YamlValue::seq());
  YamlValue sweep = YamlValue::seq();
  YamlValue point;
  point.set("key", YamlValue::string("gamma"));
  point.set("values", leap::config::yaml_list(std::vector<double>{1.3, 1.5}));
  sweep.push(point);
  sweep.push(YamlValue::integer(7));
  root.set("sweep", sweep);
  root.set("flag", YamlValue::boolean(true));
  root.set("gamma", YamlValue::number(1.6));  // replaces, keeps the position
  const std::string text = leap::config::render_yaml(root);
  EXPECT_EQ(text,
            "gamma: 1.6\n"
            "name: euler\n"
            "model:\n"
            "  levels: 3\n"
            "  channels: [8, 16, 32]\n"
            "  empty_map: {}\n"
            "  empty_list: []\n"
            "sweep:\n"
            "  - key: gamma\n"
            "    values: [1.3, 1.5]\n"
            "  - 7\n"
            "flag: true\n");
  const YAML::Node n = YAML::Load(text);
  EXPECT_EQ(n["sweep"][0]["values"][1].as<double>(), 1.5);
  EXPECT_TRUE(n["model"]["empty_map"].IsMap());
  EXPECT_TRUE(n["flag"].as<bool>());
}

TEST(YamlWriter, NodesDumpAndReloadIdentically) {
  const std::string source =
      "a: 1\nb: [x, 'yes', 2.5]\nc:\n  d: \"multi\\nline\"\n  e: ~\n  f:\n    - {g: 1}\n    - h\n";
  const YAML::Node n = YAML::Load(source);
  const std::string once = leap::config::dump_yaml(n);
  const YAML::Node again = YAML::Load(once);
  EXPECT_EQ(leap::config::dump_yaml(again), once);
  EXPECT_EQ(again["b"][1].Scalar(), "yes");
  EXPECT_EQ(again["b"][1].Tag(), "!");  // quoted in the source, quoted again
  EXPECT_EQ(again["c"]["d"].Scalar(), "multi\nline");
  EXPECT_TRUE(again["c"]["e"].IsNull());
  EXPECT_EQ(again["c"]["f"][0]["g"].as<int>(), 1);
  EXPECT_EQ(again["c"]["f"][1].Scalar(), "h");
}

TEST(YamlWriter, MultiLineDocumentsNestInsideStrings) {
  // Checkpoints keep YAML documents as string values of a mapping.
  YamlValue inner;
  inner.set("mean", leap::config::yaml_list(std::vector<double>{0.5, -1.25}));
  inner.set("name", YamlValue::string("a: b # c"));
  const std::string doc = leap::config::render_yaml(inner);
  YamlValue outer;
  outer.set("normalizer", YamlValue::string(doc));
  const YAML::Node n = YAML::Load(leap::config::render_yaml(outer));
  EXPECT_EQ(n["normalizer"].Scalar(), doc);
  EXPECT_EQ(YAML::Load(n["normalizer"].Scalar())["name"].Scalar(), "a: b # c");
}

}  // namespace
