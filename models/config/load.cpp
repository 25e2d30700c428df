#include "leap/config/load.h"

#include <filesystem>
#include <fstream>

#include "leap/util/atomic_file.h"

namespace leap::config {
namespace {

YAML::Node as_root(YAML::Node n, const std::string& name) {
  if (!n || n.IsNull()) return YAML::Node(YAML::NodeType::Map);
  if (!n.IsMap()) throw InputError(name, "(top level)", "a mapping of keys", describe_node(n));
  return n;
}

}  // namespace

YAML::Node load_yaml_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError(path + ": cannot read the config file (missing or unreadable)");
  try {
    YAML::Node root = YAML::Load(in);
    // A file without keys (nothing, blanks, comments; or a null document such as "---" or "~") is
    // refused: more likely a mistake than a wish for the defaults, which naming no config gives.
    if (!root || root.IsNull())
      throw InputError(path, "(top level)", "a mapping of keys",
                       std::string(!root || root.Mark().is_null() ? "an empty file (only blanks or comments)"
                                                                  : "an empty document (null)") +
                           "; to run with the defaults, name no config file");
    return as_root(root, path);
  } catch (const YAML::Exception& e) {
    throw InputError(path + ": not valid YAML at line " + std::to_string(e.mark.line + 1) + ", column " +
                     std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
}

YAML::Node load_yaml_text(const std::string& text, const std::string& name) {
  try {
    return as_root(YAML::Load(text), name);
  } catch (const YAML::Exception& e) {
    throw InputError(name + ": not valid YAML at line " + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
}

void apply_overrides(YAML::Node& root, const std::vector<std::string>& sets, const std::string& file) {
  for (const auto& s : sets) {
    const auto eq = s.find('=');
    if (eq == std::string::npos || eq == 0)
      throw InputError("--set " + s + ": expected key.path=value, found no '='");
    const std::string path = s.substr(0, eq);
    const std::string text = s.substr(eq + 1);
    YAML::Node value;
    try {
      value = YAML::Load(text);
    } catch (const YAML::Exception& e) {
      throw InputError("--set " + s + ": the value is not valid YAML: " + e.msg);
    }
    if (!value) value = YAML::Node(text);
    // Walk the path with fresh handles (YAML::Node assignment would alias, not descend).
    std::vector<std::string> parts;
    size_t start = 0;
    while (true) {
      const auto dot = path.find('.', start);
      parts.push_back(path.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
      if (dot == std::string::npos) break;
      start = dot + 1;
    }
    std::vector<YAML::Node> chain{root};
    for (size_t i = 0; i + 1 < parts.size(); ++i) {
      if (parts[i].empty()) throw InputError("--set " + s + ": empty key in '" + path + "'");
      YAML::Node next = chain.back()[parts[i]];
      if (!next || next.IsNull()) {
        chain.back()[parts[i]] = YAML::Node(YAML::NodeType::Map);
        next = chain.back()[parts[i]];
      } else if (!next.IsMap()) {
        throw InputError(file, path, "'" + parts[i] + "' to be a section", describe_node(next));
      }
      chain.push_back(next);
    }
    chain.back()[parts.back()] = value;
  }
}

void write_effective_config(const std::string& dir, const std::string& yaml_text) {
  util::write_file_atomic((std::filesystem::path(dir) / "config.yaml").string(), yaml_text);
}

}  // namespace leap::config
