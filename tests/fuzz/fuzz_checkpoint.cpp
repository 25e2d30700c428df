// libFuzzer harness: the checkpoint loader (leap/train/checkpoint.h) as the tools use it:
// read_checkpoint_info, then the model built from the checkpoint's own description and its weights
// loaded (load_autoencoder / load_emulator), and the comparison `leap train --resume` makes of the
// model description with itself. Byte 0 chooses how the input makes the file:
//  - even: the rest of the input is the file (a LibTorch archive, mutated byte by byte);
//  - odd: a well-formed archive is written from the input, so that LEAP's own reading of its
//    fields is what gets fuzzed: byte 1 holds flags (bit 0: a wrong magic; bits 1-2: the types
//    of epoch/step/best: as LEAP writes them, all double, all string, or absent; bit 3: no `extra`;
//    bit 4: a `model` archive), then the parts kind, model_yaml, extra, config_yaml, weights (lines
//    "name:length"), separated by lines "@@".
// A refusal must be a leap::Error (InputError naming the file); anything else escaping (c10::Error,
// YAML-cpp's or the standard library's exceptions), a crash, UB or a leak is a finding.
#include <ATen/ATen.h>
#include <torch/serialize/archive.h>

#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_common.h"
#include "leap/error.h"
#include "leap/train/autoencoder_io.h"
#include "leap/train/checkpoint.h"
#include "leap/train/emulator_io.h"

namespace {

const leap::fuzz::ScratchFile& scratch() {
  static const leap::fuzz::ScratchFile file(".pt");
  return file;
}

std::vector<std::string> split_parts(const std::string& text) {
  std::vector<std::string> parts;
  const std::string sep = "\n@@\n";
  size_t pos = 0;
  for (;;) {
    const size_t at = text.find(sep, pos);
    parts.push_back(text.substr(pos, at == std::string::npos ? std::string::npos : at - pos));
    if (at == std::string::npos) break;
    pos = at + sep.size();
  }
  parts.resize(std::max<size_t>(parts.size(), 5));
  return parts;
}

// type 0: as LEAP writes them (epoch and step ints, best a double); 1: all doubles; 2: strings.
c10::IValue number(int type, double v, bool integer) {
  if (type == 0 && integer) return c10::IValue(int64_t(v));
  if (type <= 1) return c10::IValue(v);
  return c10::IValue(std::string("not a number"));
}

// A well-formed archive holding the fields the input gives.
void write_structured(const std::string& path, leap::fuzz::Bytes& in) {
  const uint8_t flags = in.u8();
  const auto parts = split_parts(in.rest());
  torch::serialize::OutputArchive a;
  a.write("magic", c10::IValue(std::string(flags & 1 ? "leap-checkpoint-v0" : "leap-checkpoint-v1")));
  a.write("kind", c10::IValue(parts[0]));
  a.write("model_yaml", c10::IValue(parts[1]));
  if (!(flags & 8)) a.write("extra", c10::IValue(parts[2]));
  a.write("config_yaml", c10::IValue(parts[3]));
  const int type = (flags >> 1) & 3;
  if (type != 3) {
    a.write("epoch", number(type, 3, true));
    a.write("step", number(type, 30, true));
    a.write("best", number(type, 0.5, false));
  }
  if (flags & 16) {
    torch::serialize::OutputArchive weights;
    size_t pos = 0;
    const std::string& spec = parts[4];
    for (int n = 0; n < 64 && pos < spec.size(); ++n) {
      size_t end = spec.find('\n', pos);
      if (end == std::string::npos) end = spec.size();
      const std::string line = spec.substr(pos, end - pos);
      pos = end + 1;
      const size_t colon = line.rfind(':');
      if (colon == std::string::npos) continue;
      int64_t len = 0;
      for (char c : line.substr(colon + 1))
        if (c >= '0' && c <= '9' && len < 100000) len = len * 10 + (c - '0');
      weights.write(line.substr(0, colon), at::zeros({len}));
    }
    a.write("model", weights);
  }
  a.save_to(path);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  at::set_num_threads(1);
  at::set_num_interop_threads(1);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string& path = scratch().path();
  leap::fuzz::Bytes in(data + 1, size - 1);
  if (data[0] % 2 == 0) {
    scratch().write(data + 1, size - 1);
  } else {
    write_structured(path, in);
  }
  try {
    const auto info = leap::train::read_checkpoint_info(path);
    // `leap train --resume` compares the checkpoint's model with the config's: a description is
    // the same as itself unless it is not YAML at all (which the comparison says, not throws).
    const std::string self = leap::train::yaml_difference(info.model_yaml, info.model_yaml);
    if (!self.empty() && self.rfind("not YAML", 0) != 0)
      leap::fuzz::fail("a model description differs from itself: " + self);
    if (info.kind == "autoencoder")
      (void)leap::train::load_autoencoder(path);
    else
      (void)leap::train::load_emulator(path);
  } catch (const leap::Error&) {
    // A refusal naming the file.
  }
  return 0;
}
