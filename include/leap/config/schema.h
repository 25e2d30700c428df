// Typed configuration: a config is a plain struct that lists its keys once, in a visit() member,
//
//   struct SolverConfig {
//     double gamma = 1.4;
//     std::string boundary = "periodic";
//     template <class V> void visit(V& v) {
//       v("gamma", gamma, "ratio of specific heats", greater_than(1.0));
//       v("boundary", boundary, "periodic or open", one_of({"periodic", "open"}));
//     }
//   };
//
// and the same list serves to read YAML (ConfigReader: unknown keys, wrong types and out-of-range
// values refused with the key's path), to write the effective config (ConfigWriter) and to document
// every key (ConfigDocumenter). Nested sections are members that have a visit() of their own.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <set>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include "leap/config/yaml_writer.h"
#include "leap/error.h"

namespace leap::config {

// A constraint on a value: what is expected (for messages and docs) and a predicate.
template <class T>
struct Check {
  std::string expected;
  std::function<bool(const T&)> ok;
};

struct NoCheck {};

inline std::string format_number(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

template <class T = double>
Check<T> greater_than(T lo) {
  return {"a value > " + format_number(double(lo)), [lo](const T& v) { return v > lo; }};
}
template <class T = double>
Check<T> at_least(T lo) {
  return {"a value >= " + format_number(double(lo)), [lo](const T& v) { return v >= lo; }};
}
template <class T = double>
Check<T> in_range(T lo, T hi) {
  return {"a value in [" + format_number(double(lo)) + ", " + format_number(double(hi)) + "]",
          [lo, hi](const T& v) { return v >= lo && v <= hi; }};
}
inline Check<std::string> one_of(std::initializer_list<const char*> options) {
  std::vector<std::string> opts(options.begin(), options.end());
  std::string expected = "one of";
  for (size_t i = 0; i < opts.size(); ++i) expected += (i ? ", " : " ") + opts[i];
  return {expected, [opts](const std::string& v) {
            for (const auto& o : opts)
              if (o == v) return true;
            return false;
          }};
}
// Every element of a list satisfies the element check.
template <class T>
Check<std::vector<T>> each(Check<T> c) {
  return {"a list of " + c.expected,
          [c](const std::vector<T>& v) {
            for (const auto& x : v)
              if (!c.ok(x)) return false;
            return true;
          }};
}
template <class T>
Check<std::vector<T>> non_empty_list() {
  return {"a non-empty list", [](const std::vector<T>& v) { return !v.empty(); }};
}

// Detects config sections (types with a visit member template).
template <class T, class = void>
struct is_section : std::false_type {};
struct DetectVisitor {
  template <class... A>
  void operator()(A&&...) {}
  template <class... A>
  void section(A&&...) {}
};
template <class T>
struct is_section<T, std::void_t<decltype(std::declval<T&>().visit(std::declval<DetectVisitor&>()))>>
    : std::true_type {};

// Sections may check relations between keys after reading, with either signature
//   void validate(const std::string& file) const
//   void validate(const std::string& file, const std::string& prefix) const   (prefix: the key path)
// ConfigReader calls it on every section it reads, nested ones included.
template <class T, class = void>
struct has_validate : std::false_type {};
template <class T>
struct has_validate<T, std::void_t<decltype(std::declval<const T&>().validate(std::string()))>>
    : std::true_type {};
template <class T, class = void>
struct has_validate_prefix : std::false_type {};
template <class T>
struct has_validate_prefix<
    T, std::void_t<decltype(std::declval<const T&>().validate(std::string(), std::string()))>>
    : std::true_type {};

template <class T>
struct is_vector : std::false_type {};
template <class T>
struct is_vector<std::vector<T>> : std::true_type {};

// Name of a value type, as a user reads it in a message.
template <class T>
std::string type_name() {
  if constexpr (std::is_same_v<T, bool>) {
    return "a boolean (true/false)";
  } else if constexpr (std::is_integral_v<T>) {
    return "an integer";
  } else if constexpr (std::is_floating_point_v<T>) {
    return "a number";
  } else if constexpr (std::is_same_v<T, std::string>) {
    return "a string";
  } else if constexpr (is_vector<T>::value) {
    std::string element = type_name<typename T::value_type>();
    element = element.substr(element.find(' ') + 1);  // drop the article
    return "a list of " + element.substr(0, element.find(' ')) + "s";
  } else {
    return "a mapping";
  }
}

// How a YAML node reads in a message ("found ...").
std::string describe_node(const YAML::Node& node);
std::string join_path(const std::string& prefix, const std::string& key);

// ---------------------------------------------------------------- reading
class ConfigReader {
 public:
  ConfigReader(std::string file, YAML::Node node, std::string prefix = "")
      : file_(std::move(file)), node_(std::move(node)), prefix_(std::move(prefix)) {}

  template <class T, class C = NoCheck>
  void operator()(const char* key, T& value, const char* /*doc*/, const C& check = C{}) {
    seen_.insert(key);
    if (!node_.IsMap()) return;
    YAML::Node child = node_[key];
    if (!child) return;  // absent: keep the default
    const std::string path = join_path(prefix_, key);
    if constexpr (is_section<T>::value) {
      if (!child.IsMap() && !child.IsNull())
        throw InputError(file_, path, "a mapping (a section of keys)", describe_node(child));
      read_section(child, path, value);
    } else {
      value = convert<T>(child, path);
      if constexpr (!std::is_same_v<C, NoCheck>) {
        if (!check.ok(value)) throw InputError(file_, path, check.expected, describe_node(child));
      }
    }
  }
  // Lists of sections: each element is a mapping read with T::visit.
  template <class T>
  void list(const char* key, std::vector<T>& values, const char* /*doc*/) {
    seen_.insert(key);
    if (!node_.IsMap()) return;
    YAML::Node child = node_[key];
    if (!child) return;
    const std::string path = join_path(prefix_, key);
    if (!child.IsSequence()) throw InputError(file_, path, "a list of mappings", describe_node(child));
    values.clear();
    for (size_t i = 0; i < child.size(); ++i) {
      T item{};
      read_section(child[i], path + "[" + std::to_string(i) + "]", item);
      values.push_back(std::move(item));
    }
  }

  // Refuses keys present in the YAML that visit() did not name.
  void reject_unknown() const;

  template <class T>
  void read_section(const YAML::Node& node, const std::string& path, T& value) {
    if (node && !node.IsNull() && !node.IsMap())
      throw InputError(file_, path.empty() ? "(top level)" : path, "a mapping", describe_node(node));
    ConfigReader sub(file_, node, path);
    value.visit(sub);
    sub.reject_unknown();
    if constexpr (has_validate_prefix<T>::value) {
      value.validate(file_, path);
    } else if constexpr (has_validate<T>::value) {
      value.validate(file_);
    }
  }

 private:
  template <class T>
  T convert(const YAML::Node& n, const std::string& path) {
    if constexpr (is_vector<T>::value) {
      using E = typename T::value_type;
      if (!n.IsSequence()) throw InputError(file_, path, type_name<T>(), describe_node(n));
      T out;
      for (size_t i = 0; i < n.size(); ++i) out.push_back(convert<E>(n[i], path + "[" + std::to_string(i) + "]"));
      return out;
    } else {
      if (!n.IsScalar()) throw InputError(file_, path, type_name<T>(), describe_node(n));
      if constexpr (std::is_same_v<T, std::string>) {
        return n.Scalar();
      } else {
        T out{};
        if (!YAML::convert<T>::decode(n, out)) throw InputError(file_, path, type_name<T>(), describe_node(n));
        return out;
      }
    }
  }

  std::string file_;
  YAML::Node node_;
  std::string prefix_;
  std::set<std::string> seen_;
};

// ---------------------------------------------------------------- writing
class ConfigWriter {
 public:
  explicit ConfigWriter(YamlValue& out) : out_(out) {}
  template <class T, class C = NoCheck>
  void operator()(const char* key, const T& value, const char* /*doc*/, const C& = C{}) {
    if constexpr (is_section<T>::value) {
      out_.set(key, section(value));
    } else if constexpr (is_vector<T>::value) {
      out_.set(key, yaml_list(value));
    } else {
      out_.set(key, yaml_scalar(value));
    }
  }
  template <class T>
  void list(const char* key, const std::vector<T>& values, const char*) {
    YamlValue s = YamlValue::seq();
    for (const auto& v : values) s.push(section(v));
    out_.set(key, std::move(s));
  }
  template <class T>
  static YamlValue section(const T& value) {
    YamlValue m = YamlValue::map();
    ConfigWriter sub(m);
    const_cast<T&>(value).visit(sub);  // visit() only reads through a writer
    return m;
  }

 private:
  YamlValue& out_;
};

// ---------------------------------------------------------------- documenting
// One line per key: "path: type, default DEFAULT (CONSTRAINT): doc".
class ConfigDocumenter {
 public:
  explicit ConfigDocumenter(std::vector<std::string>& lines, std::string prefix = "")
      : lines_(lines), prefix_(std::move(prefix)) {}
  template <class T, class C = NoCheck>
  void operator()(const char* key, T& value, const char* doc, const C& check = C{}) {
    const std::string path = join_path(prefix_, key);
    if constexpr (is_section<T>::value) {
      lines_.push_back(path + ": section -- " + doc);
      ConfigDocumenter sub(lines_, path);
      value.visit(sub);
    } else {
      const YamlValue v = [&] {
        if constexpr (is_vector<T>::value) {
          return yaml_list(value);
        } else {
          return yaml_scalar(value);
        }
      }();
      std::string line = path + ": " + type_name<T>() + ", default " + render_yaml_flow(v);
      if constexpr (!std::is_same_v<C, NoCheck>) line += " (" + check.expected + ")";
      lines_.push_back(line + " -- " + doc);
    }
  }
  template <class T>
  void list(const char* key, std::vector<T>& values, const char* doc) {
    const std::string path = join_path(prefix_, key) + "[]";
    lines_.push_back(path + ": list of sections -- " + doc);
    T item{};
    ConfigDocumenter sub(lines_, path);
    item.visit(sub);
  }

 private:
  std::vector<std::string>& lines_;
  std::string prefix_;
};

}  // namespace leap::config
