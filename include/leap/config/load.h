// Loading a typed config from YAML: file or embedded text, `--set a.b=c` overrides, the effective
// config written beside the outputs, and the documentation of every key.
#pragma once

#include <string>
#include <vector>

#include "leap/config/schema.h"

namespace leap::config {

// Reads a YAML file; a missing, unreadable or malformed file is an InputError naming it.
YAML::Node load_yaml_file(const std::string& path);
// Parses YAML text (an embedded default config); `name` stands for the file in messages.
YAML::Node load_yaml_text(const std::string& text, const std::string& name);
// Applies overrides "a.b.c=value" (value parsed as YAML) to the tree, creating sections as needed.
// A malformed override is an InputError; an override naming an unknown key is refused when read.
void apply_overrides(YAML::Node& root, const std::vector<std::string>& sets, const std::string& file);

// `prefix` is the key path of `root` inside its file (for messages), empty at the top level.
template <class T>
T parse_config(const YAML::Node& root, const std::string& file, const std::string& prefix = "") {
  T cfg{};
  ConfigReader reader(file, root, prefix);
  reader.read_section(root, prefix, cfg);  // validates every section, this one included
  return cfg;
}

template <class T>
T load_config(const std::string& path, const std::vector<std::string>& sets = {}) {
  YAML::Node root = load_yaml_file(path);
  apply_overrides(root, sets, path);
  return parse_config<T>(root, path);
}

template <class T>
std::string to_yaml(const T& cfg) {
  std::string text = render_yaml(ConfigWriter::section(cfg));
  if (text.empty() || text.back() != '\n') text += "\n";
  return text;
}

// A section re-read with overrides applied (e.g. one point of a parameter sweep), validated as if
// the file had said so; messages name `file` and the key under `prefix`.
template <class T>
T with_overrides(const T& base, const std::vector<std::string>& sets, const std::string& file,
                 const std::string& prefix) {
  YAML::Node node = YAML::Load(to_yaml(base));
  apply_overrides(node, sets, file);
  return parse_config<T>(node, file, prefix);
}

template <class T>
std::vector<std::string> document() {
  std::vector<std::string> lines;
  T cfg;  // every config member has its default initialiser
  ConfigDocumenter doc(lines);
  cfg.visit(doc);
  return lines;
}

// Writes DIR/config.yaml (atomically) holding the effective config.
void write_effective_config(const std::string& dir, const std::string& yaml_text);
template <class T>
void write_effective_config(const std::string& dir, const T& cfg) {
  write_effective_config(dir, to_yaml(cfg));
}

}  // namespace leap::config
