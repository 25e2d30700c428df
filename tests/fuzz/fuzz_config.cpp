// libFuzzer harness: the YAML config loader for every config kind the tools read, with `--set`
// overrides. Input: byte 0 chooses the kind (generate, ae, emulator/surrogate, evaluate, hybrid,
// study, runtime, euler2d, rayleigh_benard), the rest is the YAML document, optionally followed by a
// line "@@" and override lines "a.b=c". A refusal must be a leap::Error (InputError: bad input);
// anything else escaping (YAML-cpp's or the standard library's exceptions), a crash, UB or a leak is
// a finding. A config that loads must also survive the tools' round trip: its effective config.yaml
// reads back to the same config (the same text once written again).
#include <cstdint>
#include <string>
#include <vector>

#include "euler2d/euler_config.h"
#include "fuzz_common.h"
#include "generate_config.h"
#include "hybrid_config.h"
#include "leap/config/load.h"
#include "leap/error.h"
#include "leap/plugin/runtime_config.h"
#include "leap/train/autoencoder_training.h"
#include "leap/train/emulator_training.h"
#include "leap/train/evaluation.h"
#include "rb_config.h"
#include "study_config.h"

namespace {

namespace cfg = leap::config;

template <class T>
void load_and_round_trip(const YAML::Node& root) {
  const T c = cfg::parse_config<T>(root, "fuzz.yaml");
  const std::string text = cfg::to_yaml(c);
  T back;
  try {
    back = cfg::parse_config<T>(cfg::load_yaml_text(text, "effective.yaml"), "effective.yaml");
  } catch (const leap::InputError& e) {
    leap::fuzz::fail(std::string("the effective config is not read back: ") + e.what() + "\n" + text);
  }
  const std::string again = cfg::to_yaml(back);
  if (again != text) leap::fuzz::fail("the effective config changes when read back:\n" + text + "---\n" + again);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const int kind = data[0] % 9;
  const auto [doc, sets] =
      leap::fuzz::split_overrides(std::string(reinterpret_cast<const char*>(data) + 1, size - 1), 8);
  try {
    YAML::Node root = cfg::load_yaml_text(doc, "fuzz.yaml");
    cfg::apply_overrides(root, sets, "fuzz.yaml");
    switch (kind) {
      case 0: load_and_round_trip<leap::cli::GenerateConfig>(root); break;
      case 1: load_and_round_trip<leap::train::AutoencoderTrainConfig>(root); break;
      case 2: load_and_round_trip<leap::train::EmulatorTrainConfig>(root); break;
      case 3: load_and_round_trip<leap::train::EvaluateConfig>(root); break;
      case 4: load_and_round_trip<leap::cli::HybridConfig>(root); break;
      case 5: load_and_round_trip<leap::cli::StudyConfig>(root); break;
      case 6: load_and_round_trip<leap::plugin::RuntimeConfig>(root); break;
      case 7: load_and_round_trip<leap::euler2d::EulerConfig>(root); break;
      default: load_and_round_trip<leap::rayleigh_benard::RBConfig>(root); break;
    }
  } catch (const leap::Error&) {
    // A refusal naming the file: what bad input should get.
  }
  return 0;
}
