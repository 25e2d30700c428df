#include "leap/train/model_io.h"

#include <yaml-cpp/yaml.h>

#include "leap/config/yaml_writer.h"
#include "leap/error.h"

namespace leap::train {

std::string normalizer_to_yaml(const data::Normalizer& n) {
  config::YamlValue v = config::YamlValue::map();
  v.set("mean", config::yaml_list(n.mean));
  v.set("std", config::yaml_list(n.std));
  config::YamlValue log = config::YamlValue::seq(/*flow=*/true);
  for (bool b : n.log) log.push(config::YamlValue::boolean(b));
  v.set("log", std::move(log));
  if (n.spatial_dims != 2) v.set("spatial_dims", config::YamlValue::integer(n.spatial_dims));
  return config::render_yaml(v);
}

data::Normalizer normalizer_from_yaml(const std::string& text, const std::string& source) {
  try {
    YAML::Node y = YAML::Load(text);
    data::Normalizer n;
    n.mean = y["mean"].as<std::vector<double>>();
    n.std = y["std"].as<std::vector<double>>();
    for (const auto& b : y["log"]) n.log.push_back(b.as<bool>());
    if (y["spatial_dims"]) n.spatial_dims = y["spatial_dims"].as<int>();  // 2 when absent (2-D checkpoints)
    if (n.mean.size() != n.std.size() || n.mean.size() != n.log.size()) throw YAML::Exception({}, "sizes");
    if (n.spatial_dims != 2 && n.spatial_dims != 3) throw YAML::Exception({}, "spatial_dims");
    return n;
  } catch (const YAML::Exception&) {
    throw InputError(source + ": malformed normaliser in the checkpoint");
  }
}

std::string list_to_yaml(const std::vector<std::string>& v) {
  return config::render_yaml(config::yaml_list(v));
}

std::vector<std::string> list_from_yaml(const std::string& text, const std::string& source) {
  try {
    return YAML::Load(text).as<std::vector<std::string>>();
  } catch (const YAML::Exception&) {
    throw InputError(source + ": malformed list of names in the checkpoint: " + text.substr(0, 80));
  }
}

const std::string& extra_field(const std::map<std::string, std::string>& extra, const std::string& key,
                               const std::string& path) {
  auto it = extra.find(key);
  if (it == extra.end()) throw InputError(path + ": the checkpoint lacks '" + key + "'");
  return it->second;
}

}  // namespace leap::train
