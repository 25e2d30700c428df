// Applies every check of a config struct's visit() and the validate() of it and its sections
// (leap/config/schema.h) to a config filled in code, as reading it from YAML would: the first failure throws
// leap::InputError naming the key, with `source` as the file.
#pragma once

#include <sstream>
#include <string>
#include <type_traits>
#include <utility>

#include "leap/config/schema.h"
#include "leap/error.h"

namespace leap::euler {
namespace detail {

template <class T>
std::string DescribeValue(const T& value) {
  if constexpr (std::is_same_v<T, std::string>) {
    return "'" + value + "'";
  } else if constexpr (std::is_arithmetic_v<T>) {
    std::ostringstream s;
    s << value;
    return s.str();
  } else {
    return "a value";
  }
}

// Applies the checks named in visit() to values already in memory.
class CheckingVisitor {
 public:
  CheckingVisitor(std::string source, std::string prefix)
      : source_(std::move(source)), prefix_(std::move(prefix)) {}

  template <class T, class C = config::NoCheck>
  void operator()(const char* key, T& value, const char* /*doc*/, const C& check = C{}) {
    const std::string path = config::join_path(prefix_, key);
    if constexpr (config::is_section<T>::value) {
      CheckingVisitor sub(source_, path);
      value.visit(sub);
      if constexpr (config::has_validate_prefix<T>::value)
        value.validate(source_, path);
      else if constexpr (config::has_validate<T>::value)
        value.validate(source_);
    } else if constexpr (!std::is_same_v<C, config::NoCheck>) {
      if (!check.ok(value)) throw InputError(source_, path, check.expected, DescribeValue(value));
    }
  }

 private:
  std::string source_;
  std::string prefix_;
};

}  // namespace detail

template <class Config>
void CheckConfig(const Config& cfg, const std::string& source) {
  Config copy = cfg;  // visit() is non-const; the checks only read
  detail::CheckingVisitor checker(source, "");
  copy.visit(checker);
  if constexpr (config::has_validate<Config>::value) cfg.validate(source);
}

}  // namespace leap::euler
