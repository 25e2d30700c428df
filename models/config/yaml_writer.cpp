#include "leap/config/yaml_writer.h"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <set>

namespace leap::config {
namespace {

// Plain scalars that YAML 1.1/1.2 readers (yaml-cpp among them) resolve to null or a boolean.
bool resolves_to_null_or_bool(const std::string& s) {
  static const std::set<std::string> words = {
      "~",    "null", "Null", "NULL", "y",     "Y",     "yes",   "Yes", "YES", "n",   "N",
      "no",   "No",   "NO",   "true", "True",  "TRUE",  "false", "False", "FALSE", "on", "On",
      "ON",   "off",  "Off",  "OFF"};
  return words.count(s) > 0;
}

// Anything a reader might take for a number: what strtod accepts whole, hex/octal forms and the
// special floats.
bool looks_numeric(const std::string& s) {
  const char* b = s.c_str();
  char* end = nullptr;
  std::strtod(b, &end);
  if (end != b && *end == '\0') return true;
  std::string lower;
  for (char c : s) lower += char(std::tolower(static_cast<unsigned char>(c)));
  if (lower.rfind("0x", 0) == 0 || lower.rfind("0o", 0) == 0) return true;
  for (const char* special : {".inf", "+.inf", "-.inf", ".nan"})
    if (lower == special) return true;
  return false;
}

// Whether s can be written plain and read back as the same text (not judging its type).
bool plain_safe(const std::string& s) {
  if (s.empty()) return false;
  static const std::string first_indicators = "-?:,[]{}#&*!|>'\"%@` \t";
  if (first_indicators.find(s.front()) != std::string::npos) return false;
  if (s.back() == ' ' || s.back() == '\t' || s.back() == ':') return false;
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return false;
    if (c == ',' || c == '[' || c == ']' || c == '{' || c == '}') return false;
  }
  return s.find(": ") == std::string::npos && s.find(" #") == std::string::npos;
}

std::string double_quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (u < 0x20 || u == 0x7f) {
          std::array<char, 8> hex{};
          std::snprintf(hex.data(), hex.size(), "\\x%02x", unsigned(u));
          out += hex.data();
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

bool inline_form(const YamlValue& v) {
  switch (v.kind()) {
    case YamlValue::Kind::scalar: return true;
    case YamlValue::Kind::map: return v.entries().empty();
    case YamlValue::Kind::seq: return v.flow() || v.items().empty();
  }
  return true;
}

void render_block(const YamlValue& v, int indent, std::string& out) {
  const std::string pad(size_t(indent), ' ');
  if (v.kind() == YamlValue::Kind::map) {
    for (const auto& [key, child] : v.entries()) {
      out += pad + quote_yaml_string(key) + ":";
      if (inline_form(child)) {
        out += " " + render_yaml_flow(child) + "\n";
      } else {
        out += "\n";
        render_block(child, indent + 2, out);
      }
    }
  } else {
    for (const auto& item : v.items()) {
      if (inline_form(item)) {
        out += pad + "- " + render_yaml_flow(item) + "\n";
      } else {
        // The item's first line shares the dash's line: "- key: value".
        std::string sub;
        render_block(item, indent + 2, sub);
        sub.replace(0, size_t(indent) + 2, pad + "- ");
        out += sub;
      }
    }
  }
}

}  // namespace

std::string format_yaml_double(double v) {
  if (std::isnan(v)) return ".nan";
  if (std::isinf(v)) return v > 0 ? ".inf" : "-.inf";
  std::array<char, 64> buf{};
  const auto r = std::to_chars(buf.data(), buf.data() + buf.size(), v);
  return std::string(buf.data(), r.ptr);
}

std::string quote_yaml_string(const std::string& s) {
  if (plain_safe(s) && !resolves_to_null_or_bool(s) && !looks_numeric(s)) return s;
  return double_quoted(s);
}

YamlValue YamlValue::seq(bool flow) {
  YamlValue v(Kind::seq);
  v.flow_ = flow;
  return v;
}

YamlValue YamlValue::raw(std::string text) {
  YamlValue v(Kind::scalar);
  v.text_ = std::move(text);
  return v;
}

YamlValue YamlValue::string(const std::string& s) { return raw(quote_yaml_string(s)); }
YamlValue YamlValue::number(double x) { return raw(format_yaml_double(x)); }
YamlValue YamlValue::number(float x) {
  if (!std::isfinite(x)) return raw(format_yaml_double(double(x)));
  std::array<char, 64> buf{};
  const auto r = std::to_chars(buf.data(), buf.data() + buf.size(), x);
  return raw(std::string(buf.data(), r.ptr));
}
YamlValue YamlValue::integer(int64_t x) { return raw(std::to_string(x)); }
YamlValue YamlValue::boolean(bool x) { return raw(x ? "true" : "false"); }
YamlValue YamlValue::null() { return raw("null"); }

YamlValue YamlValue::from_node(const YAML::Node& node) {
  if (!node || node.IsNull()) return null();
  if (node.IsScalar()) {
    const std::string& s = node.Scalar();
    // "!" marks a scalar that was quoted in its source: keep it a string.
    if (node.Tag() == "!") return string(s);
    return plain_safe(s) ? raw(s) : raw(double_quoted(s));
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
  switch (v.kind()) {
    case YamlValue::Kind::scalar: return v.text();
    case YamlValue::Kind::seq: {
      std::string out = "[";
      for (size_t i = 0; i < v.items().size(); ++i) out += (i ? ", " : "") + render_yaml_flow(v.items()[i]);
      return out + "]";
    }
    case YamlValue::Kind::map: {
      std::string out = "{";
      bool first = true;
      for (const auto& [key, child] : v.entries()) {
        out += (first ? "" : ", ") + quote_yaml_string(key) + ": " + render_yaml_flow(child);
        first = false;
      }
      return out + "}";
    }
  }
  return {};
}

std::string render_yaml(const YamlValue& v) {
  if (inline_form(v)) return render_yaml_flow(v);
  std::string out;
  render_block(v, 0, out);
  return out;
}

std::string dump_yaml(const YAML::Node& node) { return render_yaml(YamlValue::from_node(node)); }

}  // namespace leap::config
