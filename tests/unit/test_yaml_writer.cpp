// LEAP's YAML writer: everything it writes reads back (through yaml-cpp) as what was written —
// numbers bit for bit, strings that look like numbers, booleans or null stay strings, awkward
// strings (indicators, blanks, line breaks, quotes) survive — and the layout is the block style
// configs are read in. Every config kind the tools read (generate, ae, emulator/surrogate, evaluate,
// hybrid, study, runtime; the example solvers' configs), with every key it can set to a value other
// than its default, goes through its effective config.yaml and back to the same typed config.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <regex>
#include <sstream>

#include <unistd.h>

#include "euler2d/euler_config.h"
#include "generate_config.h"
#include "hybrid_config.h"
#include "leap/config/load.h"
#include "leap/config/yaml_writer.h"
#include "leap/plugin/runtime_config.h"
#include "leap/train/autoencoder_training.h"
#include "leap/train/emulator_training.h"
#include "leap/train/evaluation.h"
#include "rb_config.h"
#include "study_config.h"

namespace {

using leap::config::YamlValue;

YAML::Node reread(const YamlValue& v) {
  return YAML::Load(leap::config::render_yaml(v));
}

TEST(YamlWriter, DoublesReadBackBitForBit) {
  std::mt19937_64 rng(7);
  std::vector<double> values = {0.0,
                                -0.0,
                                1.0,
                                0.1,
                                1.4,
                                -2.5e-7,
                                1e300,
                                5e-324,
                                123456789.0,
                                std::numeric_limits<double>::max(),
                                std::numeric_limits<double>::min()};
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
  const std::vector<std::string> awkward = {"",
                                            "plain",
                                            "yes",
                                            "No",
                                            "null",
                                            "~",
                                            "true",
                                            "1e3",
                                            "0x10",
                                            "-1",
                                            ".inf",
                                            "3",
                                            "a: b",
                                            "a #b",
                                            "#c",
                                            "- x",
                                            "[1]",
                                            "{k}",
                                            "a,b",
                                            " lead",
                                            "trail ",
                                            "x:",
                                            "\"q\"",
                                            "'s'",
                                            "a\nb",
                                            "tab\t",
                                            "back\\slash",
                                            "*ref",
                                            "&anchor",
                                            "!tag",
                                            "%p",
                                            "@at",
                                            "`tick",
                                            "|",
                                            ">",
                                            "?",
                                            "unicode \xc3\xa9\xe2\x82\xac",
                                            std::string("nul\x01"
                                                        "ctl")};
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
  // Plain where plain is safe: what a person would write; quoted where plain reads as another type.
  const auto text = [](const std::string& s) { return leap::config::render_yaml(YamlValue::string(s)); };
  EXPECT_EQ(text("periodic"), "periodic");
  EXPECT_EQ(text("cuda:1"), "cuda:1");
  for (const std::string s : {"yes", "Off", "null", "~", "12", "1e3", "0x1f", "-.5", ".inf", "1_000"})
    EXPECT_EQ(text(s), "\"" + s + "\"") << s;
  // A string read back from a quoted scalar stays a string to every YAML reader.
  for (const std::string s : {"yes", "12", "1e3", "0x1f", "null"})
    EXPECT_EQ(YAML::Load(text(s)).Tag(), "!") << s;
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

// ---------------------------------------------------------------- effective configs round-trip

namespace cfg = leap::config;

template <class T>
std::string exact(const T& v) {
  if constexpr (std::is_same_v<T, bool>) {
    return v ? "true" : "false";
  } else if constexpr (std::is_integral_v<T>) {
    return std::to_string(v);
  } else if constexpr (std::is_floating_point_v<T>) {
    std::array<char, 64> b{};
    std::snprintf(b.data(), b.size(), "%a", double(v));  // every bit
    return b.data();
  } else if constexpr (std::is_same_v<T, std::string>) {
    return "'" + v + "'";
  } else {
    std::string out = "[";
    for (const auto& x : v) out += (out.size() > 1 ? ", " : "") + exact(x);
    return out + "]";
  }
}

// Every leaf of a config: key path -> exact value (bits of floating point numbers).
struct Leaves {
  std::vector<std::pair<std::string, std::string>>& out;
  std::string prefix;
  template <class T, class C = cfg::NoCheck>
  void operator()(const char* key, T& value, const char*, const C& = C{}) {
    const std::string path = cfg::join_path(prefix, key);
    if constexpr (cfg::is_section<T>::value) {
      Leaves sub{out, path};
      value.visit(sub);
    } else {
      out.emplace_back(path, exact(value));
    }
  }
  template <class T>
  void list(const char* key, std::vector<T>& values, const char*) {
    const std::string path = cfg::join_path(prefix, key);
    out.emplace_back(path + ".size", std::to_string(values.size()));
    for (size_t i = 0; i < values.size(); ++i) {
      Leaves sub{out, path + "[" + std::to_string(i) + "]"};
      values[i].visit(sub);
    }
  }
};

template <class T>
std::vector<std::pair<std::string, std::string>> leaves(T c) {
  std::vector<std::pair<std::string, std::string>> out;
  Leaves l{out, ""};
  c.visit(l);
  return out;
}

// Values other than `v` to try for a key, many digits for numbers, strings that plain YAML would
// read as numbers, booleans or null.
template <class T>
std::vector<T> candidates(const T& v, const std::string& expected) {
  if constexpr (std::is_same_v<T, bool>) {
    return {!v};
  } else if constexpr (std::is_integral_v<T>) {
    std::vector<T> c = {T(v + 3), T(v + 1), T(v * 2 + 5), T(7), T(2), T(1), T(0)};
    if (v > 0) c.push_back(T(v - 1));
    return c;
  } else if constexpr (std::is_floating_point_v<T>) {
    return {T(v * 1.2345678901234567 + 0.012345678901234567),
            T(v * 0.71234567890123456),
            T(0.31415926535897931),
            T(v + 1.2345678901234567),
            T(2.7182818284590451),
            T(-v - 0.1234567890123457)};
  } else if constexpr (std::is_same_v<T, std::string>) {
    std::vector<std::string> c;
    if (expected.rfind("one of ", 0) == 0) {  // one_of(...): the other options
      std::stringstream s(expected.substr(7));
      for (std::string o; std::getline(s, o, ',');) c.push_back(o.substr(o.find_first_not_of(' ')));
      return c;
    }
    return {"0123", "yes", "1e5", "null", v + " -x: y #z", "cuda:1", "x"};
  } else {  // lists
    using E = typename T::value_type;
    std::vector<T> c;
    T each = v, more = v;
    for (auto&& x : each) x = candidates<E>(E(x), "").front();
    more.push_back(v.empty() ? candidates<E>(E{}, "").front() : candidates<E>(E(v.back()), "").front());
    if (!v.empty()) c.push_back(each);
    c.push_back(more);
    if (v.size() > 1) c.push_back(T(v.begin(), v.end() - 1));
    c.push_back(T{candidates<E>(E{}, "").back()});
    return c;
  }
}

template <class T>
void fill(T& item);

// Sets leaf number `target` (in visit order; a list of sections counts as one leaf, where a default
// element is appended) to candidate number `attempt`, if that passes the key's own check.
struct Perturber {
  Perturber(size_t target_, size_t attempt_, size_t index_ = 0, std::string prefix_ = "")
      : target(target_), attempt(attempt_), index(index_), prefix(std::move(prefix_)) {}
  size_t target, attempt;
  size_t index = 0;
  bool applied = false, exhausted = false;
  std::string prefix, path;
  template <class T, class C = cfg::NoCheck>
  void operator()(const char* key, T& value, const char*, const C& check = C{}) {
    const std::string p = cfg::join_path(prefix, key);
    if constexpr (cfg::is_section<T>::value) {
      Perturber sub(target, attempt, index, p);
      value.visit(sub);
      index = sub.index;
      applied = applied || sub.applied;
      exhausted = exhausted || sub.exhausted;
      if (!sub.path.empty()) path = sub.path;
    } else {
      if (index++ != target) return;
      path = p;
      std::string expected;
      if constexpr (!std::is_same_v<C, cfg::NoCheck>) expected = check.expected;
      const auto c = candidates<T>(value, expected);
      if (attempt >= c.size()) {
        exhausted = true;
        return;
      }
      if (exact(c[attempt]) == exact(value)) return;
      if constexpr (!std::is_same_v<C, cfg::NoCheck>) {
        if (!check.ok(c[attempt])) return;
      }
      value = c[attempt];
      applied = true;
    }
  }
  template <class T>
  void list(const char* key, std::vector<T>& values, const char*) {
    const std::string p = cfg::join_path(prefix, key);
    if (index++ == target) {
      path = p;
      if (attempt > 0) {
        exhausted = true;
        return;
      }
      values.emplace_back();
      fill(values.back());
      applied = true;
    }
    for (size_t i = 0; i < values.size(); ++i) {
      Perturber sub(target, attempt, index, p + "[" + std::to_string(i) + "]");
      values[i].visit(sub);
      index = sub.index;
      applied = applied || sub.applied;
      exhausted = exhausted || sub.exhausted;
      if (!sub.path.empty()) path = sub.path;
    }
  }
};

// Gives every key of a new list element the first value its check allows (list elements have no
// defaults worth keeping: e.g. a sweep axis needs a key and values).
template <class T>
void fill(T& item) {
  for (size_t k = 0;; ++k) {
    bool done = false, past = false;
    for (size_t a = 0; !done; ++a) {
      Perturber p(k, a);
      item.visit(p);
      if (p.index <= k) past = true;
      if (past || p.exhausted) break;
      done = p.applied;
    }
    if (past) return;
  }
}

template <class T>
bool valid(const T& c) {
  try {
    cfg::parse_config<T>(YAML::Load(cfg::to_yaml(c)), "candidate.yaml");
    return true;
  } catch (const leap::InputError&) {
    return false;
  }
}

// A config with every key that can differ from its default (the key's check and the config's
// validation allowing) set to another value; `unchanged` lists the keys left at their default.
template <class T>
T perturbed(const std::string& seed_yaml, std::vector<std::string>& unchanged) {
  T c = cfg::parse_config<T>(cfg::load_yaml_text(seed_yaml, "seed.yaml"), "seed.yaml");
  for (size_t k = 0;; ++k) {
    Perturber probe(k, 0);
    {
      T copy = c;
      copy.visit(probe);
      if (probe.index <= k) break;  // past the last leaf
    }
    bool changed = false;
    for (size_t a = 0; !changed; ++a) {
      T trial = c;
      Perturber p(k, a);
      trial.visit(p);
      if (p.exhausted) break;
      if (p.applied && valid(trial)) {
        c = trial;
        changed = true;
      }
    }
    if (!changed) unchanged.push_back(probe.path);
  }
  return c;
}

// What goes wrong between `c` and the config read back from the effective config text `text`
// (empty when they agree key for key, bit for bit).
template <class T>
std::string mismatch(const T& c, const std::string& text, const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  const auto file = (dir / "config.yaml").string();
  std::ofstream(file) << text;
  T back;
  try {
    back = cfg::load_config<T>(file);
  } catch (const leap::InputError& e) {
    return std::string("not read back: ") + e.what();
  }
  const auto want = leaves(c), got = leaves(back);
  if (want.size() != got.size()) return "leaf counts differ";
  std::string out;
  for (size_t i = 0; i < want.size(); ++i)
    if (want[i] != got[i])
      out += want[i].first + ": wrote " + want[i].second + ", read " + got[i].second + "\n";
  return out;
}

template <class T>
struct Kind;
#define LEAP_KIND(T, NAME, SEED)              \
  template <>                                 \
  struct Kind<T> {                            \
    static constexpr const char* name = NAME; \
    static constexpr const char* seed = SEED; \
  };
LEAP_KIND(leap::cli::GenerateConfig, "generate", "")
LEAP_KIND(leap::train::AutoencoderTrainConfig, "ae", "")
LEAP_KIND(leap::train::EmulatorTrainConfig, "emulator", "")
LEAP_KIND(leap::train::EvaluateConfig, "evaluate", "")
LEAP_KIND(leap::cli::HybridConfig, "hybrid", "")
LEAP_KIND(leap::cli::StudyConfig, "study", "")
// The runtime's default kind needs checkpoint files; kind none is valid on its own.
LEAP_KIND(leap::plugin::RuntimeConfig, "runtime", "emulator: {kind: none}\n")
LEAP_KIND(leap::euler2d::EulerConfig, "euler2d", "")
LEAP_KIND(leap::rayleigh_benard::RBConfig, "rayleigh_benard", "")
#undef LEAP_KIND

template <class T>
class EffectiveConfig : public ::testing::Test {};
using Kinds = ::testing::Types<leap::cli::GenerateConfig, leap::train::AutoencoderTrainConfig,
                               leap::train::EmulatorTrainConfig, leap::train::EvaluateConfig,
                               leap::cli::HybridConfig, leap::cli::StudyConfig, leap::plugin::RuntimeConfig,
                               leap::euler2d::EulerConfig, leap::rayleigh_benard::RBConfig>;
TYPED_TEST_SUITE(EffectiveConfig, Kinds);

TYPED_TEST(EffectiveConfig, RoundTripsEveryKey) {
  using T = TypeParam;
  const std::string name = Kind<T>::name;
  std::vector<std::string> unchanged;
  const T c = perturbed<T>(Kind<T>::seed, unchanged);
  const auto all = leaves(c);
  std::string kept;
  for (const auto& u : unchanged) kept += " " + u;
  // Most keys take another value; those left (e.g. ones a validation ties to others) are listed.
  EXPECT_GE(double(all.size() - unchanged.size()), 0.7 * double(all.size()))
      << name << ": " << unchanged.size() << " of " << all.size() << " keys left at their default:" << kept;
  std::cout << "[ " << name << " ] " << all.size() - unchanged.size() << " of " << all.size()
            << " keys changed; left at their default:" << (kept.empty() ? " none" : kept) << "\n";

  // The tools write config.yaml with write_effective_config and read it with load_config.
  const auto dir =
      std::filesystem::temp_directory_path() / ("leap_rt_" + name + "_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  cfg::write_effective_config(dir.string(), c);
  std::ifstream in(dir / "config.yaml");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(mismatch(c, text, dir / "again"), "") << "config.yaml:\n" << text;
  const T back = cfg::load_config<T>((dir / "config.yaml").string());
  EXPECT_EQ(cfg::to_yaml(back), text);

  // Every key sits at its own nesting level in the file (a section is a mapping, not a dotted key).
  const YAML::Node root = YAML::Load(text);
  for (const auto& [path, value] : all) {
    if (path.find('[') != std::string::npos || (path.size() > 5 && path.substr(path.size() - 5) == ".size"))
      continue;
    YAML::Node n = root;
    bool found = true;
    std::stringstream parts(path);
    for (std::string part; found && std::getline(parts, part, '.');) {
      found = n.IsMap() && n[part];
      if (found) n.reset(n[part]);
    }
    EXPECT_TRUE(found && (n.IsScalar() || n.IsSequence())) << name << ": no key " << path << " in\n" << text;
  }

  // The check itself sees a writer's faults: a key dropped, a section flattened, digits lost.
  const auto lines = [&] {
    std::vector<std::string> l;
    std::stringstream s(text);
    for (std::string line; std::getline(s, line);) l.push_back(line);
    return l;
  }();
  const auto joined = [](const std::vector<std::string>& l) {
    std::string t;
    for (const auto& x : l) t += x + "\n";
    return t;
  };
  {  // drop a key that is not at its default (a nested one where there is one)
    std::vector<std::string> stack;  // the key path of each line, from its indentation
    long drop = -1;
    for (size_t i = 0; i < lines.size(); ++i) {
      const auto& x = lines[i];
      const size_t indent = x.find_first_not_of(' '), colon = x.find(':');
      if (indent == std::string::npos || x[indent] == '-' || colon == std::string::npos) continue;
      stack.resize(indent / 2);
      stack.push_back(x.substr(indent, colon - indent));
      std::string path;
      for (const auto& k : stack) path += (path.empty() ? "" : ".") + k;
      const bool leaf = colon + 1 < x.size();
      const bool changed = std::find(unchanged.begin(), unchanged.end(), path) == unchanged.end();
      if (leaf && changed && (drop < 0 || (indent > 0 && lines[size_t(drop)][0] != ' '))) drop = long(i);
    }
    ASSERT_GE(drop, 0) << name;
    auto l = lines;
    l.erase(l.begin() + drop);
    EXPECT_NE(mismatch(c, joined(l), dir / "dropped"), "") << name << ": dropped " << lines[size_t(drop)];
  }
  {  // flatten: every nested line moved to the top level
    auto l = lines;
    for (auto& x : l) x.erase(0, std::min(x.size(), x.find_first_not_of(' ')));
    if (joined(l) != text) {
      EXPECT_NE(mismatch(c, joined(l), dir / "flat"), "") << name;
    }
  }
  {  // six significant digits, as printf's %g would write
    const std::regex num("(-?[0-9]+\\.[0-9]{6,}(e[-+]?[0-9]+)?)");
    std::string t, rest = text;
    std::smatch m;
    while (std::regex_search(rest, m, num)) {
      std::array<char, 64> b{};
      std::snprintf(b.data(), b.size(), "%g", std::stod(m.str()));
      t += m.prefix().str() + b.data();
      rest = m.suffix().str();
    }
    t += rest;
    if (t != text) {
      EXPECT_NE(mismatch(c, t, dir / "digits"), "") << name;
    }
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
