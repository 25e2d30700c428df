#include "leap/models/anchor.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <string>

#include "leap/error.h"
#include "leap/models/context_mask.h"

namespace leap::models {

namespace {

// Per window: the index of the anchor frame (B) and whether any frame is known (B).
std::pair<at::Tensor, at::Tensor> anchor_index(const at::Tensor& known) {
  const int64_t T = known.size(1);
  const at::Tensor count = known.sum(1);
  const at::Tensor index = at::where(known.select(1, 0), count - 1, T - count).clamp(0, T - 1);
  return {index, count > 0};
}

}  // namespace

at::Tensor anchor_frame(const at::Tensor& mask, const at::Tensor& context) {
  const int64_t B = context.size(0), rank = context.dim();
  const auto [index, any] = anchor_index(mask.to(context.device(), at::kBool));
  std::vector<int64_t> frame_shape = context.sizes().vec(), per_window(size_t(rank), 1);
  frame_shape[2] = 1;
  per_window[0] = B;
  const at::Tensor frame = context.gather(2, index.reshape(per_window).expand(frame_shape));
  return at::where(any.reshape(per_window), frame, at::zeros({}, frame.options()));
}

at::Tensor lead_table(const std::vector<double>& lead_scales) {
  std::vector<float> table{1.0f};
  for (double v : lead_scales) table.push_back(float(v));
  return at::tensor(table, at::TensorOptions().dtype(at::kFloat));
}

at::Tensor anchor_scale(const at::Tensor& mask, int64_t rank, const at::Tensor& lead_table,
                        const at::TensorOptions& options) {
  const int64_t B = mask.size(0), T = mask.size(1);
  if (lead_table.dim() != 1 || lead_table.size(0) < T)
    throw InputError("anchor_scale: " + std::to_string(lead_table.numel() - 1) +
                     " lead scales for a window of " + std::to_string(T) + " frames (need " +
                     std::to_string(T - 1) + ")");
  const at::Tensor known = mask.to(options.device(), at::kBool);
  const auto [index, any] = anchor_index(known);
  const at::Tensor lead = (at::arange(T, index.options()).unsqueeze(0) - index.unsqueeze(1)).abs();
  at::Tensor scale = lead_table.to(options.device()).index_select(0, lead.reshape({-1})).reshape({B, T});
  scale = at::where(at::logical_or(known, at::logical_not(any).unsqueeze(1)), at::ones({}, scale.options()),
                    scale);
  return broadcast_mask(scale, rank).to(options.dtype());
}

std::vector<double> measure_lead_scales(const at::Tensor& windows, double floor) {
  if (windows.dim() < 5 || windows.size(2) < 2 || windows.size(0) < 1)
    throw InputError("measure_lead_scales: expected windows (N >= 1, C, T >= 2, X, Y(, Z)), found " +
                     c10::str(windows.sizes()));
  const at::Tensor x = windows.to(at::kDouble);
  const at::Tensor first = x.narrow(2, 0, 1);
  std::vector<double> out;
  for (int64_t k = 1; k < x.size(2); ++k)
    out.push_back(std::max(floor, at::sqrt(at::square(x.narrow(2, k, 1) - first).mean()).item<double>()));
  return out;
}

}  // namespace leap::models
