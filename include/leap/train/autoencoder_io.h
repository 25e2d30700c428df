// A trained autoencoder loaded from its checkpoint, with the normaliser it was trained with.
#pragma once

#include <string>
#include <vector>

#include "leap/data/normalizer.h"
#include "leap/models/dcae.h"
#include "leap/train/checkpoint.h"

namespace leap::train {

struct LoadedAutoencoder {
  models::Autoencoder model{nullptr};
  data::Normalizer normalizer;
  std::vector<std::string> channels;  // physical channel names
  CheckpointInfo info;
};

// InputError for anything that is not an autoencoder checkpoint; the model is in eval mode.
LoadedAutoencoder load_autoencoder(const std::string& path);

}  // namespace leap::train
