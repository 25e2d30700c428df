#include "leap/config/schema.h"

namespace leap::config {

std::string describe_node(const YAML::Node& node) {
  if (!node || node.IsNull()) return "nothing (null)";
  if (node.IsScalar()) return "'" + node.Scalar() + "'";
  if (node.IsSequence()) return "a list of " + std::to_string(node.size()) + " items";
  if (node.IsMap()) return "a mapping";
  return "an unreadable value";
}

std::string join_path(const std::string& prefix, const std::string& key) {
  return prefix.empty() ? key : prefix + "." + key;
}

void ConfigReader::reject_unknown() const {
  if (!node_ || !node_.IsMap()) return;
  for (const auto& kv : node_) {
    // A key that is a list or a mapping (YAML's "? ..." form) names no key of any section.
    if (!kv.first.IsScalar() && !kv.first.IsNull())
      throw InputError(file_, prefix_.empty() ? "(top level)" : prefix_, "keys that are names",
                       "a key that is " + describe_node(kv.first));
    const std::string key = kv.first.as<std::string>();
    if (seen_.count(key)) continue;
    std::string expected = "one of:";
    for (const auto& k : seen_) expected += " " + k;
    if (seen_.empty()) expected = "no keys here";
    throw InputError(file_ + ": unknown key '" + join_path(prefix_, key) + "' (expected " + expected + ")");
  }
}

}  // namespace leap::config
