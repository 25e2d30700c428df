#include "leap/train/checkpoint.h"

#include <c10/core/GradMode.h>
#include <ATen/ATen.h>
#include <torch/cuda.h>
#include <torch/nn/module.h>
#include <torch/optim/optimizer.h>
#include <torch/serialize/archive.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <mutex>

#include "leap/config/yaml_writer.h"
#include "leap/error.h"
#include "leap/util/atomic_file.h"

namespace leap::train {

namespace {

constexpr const char* kMagic = "leap-checkpoint-v1";

void write_string(torch::serialize::OutputArchive& a, const std::string& key, const std::string& value) {
  a.write(key, c10::IValue(value));
}

std::string read_string(torch::serialize::InputArchive& a, const std::string& key, const std::string& path) {
  c10::IValue v;
  if (!a.try_read(key, v) || !v.isString()) throw InputError(path + ": not a LEAP checkpoint (no '" + key + "')");
  return v.toStringRef();
}

torch::serialize::InputArchive open_archive(const std::string& path) {
  if (!std::filesystem::exists(path)) throw InputError(path + ": no such checkpoint");
  torch::serialize::InputArchive a;
  try {
    a.load_from(path, at::Device(at::kCPU));  // a checkpoint of a GPU run opens anywhere
  } catch (const std::exception& e) {
    throw InputError(path + ": not a LEAP checkpoint, or truncated/corrupted (" +
                     std::string(e.what()).substr(0, std::string(e.what()).find('\n')) + ")");
  }
  return a;
}

// The default generator of every visible CUDA device (none where LibTorch has no CUDA or sees no
// GPU); its state is saved as "rng_cudaN" beside the CPU generator's "rng".
std::vector<std::pair<std::string, at::Generator>> cuda_generators() {
  std::vector<std::pair<std::string, at::Generator>> g;
  if (!torch::cuda::is_available()) return g;
  const int64_t n = int64_t(torch::cuda::device_count());
  for (int64_t i = 0; i < n; ++i)
    g.emplace_back("rng_cuda" + std::to_string(i),
                   at::globalContext().defaultGenerator(c10::Device(c10::DeviceType::CUDA, c10::DeviceIndex(i))));
  return g;
}

}  // namespace

void save_checkpoint(const std::string& path, torch::nn::Module& model, torch::optim::Optimizer* optimizer,
                     const std::vector<at::Tensor>& ema, const CheckpointInfo& info) {
  torch::serialize::OutputArchive a;
  write_string(a, "magic", kMagic);
  write_string(a, "kind", info.kind);
  write_string(a, "model_yaml", info.model_yaml);
  write_string(a, "config_yaml", info.config_yaml);
  a.write("epoch", c10::IValue(info.epoch));
  a.write("step", c10::IValue(info.step));
  a.write("best", c10::IValue(info.best));
  {
    config::YamlValue e = config::YamlValue::map();
    for (const auto& [k, v] : info.extra) e.set(k, config::YamlValue::string(v));
    write_string(a, "extra", config::render_yaml(e));
  }
  torch::serialize::OutputArchive weights;
  for (const auto& p : model.named_parameters()) weights.write(p.key(), p.value().detach().cpu());
  for (const auto& b : model.named_buffers()) weights.write(std::string("buffer:") + b.key(), b.value().detach().cpu());
  a.write("model", weights);
  if (!ema.empty()) {
    torch::serialize::OutputArchive shadow;
    const auto params = model.named_parameters();
    for (size_t i = 0; i < params.size() && i < ema.size(); ++i) shadow.write(params[i].key(), ema[i].detach().cpu());
    a.write("ema", shadow);
  }
  if (optimizer) {
    torch::serialize::OutputArchive opt;
    optimizer->save(opt);
    a.write("optimizer", opt);
  }
  {
    at::Generator gen = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(gen.mutex());
    a.write("rng", gen.get_state());
  }
  for (auto& [key, gen] : cuda_generators()) {
    std::lock_guard<std::mutex> lock(gen.mutex());
    a.write(key, gen.get_state());
  }
  // Serialised in memory, then written through a temporary file and a rename: a failed write (disk
  // full, a file size limit) is reported naming the file, and the previous checkpoint stays.
  // (LibTorch's own file writer cannot fail cleanly: its destructor throws again, which aborts.)
  std::string bytes;
  a.save_to([&bytes](const void* data, size_t n) -> size_t {
    bytes.append(static_cast<const char*>(data), n);
    return n;
  });
  util::write_file_atomic(path, bytes);
}

// "an autoencoder", "a denoiser".
static std::string article(const std::string& noun) {
  return (noun.empty() || std::string("aeiou").find(noun[0]) == std::string::npos ? "a " : "an ") + noun;
}

CheckpointInfo read_checkpoint_info(const std::string& path, const std::string& expected_kind) {
  auto a = open_archive(path);
  if (read_string(a, "magic", path) != kMagic) throw InputError(path + ": not a LEAP checkpoint (wrong format)");
  CheckpointInfo info;
  info.kind = read_string(a, "kind", path);
  if (!expected_kind.empty() && info.kind != expected_kind)
    throw InputError(path + ": expected " + article(expected_kind) + " checkpoint, found " + article(info.kind) +
                     " checkpoint");
  info.model_yaml = read_string(a, "model_yaml", path);
  info.config_yaml = read_string(a, "config_yaml", path);
  c10::IValue v;
  // Another type (a corrupted or hand-made file) is refused, not a c10::Error from toInt/toDouble.
  auto wrong = [&](const char* key, const char* what) {
    return InputError(path + ": not a LEAP checkpoint ('" + key + "' is not " + what + ")");
  };
  if (a.try_read("epoch", v)) info.epoch = v.isInt() ? v.toInt() : throw wrong("epoch", "an integer");
  if (a.try_read("step", v)) info.step = v.isInt() ? v.toInt() : throw wrong("step", "an integer");
  if (a.try_read("best", v)) info.best = v.isDouble() ? v.toDouble() : throw wrong("best", "a number");
  const std::string extra_text = read_string(a, "extra", path);
  try {
    YAML::Node extra = YAML::Load(extra_text);
    if (extra.IsMap())
      for (const auto& kv : extra) info.extra[kv.first.as<std::string>()] = kv.second.as<std::string>();
  } catch (const YAML::Exception& e) {
    throw InputError(path + ": not a LEAP checkpoint ('extra' is not a mapping of strings: " + e.msg + ")");
  }
  return info;
}

void load_checkpoint(const std::string& path, torch::nn::Module& model, torch::optim::Optimizer* optimizer,
                     std::vector<at::Tensor>* ema, bool use_ema, bool restore_rng) {
  auto a = open_archive(path);
  torch::serialize::InputArchive weights, shadow;
  if (!a.try_read("model", weights)) throw InputError(path + ": not a LEAP checkpoint (no weights)");
  const bool has_ema = a.try_read("ema", shadow);
  c10::NoGradGuard guard;
  auto params = model.named_parameters();
  for (size_t i = 0; i < params.size(); ++i) {
    const auto& p = params[i];
    at::Tensor t;
    const bool from_ema = use_ema && has_ema && shadow.try_read(p.key(), t);
    if (!from_ema && !weights.try_read(p.key(), t))
      throw InputError(path + ": the checkpoint has no weight '" + p.key() + "' (another architecture)");
    if (t.sizes() != p.value().sizes())
      throw InputError(path + ": weight '" + p.key() + "' has shape " + c10::str(t.sizes()) + ", the model expects " +
                       c10::str(p.value().sizes()) + " (another architecture)");
    p.value().copy_(t);
    if (ema && has_ema) {
      at::Tensor e;
      if (shadow.try_read(p.key(), e)) {
        if (ema->size() <= i) ema->resize(i + 1);
        (*ema)[i] = e.to(p.value().device()).clone();
      }
    }
  }
  for (const auto& b : model.named_buffers()) {
    at::Tensor t;
    if (weights.try_read(std::string("buffer:") + b.key(), t) && t.sizes() == b.value().sizes()) b.value().copy_(t);
  }
  if (optimizer) {
    torch::serialize::InputArchive opt;
    if (!a.try_read("optimizer", opt)) throw InputError(path + ": the checkpoint holds no optimiser state to resume");
    optimizer->load(opt);
  }
  if (restore_rng) {
    at::Tensor state;
    if (a.try_read("rng", state)) {
      at::Generator gen = at::detail::getDefaultCPUGenerator();
      std::lock_guard<std::mutex> lock(gen.mutex());
      gen.set_state(state);
    }
    // A device the checkpoint did not see (or a checkpoint from a CPU run) keeps its own state.
    for (auto& [key, gen] : cuda_generators())
      if (a.try_read(key, state)) {
        std::lock_guard<std::mutex> lock(gen.mutex());
        gen.set_state(state);
      }
  }
}

namespace {

std::string diff_nodes(const YAML::Node& a, const YAML::Node& b, const std::string& path) {
  auto name = [&](const std::string& k) { return path.empty() ? k : path + "." + k; };
  if (a.Type() != b.Type()) return (path.empty() ? "(top)" : path) + ": " + config::dump_yaml(a) + " vs " + config::dump_yaml(b);
  if (a.IsMap()) {
    // Keys are matched as nodes (a key may be null, a number, a list), not by a string form: each
    // entry of `a` pairs with the first not yet paired entry of `b` whose key is the same node, so
    // repeated keys pair in order and identical documents never differ.
    const auto key_name = [](const YAML::Node& k) { return k.IsScalar() ? k.Scalar() : config::dump_yaml(k); };
    std::vector<std::pair<YAML::Node, YAML::Node>> rest;
    for (const auto& kv : b) rest.emplace_back(kv.first, kv.second);
    std::vector<bool> paired(rest.size(), false);
    for (const auto& kv : a) {
      const std::string k = key_name(kv.first);
      size_t j = 0;
      while (j < rest.size() && (paired[j] || !diff_nodes(kv.first, rest[j].first, "").empty())) ++j;
      if (j == rest.size()) return name(k) + ": present vs absent";
      paired[j] = true;
      auto d = diff_nodes(kv.second, rest[j].second, name(k));
      if (!d.empty()) return d;
    }
    for (size_t j = 0; j < rest.size(); ++j)
      if (!paired[j]) return name(key_name(rest[j].first)) + ": absent vs present";
    return "";
  }
  if (a.IsSequence()) {
    if (a.size() != b.size())
      return path + ": " + std::to_string(a.size()) + " entries vs " + std::to_string(b.size());
    for (size_t i = 0; i < a.size(); ++i) {
      auto d = diff_nodes(a[i], b[i], path + "[" + std::to_string(i) + "]");
      if (!d.empty()) return d;
    }
    return "";
  }
  if (a.IsScalar() && a.Scalar() != b.Scalar()) return path + ": " + a.Scalar() + " vs " + b.Scalar();
  return "";
}

}  // namespace

std::string yaml_difference(const std::string& a, const std::string& b) {
  // A description that is not YAML (a corrupted checkpoint) differs from any: said, not thrown.
  try {
    return diff_nodes(YAML::Load(a), YAML::Load(b), "");
  } catch (const YAML::Exception& e) {
    return "not YAML (" + e.msg + ")";
  }
}

}  // namespace leap::train
