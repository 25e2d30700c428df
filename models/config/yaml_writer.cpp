#include "leap/config/yaml_writer.h"

#include <array>
#include <cctype>
#include <charconv>
#include <cmath>

#include "leap/error.h"

namespace leap::config {
namespace {

// Whether a reader would take the plain scalar s for something other than a string: null, a
// boolean (YAML 1.1 words included: yes/no/on/off), or a number as yaml-cpp decodes it (hex and
// octal integers, .inf, .nan). Anything that starts like a number is counted too (1_000, 1:30,
// 0o17 are numbers to some YAML 1.1/1.2 readers): quoting those costs nothing.
bool typed_when_plain(const std::string& s) {
  if (s.empty()) return false;
  if (YAML::IsNullString(s)) return true;
  const YAML::Node n(s);
  bool b = false;
  long long i = 0;
  double d = 0;
  if (YAML::convert<bool>::decode(n, b) || YAML::convert<long long>::decode(n, i) ||
      YAML::convert<double>::decode(n, d))
    return true;
  const auto digit = [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; };
  if (digit(s[0])) return true;
  return s.size() > 1 && (s[0] == '+' || s[0] == '-' || s[0] == '.') &&
         (digit(s[1]) || (s[1] == '.' && s.size() > 2 && digit(s[2])));
}

void emit_text(YAML::Emitter& e, const std::string& text, bool as_string) {
  // The emitter quotes what cannot be plain (indicators, blanks at the ends, line breaks, control
  // characters); a string that plain would read as another type is quoted here.
  if (as_string && typed_when_plain(text)) e << YAML::DoubleQuoted;
  e << text;
}

void emit(YAML::Emitter& e, const YamlValue& v) {
  switch (v.kind()) {
    case YamlValue::Kind::scalar:
      if (v.is_null()) {
        e << YAML::Null;
      } else {
        emit_text(e, v.text(), v.is_string());
      }
      return;
    case YamlValue::Kind::seq:
      if (v.flow() || v.items().empty()) e << YAML::Flow;
      e << YAML::BeginSeq;
      for (const auto& item : v.items()) emit(e, item);
      e << YAML::EndSeq;
      return;
    case YamlValue::Kind::map:
      if (v.entries().empty()) e << YAML::Flow;
      e << YAML::BeginMap;
      for (const auto& [key, child] : v.entries()) {
        e << YAML::Key;
        emit_text(e, key, /*as_string=*/true);
        e << YAML::Value;
        emit(e, child);
      }
      e << YAML::EndMap;
      return;
  }
}

std::string emitted(const YamlValue& v, bool flow) {
  YAML::Emitter e;
  e.SetNullFormat(YAML::LowerNull);
  if (flow) {
    e.SetMapFormat(YAML::Flow);
    e.SetSeqFormat(YAML::Flow);
  }
  emit(e, v);
  if (!e.good()) throw Error("YAML emitter: " + e.GetLastError());
  return e.c_str();
}

bool inline_form(const YamlValue& v) {
  switch (v.kind()) {
    case YamlValue::Kind::scalar:
      return true;
    case YamlValue::Kind::map:
      return v.entries().empty();
    case YamlValue::Kind::seq:
      return v.flow() || v.items().empty();
  }
  return true;
}

}  // namespace

std::string format_yaml_double(double v) {
  if (std::isnan(v)) return ".nan";
  if (std::isinf(v)) return v > 0 ? ".inf" : "-.inf";
  std::array<char, 64> buf{};
  const auto r = std::to_chars(buf.data(), buf.data() + buf.size(), v);
  return std::string(buf.data(), r.ptr);
}

YamlValue YamlValue::seq(bool flow) {
  YamlValue v(Kind::seq);
  v.flow_ = flow;
  return v;
}

YamlValue YamlValue::scalar(std::string text, Scalar type) {
  YamlValue v(Kind::scalar);
  v.text_ = std::move(text);
  v.scalar_ = type;
  return v;
}

YamlValue YamlValue::string(const std::string& s) {
  return scalar(s, Scalar::string);
}
YamlValue YamlValue::number(double x) {
  return scalar(format_yaml_double(x), Scalar::plain);
}
YamlValue YamlValue::number(float x) {
  if (!std::isfinite(x)) return number(double(x));
  std::array<char, 64> buf{};
  const auto r = std::to_chars(buf.data(), buf.data() + buf.size(), x);  // shortest text for a float
  return scalar(std::string(buf.data(), r.ptr), Scalar::plain);
}
YamlValue YamlValue::integer(int64_t x) {
  return scalar(std::to_string(x), Scalar::plain);
}
YamlValue YamlValue::boolean(bool x) {
  return scalar(x ? "true" : "false", Scalar::plain);
}
YamlValue YamlValue::null() {
  return scalar("", Scalar::null);
}

YamlValue YamlValue::from_node(const YAML::Node& node) {
  if (!node || node.IsNull()) return null();
  if (node.IsScalar()) {
    // "!" marks a scalar that was quoted in its source: it stays a string. A plain scalar keeps
    // its text, to be read as whatever it was read as.
    return scalar(node.Scalar(), node.Tag() == "!" ? Scalar::string : Scalar::plain);
  }
  if (node.IsSequence()) {
    YamlValue out = seq(node.Style() == YAML::EmitterStyle::Flow);
    for (const auto& item : node) out.push(from_node(item));
    return out;
  }
  YamlValue out = map();
  for (const auto& kv : node) out.set(kv.first.Scalar(), from_node(kv.second));
  return out;
}

YamlValue& YamlValue::set(const std::string& key, YamlValue value) {
  kind_ = Kind::map;
  for (auto& e : entries_)
    if (e.first == key) {
      e.second = std::move(value);
      return e.second;
    }
  entries_.emplace_back(key, std::move(value));
  return entries_.back().second;
}

YamlValue& YamlValue::push(YamlValue value) {
  items_.push_back(std::move(value));
  return items_.back();
}

std::string render_yaml_flow(const YamlValue& v) {
  return emitted(v, /*flow=*/true);
}

std::string render_yaml(const YamlValue& v) {
  std::string text = emitted(v, /*flow=*/false);
  if (!inline_form(v)) text += "\n";
  return text;
}

std::string dump_yaml(const YAML::Node& node) {
  return render_yaml(YamlValue::from_node(node));
}

}  // namespace leap::config
