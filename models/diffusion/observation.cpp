#include "leap/models/observation.h"

#include <ATen/ATen.h>

#include <utility>

#include "leap/error.h"

namespace leap::models {

namespace {

void need_spatial(const at::Tensor& x, const std::string& who, int spatial_dims = 2) {
  if (x.dim() < spatial_dims + 1)
    throw Error(who + ": expected states (..., C, X, Y" + std::string(spatial_dims == 3 ? ", Z" : "") +
                "), found " + c10::str(x.sizes()));
}

void need_2d_or_3d(int spatial_dims, const std::string& who) {
  if (spatial_dims != 2 && spatial_dims != 3)
    throw InputError(who + ": expected 2 or 3 spatial dimensions, found " + std::to_string(spatial_dims));
}

std::string grid_text(const at::Tensor& x, int spatial_dims) {
  std::string g;
  for (int64_t a = -spatial_dims; a < 0; ++a) g += (g.empty() ? "" : " x ") + std::to_string(x.size(a));
  return g;
}

}  // namespace

ObservationOperator subsample_operator(int64_t stride, int64_t offset, int spatial_dims) {
  if (stride < 1 || offset < 0 || offset >= stride)
    throw InputError("subsample: expected a stride >= 1 and 0 <= offset < stride, found stride " +
                     std::to_string(stride) + " and offset " + std::to_string(offset));
  ObservationOperator A;
  A.name = "subsample:" + std::to_string(stride) + (offset ? ":" + std::to_string(offset) : std::string());
  need_2d_or_3d(spatial_dims, A.name);
  A.linear = true;
  A.apply = [stride, offset, spatial_dims, name = A.name](const at::Tensor& x) {
    need_spatial(x, name, spatial_dims);
    at::Tensor y = x;
    for (int64_t a = -spatial_dims; a < 0; ++a) {
      if (x.size(a) <= offset)
        throw Error(name + ": a grid of " + grid_text(x, spatial_dims) + " cells has no point at offset " +
                    std::to_string(offset));
      y = y.slice(a, offset, x.size(a), stride);
    }
    return y.flatten(-(spatial_dims + 1));
  };
  return A;
}

ObservationOperator downscale_operator(int64_t block, int spatial_dims) {
  if (block < 1) throw InputError("downscale: expected a block size >= 1, found " + std::to_string(block));
  ObservationOperator A;
  A.name = "downscale:" + std::to_string(block);
  need_2d_or_3d(spatial_dims, A.name);
  A.linear = true;
  A.apply = [block, spatial_dims, name = A.name](const at::Tensor& x) {
    need_spatial(x, name, spatial_dims);
    auto shape = x.sizes().vec();
    shape.resize(shape.size() - size_t(spatial_dims));
    std::vector<int64_t> within;  // the axes inside each block, after the reshape
    for (int64_t a = -spatial_dims; a < 0; ++a) {
      if (x.size(a) % block != 0)
        throw Error(name + ": a grid of " + grid_text(x, spatial_dims) + " cells is not a whole number of blocks");
      shape.insert(shape.end(), {x.size(a) / block, block});
      within.push_back(int64_t(shape.size()) - 1);
    }
    return x.reshape(shape).mean(within).flatten(-(spatial_dims + 1));
  };
  return A;
}

ObservationOperator sensor_operator(std::vector<SensorPoint> points, int spatial_dims) {
  if (points.empty()) throw InputError("sensors: expected at least one observed point");
  ObservationOperator A;
  A.name = "sensors:" + std::to_string(points.size());
  need_2d_or_3d(spatial_dims, A.name);
  for (const auto& p : points)
    if (spatial_dims == 2 && p.k != 0)
      throw InputError(A.name + ": a point with z index " + std::to_string(p.k) + " on a 2-D grid");
  A.linear = true;
  A.apply = [points = std::move(points), spatial_dims, name = A.name](const at::Tensor& x) {
    need_spatial(x, name, spatial_dims);
    const int64_t C = x.size(-spatial_dims - 1), X = x.size(-spatial_dims), Y = x.size(-spatial_dims + 1),
                  Z = spatial_dims == 3 ? x.size(-1) : 1;
    std::vector<int64_t> flat;
    for (const auto& p : points) {
      if (p.channel < 0 || p.channel >= C || p.i < 0 || p.i >= X || p.j < 0 || p.j >= Y || p.k < 0 || p.k >= Z)
        throw Error(name + ": point (channel " + std::to_string(p.channel) + ", " + std::to_string(p.i) + ", " +
                    std::to_string(p.j) + (spatial_dims == 3 ? ", " + std::to_string(p.k) : std::string()) +
                    ") lies outside states of " + std::to_string(C) + " x " + grid_text(x, spatial_dims));
      flat.push_back(((p.channel * X + p.i) * Y + p.j) * Z + p.k);
    }
    const at::Tensor index = at::tensor(flat, at::kLong).to(x.device());
    return x.flatten(-(spatial_dims + 1)).index_select(-1, index);
  };
  return A;
}

ObservationOperator compose(const ObservationOperator& A, std::function<at::Tensor(const at::Tensor&)> f,
                            const std::string& f_name, bool f_linear) {
  ObservationOperator c;
  c.name = A.name + " o " + f_name;
  c.linear = A.linear && f_linear;
  c.apply = [A, f = std::move(f)](const at::Tensor& x) { return A(f(x)); };
  return c;
}

ObservationOperator parse_observation_operator(const std::string& spec, const std::string& key,
                                               int spatial_dims) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    const size_t colon = spec.find(':', start);
    parts.push_back(spec.substr(start, colon == std::string::npos ? std::string::npos : colon - start));
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  auto integer = [&](const std::string& s) {
    size_t used = 0;
    long long v = -1;
    try {
      v = std::stoll(s, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != s.size() || s.empty())
      throw InputError(key +
                       ": expected subsample:STRIDE[:OFFSET] or downscale:BLOCK with whole numbers, found '" +
                       spec + "'");
    return int64_t(v);
  };
  if (parts[0] == "subsample" && (parts.size() == 2 || parts.size() == 3))
    return subsample_operator(integer(parts[1]), parts.size() == 3 ? integer(parts[2]) : 0, spatial_dims);
  if (parts[0] == "downscale" && parts.size() == 2) return downscale_operator(integer(parts[1]), spatial_dims);
  throw InputError(key + ": expected subsample:STRIDE[:OFFSET] or downscale:BLOCK, found '" + spec + "'");
}

}  // namespace leap::models
