// LEAP's YAML writer. Every YAML text LEAP writes (effective configs, stats.yaml, the descriptions
// inside checkpoints) is built as a YamlValue tree and rendered here, in block style with flow
// lists of scalars, deterministically. Numbers are written in their shortest form that reads back
// to the same double; strings are quoted only when a YAML reader would otherwise see something
// else (a number, a boolean, null, an indicator character, surrounding blanks, a line break).
//
// Reading stays with yaml-cpp (YAML::Load); its emitter is not used: one writer whose output is
// under our tests, and no dependence on the emitter of whichever yaml-cpp the process loaded.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace leap::config {

class YamlValue {
 public:
  enum class Kind { scalar, map, seq };

  YamlValue() = default;  // an empty mapping
  static YamlValue map() { return YamlValue(Kind::map); }
  static YamlValue seq(bool flow = false);
  // Scalars. A string is written quoted when it would not read back as that string.
  static YamlValue string(const std::string& s);
  static YamlValue number(double v);
  static YamlValue number(float v);
  static YamlValue integer(int64_t v);
  static YamlValue boolean(bool v);
  static YamlValue null();
  // A scalar written exactly as given (the caller guarantees it is valid plain YAML).
  static YamlValue raw(std::string text);
  // Any yaml-cpp node; scalars keep their text (quoted when they were quoted or must be).
  static YamlValue from_node(const YAML::Node& node);

  // Mapping entries keep their insertion order; a repeated key replaces the earlier value.
  YamlValue& set(const std::string& key, YamlValue value);
  YamlValue& push(YamlValue value);

  Kind kind() const { return kind_; }
  bool flow() const { return flow_; }
  const std::string& text() const { return text_; }
  const std::vector<std::pair<std::string, YamlValue>>& entries() const { return entries_; }
  const std::vector<YamlValue>& items() const { return items_; }

 private:
  explicit YamlValue(Kind k) : kind_(k) {}
  Kind kind_ = Kind::map;
  bool flow_ = false;
  std::string text_;
  std::vector<std::pair<std::string, YamlValue>> entries_;
  std::vector<YamlValue> items_;
};

// Typed scalars for templates (configs): bool, integers, floating point, strings; vectors of them
// become flow lists.
template <class T>
YamlValue yaml_scalar(const T& v) {
  if constexpr (std::is_same_v<T, bool>) {
    return YamlValue::boolean(v);
  } else if constexpr (std::is_integral_v<T>) {
    return YamlValue::integer(int64_t(v));
  } else if constexpr (std::is_floating_point_v<T>) {
    return YamlValue::number(v);
  } else {
    return YamlValue::string(v);
  }
}
template <class T>
YamlValue yaml_list(const std::vector<T>& values) {
  YamlValue s = YamlValue::seq(/*flow=*/true);
  for (const auto& x : values) s.push(yaml_scalar<T>(x));
  return s;
}

// The document text (ends with a newline unless it is a lone scalar).
std::string render_yaml(const YamlValue& value);
// On one line: scalars as they are, collections in flow style ([a, b], {k: v}).
std::string render_yaml_flow(const YamlValue& value);
// A node as YAML text (what YAML::Dump did).
std::string dump_yaml(const YAML::Node& node);

// Shortest decimal text that reads back to exactly v (".inf", "-.inf", ".nan" for non-finite).
std::string format_yaml_double(double v);
// s as a YAML scalar that reads back as the string s: plain when safe, double-quoted otherwise.
std::string quote_yaml_string(const std::string& s);

}  // namespace leap::config
