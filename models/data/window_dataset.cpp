#include "leap/data/window_dataset.h"

#include <ATen/ATen.h>

#include "leap/data/augmentation.h"
#include "leap/error.h"

namespace leap::data {

WindowDataset::WindowDataset(const std::vector<std::string>& files, Normalizer normalizer, WindowOptions options)
    : normalizer_(std::move(normalizer)), options_(options) {
  if (files.empty()) throw InputError("dataset: no .hdf5 files found");
  if (options_.window < 1 || options_.stride < 1) throw InputError("dataset: window and stride must be >= 1");
  for (const auto& p : files) files_.push_back(std::make_unique<WellFile>(p));
  layout_ = files_.front()->layout();
  for (size_t f = 0; f < files_.size(); ++f) {
    const auto& L = files_[f]->layout();
    const std::string& path = files_[f]->path();
    if (L.channel_names() != layout_.channel_names())
      throw InputError(path + ": fields differ from " + files_.front()->path());
    for (size_t a = 0; a < L.axes.size(); ++a)
      if (a >= layout_.axes.size() || L.axes[a].size != layout_.axes[a].size)
        throw InputError(path + ": grid differs from " + files_.front()->path());
    if (L.parameters.size() != layout_.parameters.size())
      throw InputError(path + ": simulation parameters differ from " + files_.front()->path());
    for (size_t k = 0; k < L.parameters.size(); ++k)
      if (L.parameters[k].first != layout_.parameters[k].first)
        throw InputError(path + ": simulation parameters differ from " + files_.front()->path());
    if (L.n_steps < options_.window)
      throw InputError(path + ": " + std::to_string(L.n_steps) + " frames per trajectory, fewer than the window (" +
                       std::to_string(options_.window) + ")");
    for (int64_t t = 0; t < L.n_trajectories; ++t)
      for (int64_t s = 0; s + options_.window <= L.n_steps; s += options_.stride)
        index_.push_back({int32_t(f), int32_t(t), int32_t(s)});
  }
  if (normalizer_.channels() != layout_.channels()) {
    std::string names;
    for (const auto& n : layout_.channel_names()) names += (names.empty() ? "" : ", ") + n;
    throw InputError(files_.front()->path() + ": " + std::to_string(layout_.channels()) + " channels (" + names +
                     "), but the model's normaliser has " + std::to_string(normalizer_.channels()) +
                     " (a dataset of other fields: solver fields and latents of `leap encode` are not interchangeable)");
  }
}

std::vector<std::string> WindowDataset::theta_names() const {
  std::vector<std::string> names;
  for (const auto& p : layout_.parameters) names.push_back(p.first);
  for (const auto& a : layout_.axes) names.push_back(a.name + "_periodic");
  return names;
}

int64_t WindowDataset::theta_size() const { return int64_t(theta_names().size()); }

std::vector<bool> WindowDataset::periodic() const {
  std::vector<bool> out;
  for (const auto& a : layout_.axes) out.push_back(a.bc_type == "periodic");
  return out;
}

std::vector<float> WindowDataset::flip_signs(int axis) const { return data::flip_signs(layout_, axis); }

at::Tensor WindowDataset::theta_of(int32_t file) const {
  std::vector<float> v;
  const auto& L = files_[size_t(file)]->layout();
  for (const auto& p : L.parameters) v.push_back(float(p.second));
  for (const auto& a : L.axes) v.push_back(a.bc_type == "periodic" ? 1.f : 0.f);
  return at::tensor(v, at::kFloat);
}

at::Tensor WindowDataset::load(int32_t file, int32_t traj) const {
  const auto key = std::make_pair(file, traj);
  auto it = cache_.find(key);
  if (it != cache_.end()) return it->second;
  const WellFile& f = *files_[size_t(file)];
  const auto& L = f.layout();
  std::vector<int64_t> shape{L.n_steps, L.channels()};
  for (const auto& a : L.axes) shape.push_back(a.size);
  std::vector<at::Tensor> frames;
  for (int64_t s = 0; s < L.n_steps; ++s) {
    auto v = f.read_state(traj, s);
    std::vector<int64_t> fs(shape.begin() + 1, shape.end());
    frames.push_back(at::from_blob(v.data(), fs, at::kFloat).clone());
  }
  at::Tensor all = normalizer_.normalize(at::stack(frames)).to(at::kFloat).contiguous();
  cache_[key] = all;
  lru_.push_back(key);
  while (int64_t(lru_.size()) > options_.cache_trajectories) {
    cache_.erase(lru_.front());
    lru_.pop_front();
  }
  return all;
}

WindowSample WindowDataset::get(int64_t i) const {
  if (i < 0 || i >= size()) throw Error("window index out of range");
  const Entry& e = index_[size_t(i)];
  const at::Tensor traj = load(e.file, e.traj);
  return {traj.narrow(0, e.start, options_.window).clone(), theta_of(e.file)};
}

WindowSample WindowDataset::trajectory(int64_t file, int64_t traj) const {
  return {load(int32_t(file), int32_t(traj)).clone(), theta_of(int32_t(file))};
}

}  // namespace leap::data
