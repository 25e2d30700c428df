// The persistence anchor of a diffusion window (DiffusionConfig::anchor = "context"): the unknown
// frames are modelled as departures from the known frame next to them, so that the denoiser's prior
// (its output before it has learnt anything) is persistence rather than the latent mean. Each unknown
// frame's departure has its own data scale, one per lead (distance in frames from the anchor),
// measured on the training windows; the EDM preconditioning takes it as sigma_data.
//
// Shapes: windows (B, C, T, X, Y(, Z)); mask (B, T) bool, its known frames one contiguous run at the
// start or at the end of the window (context_mask, random_context_mask).
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

namespace leap::models {

// The anchor of each window: (B, C, 1, X, Y(, Z)), the known frame next to the unknown ones (the
// known run's last frame, or its first where the run ends the window); 0 where no frame is known.
at::Tensor anchor_frame(const at::Tensor& mask, const at::Tensor& context);

// The data scale of each frame's departure from the anchor: (B, 1, T, 1, 1(, 1)) for windows of rank
// `rank`, lead_table[k] for a frame k frames away (k = 1 .. T - 1), 1 on known frames and in windows
// with no known frame (there the model is the unanchored one). lead_table (L >= T) has lead_table[0] = 1
// (lead_table(lead_scales)) and lives on the device: no host data is copied (usable inside a CUDA
// graph capture).
at::Tensor anchor_scale(const at::Tensor& mask, int64_t rank, const at::Tensor& lead_table,
                        const at::TensorOptions& options);
at::Tensor lead_table(const std::vector<double>& lead_scales);  // (1 + lead_scales.size()) float, CPU

// The lead scales of a set of windows (N, C, T, X, Y(, Z)): s_k = RMS of frame k - frame 0, over
// windows, channels and positions, k = 1 .. T - 1 (each at least `floor`).
std::vector<double> measure_lead_scales(const at::Tensor& windows, double floor = 1e-3);

}  // namespace leap::models
