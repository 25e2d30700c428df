#include "leap/train/autoencoder_io.h"

#include "leap/config/load.h"
#include "leap/train/model_io.h"

namespace leap::train {

LoadedAutoencoder load_autoencoder(const std::string& path) {
  LoadedAutoencoder out;
  out.info = read_checkpoint_info(path, "autoencoder");
  const auto cfg =
      config::parse_config<models::AutoencoderConfig>(YAML::Load(out.info.model_yaml), path + " (model)");
  out.model = models::Autoencoder(cfg);
  load_checkpoint(path, *out.model, nullptr, nullptr, /*use_ema=*/true, /*restore_rng=*/false);
  out.model->eval();
  out.normalizer = normalizer_from_yaml(extra_field(out.info.extra, "normalizer", path), path);
  out.channels = list_from_yaml(extra_field(out.info.extra, "channels", path));
  return out;
}

}  // namespace leap::train
