// LEAP's YAML writer. Every YAML text LEAP writes (effective configs, stats.yaml, the descriptions
// inside checkpoints) is built as a YamlValue tree and emitted by yaml-cpp's YAML::Emitter, in block
// style with flow lists of scalars, deterministically. A YamlValue knows what its scalars are (a
// string, a number, a boolean, null), which a YAML::Node does not: a string that plain YAML would
// read as a number, a boolean or null is written double-quoted, and numbers are written in their
// shortest decimal form that reads back to exactly the same double (0.1, not 0.10000000000000001).
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
  // Any yaml-cpp node; scalars keep their text (quoted when they were quoted or must be).
  static YamlValue from_node(const YAML::Node& node);

  // Mapping entries keep their insertion order; a repeated key replaces the earlier value.
  YamlValue& set(const std::string& key, YamlValue value);
  YamlValue& push(YamlValue value);

  Kind kind() const { return kind_; }
  bool flow() const { return flow_; }
  // A scalar's text (a number's decimal form, a string's characters unquoted; empty for null).
  const std::string& text() const { return text_; }
  bool is_string() const { return kind_ == Kind::scalar && scalar_ == Scalar::string; }
  bool is_null() const { return kind_ == Kind::scalar && scalar_ == Scalar::null; }
  const std::vector<std::pair<std::string, YamlValue>>& entries() const { return entries_; }
  const std::vector<YamlValue>& items() const { return items_; }

 private:
  // plain: a number, boolean or a plain scalar of a source node, written as its text.
  enum class Scalar { plain, string, null };
  explicit YamlValue(Kind k) : kind_(k) {}
  static YamlValue scalar(std::string text, Scalar type);
  Kind kind_ = Kind::map;
  Scalar scalar_ = Scalar::plain;
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

// The document text (ends with a newline unless it is one line: a scalar, a flow or empty list, an
// empty mapping).
std::string render_yaml(const YamlValue& value);
// On one line: scalars as they are, collections in flow style ([a, b], {k: v}).
std::string render_yaml_flow(const YamlValue& value);
// A node as YAML text (what YAML::Dump did, keeping quoted scalars quoted).
std::string dump_yaml(const YAML::Node& node);

// Shortest decimal text that reads back to exactly v (".inf", "-.inf", ".nan" for non-finite).
std::string format_yaml_double(double v);

}  // namespace leap::config
