// Typed configuration: reading, refusal of bad keys/types/ranges with the key's path, --set
// overrides, the round trip through the effective config, and empty config files refused.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "leap/config/load.h"

namespace {

using namespace leap::config;

struct Inner {
  int levels = 3;
  std::vector<int> channels{8, 16};
  template <class V>
  void visit(V& v) {
    v("levels", levels, "number of levels", in_range(1, 8));
    v("channels", channels, "channels per level", each(at_least(1)));
  }
};

struct Outer {
  double gamma = 1.4;
  std::string boundary = "periodic";
  bool verbose = false;
  Inner model;
  void validate(const std::string& file) const {
    if (int(model.channels.size()) != model.levels)
      throw leap::InputError(file, "model.channels", std::to_string(model.levels) + " entries (model.levels)",
                             std::to_string(model.channels.size()));
  }
  template <class V>
  void visit(V& v) {
    v("gamma", gamma, "ratio of specific heats", greater_than(1.0));
    v("boundary", boundary, "boundary type", one_of({"periodic", "open"}));
    v("verbose", verbose, "chatty");
    v("model", model, "the model");
  }
};

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const leap::InputError& e) {
    return e.what();
  }
  return "(no error)";
}

Outer parse(const std::string& text, std::vector<std::string> sets = {}) {
  YAML::Node root = load_yaml_text(text, "test.yaml");
  apply_overrides(root, sets, "test.yaml");
  return parse_config<Outer>(root, "test.yaml");
}

TEST(Config, ReadsValuesAndKeepsDefaults) {
  Outer c = parse("gamma: 1.67\nmodel:\n  levels: 2\n");
  EXPECT_DOUBLE_EQ(c.gamma, 1.67);
  EXPECT_EQ(c.boundary, "periodic");
  EXPECT_EQ(c.model.levels, 2);
  EXPECT_EQ(c.model.channels, (std::vector<int>{8, 16}));
}

TEST(Config, UnknownKeyNamesItsPath) {
  const auto m = message_of([] { parse("model:\n  levles: 2\n"); });
  EXPECT_NE(m.find("test.yaml"), std::string::npos) << m;
  EXPECT_NE(m.find("unknown key 'model.levles'"), std::string::npos) << m;
  EXPECT_NE(m.find("levels"), std::string::npos) << m;  // what was expected
}

TEST(Config, WrongTypeNamesKeyExpectedAndFound) {
  const auto m = message_of([] { parse("gamma: fast\n"); });
  EXPECT_EQ(m, "test.yaml: key 'gamma': expected a number, found 'fast'");
  const auto m2 = message_of([] { parse("model:\n  channels: 4\n"); });
  EXPECT_EQ(m2, "test.yaml: key 'model.channels': expected a list of integers, found '4'");
  const auto m3 = message_of([] { parse("model: 3\n"); });
  EXPECT_EQ(m3, "test.yaml: key 'model': expected a mapping (a section of keys), found '3'");
  const auto m4 = message_of([] { parse("verbose: maybe\n"); });
  EXPECT_EQ(m4, "test.yaml: key 'verbose': expected a boolean (true/false), found 'maybe'");
}

TEST(Config, OutOfRangeIsRefused) {
  EXPECT_EQ(message_of([] { parse("gamma: 0.9\n"); }),
            "test.yaml: key 'gamma': expected a value > 1, found '0.9'");
  EXPECT_EQ(message_of([] { parse("boundary: reflecting\n"); }),
            "test.yaml: key 'boundary': expected one of periodic, open, found 'reflecting'");
  EXPECT_EQ(message_of([] { parse("model:\n  channels: [4, 0]\n"); }),
            "test.yaml: key 'model.channels': expected a list of a value >= 1, found a list of 2 items");
}

TEST(Config, CrossKeyValidation) {
  EXPECT_EQ(message_of([] { parse("model:\n  levels: 3\n"); }),
            "test.yaml: key 'model.channels': expected 3 entries (model.levels), found 2");
}

