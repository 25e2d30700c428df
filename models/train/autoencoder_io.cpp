#include "leap/train/autoencoder_io.h"

#include "leap/config/load.h"
#include "leap/error.h"
#include "leap/train/model_io.h"

namespace leap::train {

LoadedAutoencoder load_autoencoder(const std::string& path) {
  LoadedAutoencoder out;
  out.info = read_checkpoint_info(path, "autoencoder");
  YAML::Node arch;
  try {
    arch = YAML::Load(out.info.model_yaml);
  } catch (const YAML::Exception& e) {
    throw InputError(path + ": the model description is not YAML (" + std::string(e.what()) + ")");
  }
  const auto cfg = config::parse_config<models::AutoencoderConfig>(arch, path + " (model)");
  out.model = models::Autoencoder(cfg);
  load_checkpoint(path, *out.model, nullptr, nullptr, /*use_ema=*/true, /*restore_rng=*/false);
  out.model->eval();
  out.normalizer = normalizer_from_yaml(extra_field(out.info.extra, "normalizer", path), path);
  out.channels = list_from_yaml(extra_field(out.info.extra, "channels", path), path);
  return out;
}

}  // namespace leap::train
