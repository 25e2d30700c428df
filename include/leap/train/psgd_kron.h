// PSGD-Kron: preconditioned SGD with a Kronecker-factored preconditioner (Xi-Lin Li's method,
// the "Kron" variant of the psgd_torch / kron_torch / heavyball packages), as a
// torch::optim::Optimizer.
//
// Per parameter of shape (d_1, ..., d_k) the preconditioner is P = Q^T Q with
// Q = Q_1 (x) ... (x) Q_k, one factor per dimension: an upper-triangular d_i x d_i matrix, or a
// diagonal (a d_i vector) when the dimension is large (d_i > max_size_triangular), skewed
// (d_i^2 > max_skew_triangular * numel, when max_skew_triangular > 0), of size 1, or when the
// tensor has fewer than min_ndim_triangular dimensions (biases, scales: all diagonal; a scalar
// is a 1-element diagonal). Each step:
//   m <- momentum * m + (1 - momentum) * g;  m_hat = m / (1 - momentum^t)       (debiased)
//   every 1/prob steps (prob: fixed, or annealed from 1 to min_update_probability after a flat
//   start): update Q with the pair (V ~ N(0, I), m_hat), a normalised gradient step on Li's
//   criterion E[m^T P m + V^T P^-1 V] on the Lie group of (triangular / diagonal) matrices, so that
//   P tends to (E[m m^T])^(-1/2):
//     A = Q m_hat,  B = Q^-T V,  per dimension i (contracting the other dimensions):
//     Q_i <- Q_i - precond_lr * triu(A_i A_i^T - B_i B_i^T) / ||A_i A_i^T + B_i B_i^T||_2 * Q_i
//     (diagonal: elementwise, normalised by the max-abs entry; the spectral norm by a cheap lower
//     bound); every balance_every updates the factors are rescaled to equal max-abs norms.
//   u = P m_hat (per dimension: Q_i^T Q_i along axis i), scaled down to RMS update_clip_rms,
//   w <- w * (1 - lr * weight_decay) - lr * u                                 (decoupled decay)
// The preconditioner factors live in float32 (float64 for double parameters).
//
// Determinism: the update schedule is a deterministic counter; V is drawn from the default
// generator of the parameter's device (torch::manual_seed fixes it). The whole per-parameter
// state (step, counters, momentum, factors) goes through save()/load(), so a checkpoint that
// also restores the RNG state (leap::train::save/load_checkpoint do so for the CPU generator)
// continues bit-for-bit.
#pragma once

#include <torch/optim/optimizer.h>

#include <cstdint>
#include <memory>
#include <vector>

namespace leap::train {

struct OptimConfig;

struct PsgdKronOptions : public torch::optim::OptimizerCloneableOptions<PsgdKronOptions> {
  PsgdKronOptions(double lr = 1e-3);  // NOLINT: implicit, as LibTorch's serialiser builds it from 0
  TORCH_ARG(double, lr) = 1e-3;
  TORCH_ARG(double, momentum) = 0.9;
  TORCH_ARG(double, weight_decay) = 0.0;                    // decoupled: w *= 1 - lr * weight_decay
  TORCH_ARG(double, precond_lr) = 0.1;                      // step size of the Q update
  TORCH_ARG(double, update_probability) = 0.0;              // (0, 1]: fixed; 0: the annealed schedule
  TORCH_ARG(double, min_update_probability) = 0.03;         // schedule: floor
  TORCH_ARG(double, update_probability_decay) = 1e-3;       // schedule: exp(-decay * (t - flat))
  TORCH_ARG(int64_t, update_probability_flat_steps) = 500;  // schedule: probability 1 until then
  TORCH_ARG(int64_t, max_size_triangular) = 8192;           // larger dimensions get diagonal factors
  TORCH_ARG(double, max_skew_triangular) = 0.0;             // > 0: diagonal when d^2 > skew * numel
  TORCH_ARG(int64_t, min_ndim_triangular) = 2;              // tensors with fewer dimensions: all diagonal
  TORCH_ARG(double, update_clip_rms) = 1.1;                 // > 0: the update's RMS is clipped to this
  TORCH_ARG(double, precond_init_scale) = 0.0;  // > 0: Q = scale^(1/k) I; 0: from the 1st gradient
  TORCH_ARG(int64_t, balance_every) = 100;      // rebalance factor norms every N Q updates (0: never)

 public:
  void serialize(torch::serialize::InputArchive& archive) override;
  void serialize(torch::serialize::OutputArchive& archive) const override;
  double get_lr() const override;
  void set_lr(const double lr) override;
  // The schedule's probability of a preconditioner update at step index t (0-based).
  double update_probability_at(int64_t t) const;
};

struct PsgdKronParamState : public torch::optim::OptimizerCloneableParamState<PsgdKronParamState> {
  TORCH_ARG(int64_t, step) = 0;             // optimiser steps taken on this parameter
  TORCH_ARG(int64_t, update_counter) = 0;   // steps since the last preconditioner update
  TORCH_ARG(int64_t, precond_updates) = 0;  // preconditioner updates done
  TORCH_ARG(at::Tensor, momentum_buffer);
  // One factor per dimension (a scalar parameter: one 1-element factor): 2-D upper triangular or
  // 1-D diagonal. Empty before the first step.
  TORCH_ARG(std::vector<at::Tensor>, factors);

 public:
  void serialize(torch::serialize::InputArchive& archive) override;
  void serialize(torch::serialize::OutputArchive& archive) const override;
};

class PsgdKron : public torch::optim::Optimizer {
 public:
  explicit PsgdKron(std::vector<torch::optim::OptimizerParamGroup> param_groups,
                    PsgdKronOptions defaults = {});
  explicit PsgdKron(std::vector<at::Tensor> params, PsgdKronOptions defaults = {});

  at::Tensor step(LossClosure closure = nullptr) override;
  void save(torch::serialize::OutputArchive& archive) const override;
  void load(torch::serialize::InputArchive& archive) override;

  // The state of `param` (nullptr before its first step).
  const PsgdKronParamState* param_state(const at::Tensor& param) const;
};

// Which dimensions of a parameter of this shape get a dense (triangular) factor (true) or a
// diagonal one (false). A scalar has one diagonal factor.
std::vector<bool> psgd_kron_dense_dims(at::IntArrayRef shape, const PsgdKronOptions& options);

// Q^T Q applied to g, factor i along dimension i (the preconditioned gradient).
at::Tensor psgd_kron_precondition(const std::vector<at::Tensor>& factors, const at::Tensor& g);

// The optimiser `optim.optimizer` names (adamw or psgd_kron), over params, with optim's settings.
std::unique_ptr<torch::optim::Optimizer> make_optimizer(const std::vector<at::Tensor>& params,
                                                        const OptimConfig& optim);

}  // namespace leap::train