TEST(Config, SetOverridesAnyKey) {
  Outer c = parse("gamma: 1.67\n", {"gamma=1.3", "model.levels=1", "model.channels=[32]", "boundary=open"});
  EXPECT_DOUBLE_EQ(c.gamma, 1.3);
  EXPECT_EQ(c.model.levels, 1);
  EXPECT_EQ(c.model.channels, (std::vector<int>{32}));
  EXPECT_EQ(c.boundary, "open");
  // Overrides are validated like the file.
  EXPECT_NE(message_of([] { parse("", {"model.depth=2"}); }).find("unknown key 'model.depth'"),
            std::string::npos);
  EXPECT_NE(message_of([] { parse("", {"gamma=1"}); }).find("key 'gamma': expected a value > 1"),
            std::string::npos);
  EXPECT_NE(message_of([] { parse("", {"gamma"}); }).find("expected key.path=value"), std::string::npos);
}

TEST(Config, EffectiveConfigRoundTrips) {
  Outer c = parse("gamma: 1.5\nboundary: open\nmodel:\n  levels: 1\n  channels: [7]\n");
  const std::string text = to_yaml(c);
  Outer back = parse(text);
  EXPECT_DOUBLE_EQ(back.gamma, 1.5);
  EXPECT_EQ(back.boundary, "open");
  EXPECT_EQ(back.model.channels, (std::vector<int>{7}));
  EXPECT_EQ(to_yaml(back), text);

  const auto dir = std::filesystem::temp_directory_path() / "leap_test_config";
  std::filesystem::create_directories(dir);
  write_effective_config(dir.string(), c);
  Outer from_file = load_config<Outer>((dir / "config.yaml").string());
  EXPECT_EQ(to_yaml(from_file), text);
  std::filesystem::remove_all(dir);
}

TEST(Config, EveryKeyIsDocumented) {
  const auto lines = document<Outer>();
  ASSERT_EQ(lines.size(), 6u);
  EXPECT_EQ(lines[0], "gamma: a number, default 1.4 (a value > 1) -- ratio of specific heats");
  EXPECT_EQ(lines[4], "model.levels: an integer, default 3 (a value in [1, 8]) -- number of levels");
}

TEST(Config, MissingAndMalformedFiles) {
  EXPECT_NE(
      message_of([] { load_config<Outer>("/nonexistent/x.yaml"); }).find("/nonexistent/x.yaml: cannot read"),
      std::string::npos);
  const auto path = std::filesystem::temp_directory_path() / "leap_bad.yaml";
  std::ofstream(path) << "gamma: [1, 2\n";
  EXPECT_NE(message_of([&] { load_config<Outer>(path.string()); }).find("not valid YAML at line"),
            std::string::npos);
  std::ofstream(path) << "- a\n- b\n";
  EXPECT_NE(message_of([&] { load_config<Outer>(path.string()); }).find("expected a mapping of keys"),
            std::string::npos);
  std::filesystem::remove(path);
}

TEST(Config, EmptyFilesAreRefused) {
  // Nothing, blanks, comments or an empty document: an InputError naming the file and saying it is
  // empty (exit status 2), not a silent run with the defaults.
  const auto path =
      std::filesystem::temp_directory_path() / ("leap_empty_" + std::to_string(::getpid()) + ".yaml");
  for (const std::string text : {"", "   \n\t\n\n", "# only a comment\n  # and another\n", "---\n", "~\n"}) {
    std::ofstream(path) << text;
    const auto m = message_of([&] { load_config<Outer>(path.string()); });
    EXPECT_NE(m.find(path.string() + ": key '(top level)': expected a mapping of keys, found an empty"),
              std::string::npos)
        << "'" << text << "': " << m;
    EXPECT_NE(m.find("name no config"), std::string::npos) << m;
  }
  std::ofstream(path) << "# a comment and two keys\ngamma: 1.5\nmodel: {levels: 2}\n";
  EXPECT_DOUBLE_EQ(load_config<Outer>(path.string()).gamma, 1.5);
  std::filesystem::remove(path);
  // Embedded texts (not files the user names) may still be empty: the defaults.
  EXPECT_EQ(to_yaml(parse("", {"model.levels=2"})), to_yaml(parse("model: {levels: 2}")));
}

}  // namespace
