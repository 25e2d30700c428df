#include "euler2d/euler_config.h"

#include <sstream>
#include <type_traits>

namespace leap::euler2d {
namespace {

template <class T>
std::string describe_value(const T& value) {
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
    } else if constexpr (!std::is_same_v<C, config::NoCheck>) {
      if (!check.ok(value)) throw InputError(source_, path, check.expected, describe_value(value));
    }
  }

 private:
  std::string source_;
  std::string prefix_;
};

}  // namespace

void CheckEulerConfig(const EulerConfig& cfg, const std::string& source) {
  EulerConfig copy = cfg;  // visit() is non-const; the checks only read
  CheckingVisitor checker(source, "");
  copy.visit(checker);
  cfg.validate(source);
}

}  // namespace leap::euler2d
