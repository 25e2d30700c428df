// What a checkpoint must carry besides weights for a model to be used on its own: the data
// normaliser and the names of the channels and of the conditioning vector.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "leap/data/normalizer.h"

namespace leap::train {

std::string normalizer_to_yaml(const data::Normalizer& n);
data::Normalizer normalizer_from_yaml(const std::string& text, const std::string& source);
std::string list_to_yaml(const std::vector<std::string>& v);
// InputError naming `source` (the checkpoint) when `text` is not a YAML list of strings.
std::vector<std::string> list_from_yaml(const std::string& text, const std::string& source = "checkpoint");
// Reads extra[key] or throws InputError naming `path` and the key.
const std::string& extra_field(const std::map<std::string, std::string>& extra, const std::string& key,
                               const std::string& path);

}  // namespace leap::train
