#include "leap/train/psgd_kron.h"

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>
#include <torch/optim/adamw.h>
#include <torch/optim/serialize.h>
#include <torch/serialize/archive.h>

#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>
#include <type_traits>
#include <utility>

#include "leap/error.h"
#include "leap/train/optim_config.h"

namespace leap::train {

namespace {

constexpr double kTiny = 1.1754943508222875e-38;  // the smallest normal float32

at::ScalarType factor_dtype(const at::Tensor& p) {
  return p.scalar_type() == at::kDouble ? at::kDouble : at::kFloat;
}

// out[.., a, ..] = sum_b m[a, b] x[.., b, ..], along dimension `dim`.
at::Tensor apply_along(const at::Tensor& x, const at::Tensor& m, int64_t dim) {
  return at::tensordot(m, x, {1}, {dim}).movedim(0, dim);
}

// x scaled by the vector d along dimension `dim`.
at::Tensor scale_along(const at::Tensor& x, const at::Tensor& d, int64_t dim) {
  std::vector<int64_t> shape(static_cast<size_t>(x.dim()), 1);
  shape[static_cast<size_t>(dim)] = -1;
  return x * d.reshape(shape);
}

// x with dimension `dim` as rows and every other dimension flattened into columns.
at::Tensor unfold_along(const at::Tensor& x, int64_t dim) {
  return x.movedim(dim, 0).reshape({x.size(dim), -1});
}

// q^-T x along dimension `dim` (q upper triangular). The inverse is formed once (a d x d
// triangular solve) and applied as a matrix product: a triangular solve against the tensor itself
// is pathologically slow on CUDA when d is small and the other dimensions are large (measured on
// an H100 with LibTorch 2.11: 11 s for d = 3 and 786432 columns, against 1 ms for this).
at::Tensor solve_transposed_along(const at::Tensor& x, const at::Tensor& q, int64_t dim) {
  const at::Tensor inverse = at::linalg_solve_triangular(q, at::eye(q.size(0), q.options()), /*upper=*/true);
  return apply_along(x, inverse.t(), dim);
}

// A cheap lower bound of the spectral norm of the symmetric matrix s (within a factor sqrt(n),
// usually much closer): |s x| for x the normalised column of s with the largest norm.
at::Tensor spectral_norm_lower_bound(const at::Tensor& s) {
  at::Tensor scale = s.abs().max();
  at::Tensor sn = s / scale.clamp_min(kTiny);
  at::Tensor j = (sn * sn).sum(0).argmax().reshape({1});
  at::Tensor x = sn.index_select(1, j).reshape({-1});
  x = x / x.norm().clamp_min(kTiny);
  return sn.mv(x).norm() * scale;
}

// Rescales the factors to equal max-abs norms, their product unchanged.
void balance_factors(std::vector<at::Tensor>& q) {
  std::vector<at::Tensor> norms;
  for (const auto& f : q) norms.push_back(f.abs().max().clamp_min(kTiny));
  at::Tensor n = at::stack(norms);
  at::Tensor target = n.log().mean().exp();
  for (size_t i = 0; i < q.size(); ++i) q[i].mul_(target / n[static_cast<int64_t>(i)]);
}

// One step of Li's preconditioner fitting with the pair (v, g): every factor moves along the
// triangular (diagonal) part of the gradient of E[g^T P g + v^T P^-1 v] on its Lie group, with
// step `lr` normalised by the norm of the gradient's two terms. g, v: the parameter's shape
// (a scalar reshaped to one element).
void update_factors(std::vector<at::Tensor>& q, const at::Tensor& v, const at::Tensor& g, double lr) {
  const int64_t k = g.dim();
  at::Tensor a = g, b = v;  // a = Q g, b = Q^-T v
  for (int64_t i = 0; i < k; ++i) {
    const at::Tensor& f = q[static_cast<size_t>(i)];
    if (f.dim() == 2) {
      a = apply_along(a, f, i);
      b = solve_transposed_along(b, f, i);
    } else {
      a = scale_along(a, f, i);
      b = scale_along(b, f.reciprocal(), i);
    }
  }
  std::vector<at::Tensor> deltas;
  for (int64_t i = 0; i < k; ++i) {
    const at::Tensor& f = q[static_cast<size_t>(i)];
    at::Tensor au = unfold_along(a, i), bu = unfold_along(b, i);
    if (f.dim() == 2) {
      at::Tensor t1 = au.mm(au.t()), t2 = bu.mm(bu.t());
      at::Tensor step = lr / (spectral_norm_lower_bound(t1 + t2) + kTiny);
      deltas.push_back((t1 - t2).triu().mm(f) * step);
    } else {
      at::Tensor t1 = au.pow(2).sum(1), t2 = bu.pow(2).sum(1);
      at::Tensor step = lr / ((t1 + t2).abs().max() + kTiny);
      deltas.push_back((t1 - t2) * f * step);
    }
  }
  for (int64_t i = 0; i < k; ++i) q[static_cast<size_t>(i)].sub_(deltas[static_cast<size_t>(i)]);
}

// Q = scale * I as per-dimension factors (scale split evenly among them).
std::vector<at::Tensor> initial_factors(const at::Tensor& work, const std::vector<bool>& dense,
                                        double scale) {
  const double per = std::pow(scale, 1.0 / static_cast<double>(dense.size()));
  std::vector<at::Tensor> q;
  for (size_t i = 0; i < dense.size(); ++i) {
    const int64_t d = work.size(static_cast<int64_t>(i));
    q.push_back(dense[i] ? at::eye(d, work.options()) * per : at::full({d}, per, work.options()));
  }
  return q;
}

// The key of a parameter in Optimizer::state_: a string of the TensorImpl address in LibTorch 1.x,
// the address itself in 2.x (the same key LibTorch's serialiser maps saved state to).
template <class Key>
Key state_key(const at::Tensor& p) {
  if constexpr (std::is_same_v<Key, std::string>) {
    std::ostringstream s;
    s << p.unsafeGetTensorImpl();
    return s.str();
  } else {
    return Key(p.unsafeGetTensorImpl());
  }
}

template <class T>
void read_if_present(torch::serialize::InputArchive& archive, const char* key, T& value) {
  c10::IValue v;
  if (!archive.try_read(key, v)) return;
  if constexpr (std::is_same_v<T, double>)
    value = v.toDouble();
  else
    value = v.toInt();
}

}  // namespace

// ---------------------------------------------------------------- options

PsgdKronOptions::PsgdKronOptions(double lr) : lr_(lr) {}

double PsgdKronOptions::get_lr() const {
  return lr();
}
void PsgdKronOptions::set_lr(const double lr) {
  this->lr(lr);
}

double PsgdKronOptions::update_probability_at(int64_t t) const {
  const double p =
      std::exp(-update_probability_decay() * static_cast<double>(t - update_probability_flat_steps()));
  return std::clamp(p, min_update_probability(), 1.0);
}

void PsgdKronOptions::serialize(torch::serialize::OutputArchive& archive) const {
  auto d = [&](const char* key, double v) { archive.write(key, c10::IValue(v)); };
  auto i = [&](const char* key, int64_t v) { archive.write(key, c10::IValue(v)); };
  d("lr", lr());
  d("momentum", momentum());
  d("weight_decay", weight_decay());
  d("precond_lr", precond_lr());
  d("update_probability", update_probability());
  d("min_update_probability", min_update_probability());
  d("update_probability_decay", update_probability_decay());
  i("update_probability_flat_steps", update_probability_flat_steps());
  i("max_size_triangular", max_size_triangular());
  d("max_skew_triangular", max_skew_triangular());
  i("min_ndim_triangular", min_ndim_triangular());
  d("update_clip_rms", update_clip_rms());
  d("precond_init_scale", precond_init_scale());
  i("balance_every", balance_every());
}

void PsgdKronOptions::serialize(torch::serialize::InputArchive& archive) {
  read_if_present(archive, "lr", lr_);
  read_if_present(archive, "momentum", momentum_);
  read_if_present(archive, "weight_decay", weight_decay_);
  read_if_present(archive, "precond_lr", precond_lr_);
  read_if_present(archive, "update_probability", update_probability_);
  read_if_present(archive, "min_update_probability", min_update_probability_);
  read_if_present(archive, "update_probability_decay", update_probability_decay_);
  read_if_present(archive, "update_probability_flat_steps", update_probability_flat_steps_);
  read_if_present(archive, "max_size_triangular", max_size_triangular_);
  read_if_present(archive, "max_skew_triangular", max_skew_triangular_);
  read_if_present(archive, "min_ndim_triangular", min_ndim_triangular_);
  read_if_present(archive, "update_clip_rms", update_clip_rms_);
  read_if_present(archive, "precond_init_scale", precond_init_scale_);
  read_if_present(archive, "balance_every", balance_every_);
}

// ---------------------------------------------------------------- parameter state

void PsgdKronParamState::serialize(torch::serialize::OutputArchive& archive) const {
  archive.write("step", c10::IValue(step()));
  archive.write("update_counter", c10::IValue(update_counter()));
  archive.write("precond_updates", c10::IValue(precond_updates()));
  if (momentum_buffer().defined()) archive.write("momentum_buffer", momentum_buffer(), /*is_buffer=*/true);
  archive.write("factors/size", c10::IValue(static_cast<int64_t>(factors().size())));
  for (size_t i = 0; i < factors().size(); ++i)
    archive.write("factors/" + std::to_string(i), factors()[i], /*is_buffer=*/true);
}

void PsgdKronParamState::serialize(torch::serialize::InputArchive& archive) {
  read_if_present(archive, "step", step_);
  read_if_present(archive, "update_counter", update_counter_);
  read_if_present(archive, "precond_updates", precond_updates_);
  at::Tensor m;
  if (archive.try_read("momentum_buffer", m, /*is_buffer=*/true)) momentum_buffer_ = m;
  int64_t n = 0;
  read_if_present(archive, "factors/size", n);
  factors_.clear();
  for (int64_t i = 0; i < n; ++i) {
    at::Tensor f;
    archive.read("factors/" + std::to_string(i), f, /*is_buffer=*/true);
    factors_.push_back(f);
  }
}

// ---------------------------------------------------------------- the optimiser

namespace {

void check_options(const PsgdKronOptions& o) {
  TORCH_CHECK(o.lr() >= 0, "PSGD-Kron: invalid learning rate ", o.lr());
  TORCH_CHECK(o.momentum() >= 0 && o.momentum() < 1, "PSGD-Kron: momentum must be in [0, 1), got ",
              o.momentum());
  TORCH_CHECK(o.weight_decay() >= 0, "PSGD-Kron: invalid weight decay ", o.weight_decay());
  TORCH_CHECK(o.precond_lr() >= 0 && o.precond_lr() <= 1, "PSGD-Kron: precond_lr must be in [0, 1], got ",
              o.precond_lr());
  TORCH_CHECK(o.update_probability() >= 0 && o.update_probability() <= 1,
              "PSGD-Kron: update_probability must be in [0, 1], got ", o.update_probability());
  TORCH_CHECK(o.min_update_probability() > 0 && o.min_update_probability() <= 1,
              "PSGD-Kron: min_update_probability must be in (0, 1], got ", o.min_update_probability());
  TORCH_CHECK(o.update_probability_decay() >= 0, "PSGD-Kron: invalid update_probability_decay");
  TORCH_CHECK(o.update_probability_flat_steps() >= 0, "PSGD-Kron: invalid update_probability_flat_steps");
  TORCH_CHECK(o.max_size_triangular() >= 0, "PSGD-Kron: invalid max_size_triangular");
  TORCH_CHECK(o.max_skew_triangular() >= 0, "PSGD-Kron: invalid max_skew_triangular");
  TORCH_CHECK(o.update_clip_rms() >= 0, "PSGD-Kron: invalid update_clip_rms");
  TORCH_CHECK(o.precond_init_scale() >= 0, "PSGD-Kron: invalid precond_init_scale");
  TORCH_CHECK(o.balance_every() >= 0, "PSGD-Kron: invalid balance_every");
}

}  // namespace

PsgdKron::PsgdKron(std::vector<torch::optim::OptimizerParamGroup> param_groups, PsgdKronOptions defaults)
    : Optimizer(std::move(param_groups), std::make_unique<PsgdKronOptions>(defaults)) {
  check_options(defaults);
}

PsgdKron::PsgdKron(std::vector<at::Tensor> params, PsgdKronOptions defaults)
    : PsgdKron(std::vector<torch::optim::OptimizerParamGroup>{torch::optim::OptimizerParamGroup(
                   std::move(params))},
               defaults) {}

const PsgdKronParamState* PsgdKron::param_state(const at::Tensor& param) const {
  using Key = typename std::decay_t<decltype(state_)>::key_type;
  auto it = state_.find(state_key<Key>(param));
  return it == state_.end() ? nullptr : static_cast<const PsgdKronParamState*>(it->second.get());
}

std::vector<bool> psgd_kron_dense_dims(at::IntArrayRef shape, const PsgdKronOptions& o) {
  if (shape.empty()) return {false};
  int64_t numel = 1;
  for (int64_t d : shape) numel *= d;
  std::vector<bool> dense;
  for (int64_t d : shape) {
    const bool diagonal =
        static_cast<int64_t>(shape.size()) < o.min_ndim_triangular() || d <= 1 ||
        d > o.max_size_triangular() ||
        (o.max_skew_triangular() > 0 && static_cast<double>(d) * static_cast<double>(d) >
                                            o.max_skew_triangular() * static_cast<double>(numel));
    dense.push_back(!diagonal);
  }
  return dense;
}

at::Tensor psgd_kron_precondition(const std::vector<at::Tensor>& factors, const at::Tensor& g) {
  at::Tensor x = g.dim() == 0 ? g.reshape({1}) : g;
  TORCH_CHECK(static_cast<int64_t>(factors.size()) == x.dim(), "PSGD-Kron: ", factors.size(),
              " factors for a tensor of ", x.dim(), " dimensions");
  const int64_t numel = x.numel();
  for (int64_t i = 0; i < x.dim(); ++i) {
    const at::Tensor& f = factors[static_cast<size_t>(i)];
    if (f.dim() == 2) {
      const int64_t d = f.size(0);
      if (d * d < numel)  // forming Q^T Q (d^3) is cheaper than applying Q and Q^T (2 d numel)
        x = apply_along(x, f.t().mm(f), i);
      else
        x = apply_along(apply_along(x, f, i), f.t(), i);
    } else {
      x = scale_along(x, f * f, i);
    }
  }
  return x.reshape(g.sizes());
}

at::Tensor PsgdKron::step(LossClosure closure) {
  at::Tensor loss;
  if (closure) {
    c10::AutoGradMode enable(true);
    loss = closure();
  }
  c10::NoGradGuard no_grad;
  using Key = typename std::decay_t<decltype(state_)>::key_type;
  for (auto& group : param_groups_) {
    const auto& o = static_cast<const PsgdKronOptions&>(group.options());
    for (auto& p : group.params()) {
      if (!p.grad().defined()) continue;
      const at::Tensor& grad = p.grad();
      TORCH_CHECK(!grad.is_sparse(), "PSGD-Kron does not support sparse gradients");
      const Key key = state_key<Key>(p);
      auto it = state_.find(key);
      if (it == state_.end()) {
        auto fresh = std::make_unique<PsgdKronParamState>();
        fresh->momentum_buffer(at::zeros_like(p, at::MemoryFormat::Preserve));
        state_[key] = std::move(fresh);
        it = state_.find(key);
      }
      auto& st = static_cast<PsgdKronParamState&>(*it->second);
      at::Tensor& mom = st.momentum_buffer();
      if (!mom.defined()) mom = at::zeros_like(p, at::MemoryFormat::Preserve);
      if (mom.device() != p.device()) mom = mom.to(p.device());
      for (auto& f : st.factors())
        if (f.device() != p.device()) f = f.to(p.device());

      st.step(st.step() + 1);
      const double beta = o.momentum();
      mom.mul_(beta).add_(grad, 1 - beta);
      const double debias = 1 - std::pow(beta, static_cast<double>(st.step()));
      at::Tensor m = (mom / debias).to(factor_dtype(p));
      if (m.dim() == 0) m = m.reshape({1});

      if (st.factors().empty()) {
        double scale = o.precond_init_scale();
        if (scale <= 0) {  // P = scale^2 I about (E[m m^T])^(-1/2) for i.i.d. entries
          const double m4 = m.pow(4).mean().item<double>();
          scale = (std::isfinite(m4) && m4 > 0) ? std::pow(m4, -1.0 / 8.0) : 1.0;
        }
        st.factors(initial_factors(m, psgd_kron_dense_dims(p.sizes(), o), scale));
      }

      const double prob =
          o.update_probability() > 0 ? o.update_probability() : o.update_probability_at(st.step() - 1);
      st.update_counter(st.update_counter() + 1);
      if (static_cast<double>(st.update_counter()) * prob >= 1.0 - 1e-9) {
        st.update_counter(0);
        st.precond_updates(st.precond_updates() + 1);
        if (o.balance_every() > 0 && st.factors().size() > 1 && st.precond_updates() % o.balance_every() == 0)
          balance_factors(st.factors());
        at::Tensor v = at::randn(m.sizes(), m.options());
        update_factors(st.factors(), v, m, o.precond_lr());
      }

      at::Tensor u = psgd_kron_precondition(st.factors(), m);
      if (o.update_clip_rms() > 0) {
        at::Tensor rms = u.pow(2).mean().sqrt();
        u.mul_(rms.add(1e-6).reciprocal().mul_(o.update_clip_rms()).clamp_max_(1.0));
      }
      if (o.weight_decay() > 0) p.mul_(1 - o.lr() * o.weight_decay());
      p.add_(u.reshape(p.sizes()).to(p.scalar_type()), -o.lr());
    }
  }
  return loss;
}

void PsgdKron::save(torch::serialize::OutputArchive& archive) const {
  torch::optim::serialize<PsgdKronParamState, PsgdKronOptions>(archive, *this);
}

void PsgdKron::load(torch::serialize::InputArchive& archive) {
  torch::optim::serialize<PsgdKronParamState, PsgdKronOptions>(archive, *this);
}

// ---------------------------------------------------------------- choice by config

std::unique_ptr<torch::optim::Optimizer> make_optimizer(const std::vector<at::Tensor>& params,
                                                        const OptimConfig& optim) {
  if (optim.optimizer == "adamw") {
    return std::make_unique<torch::optim::AdamW>(params, torch::optim::AdamWOptions(optim.lr)
                                                             .betas({optim.betas.at(0), optim.betas.at(1)})
                                                             .weight_decay(optim.weight_decay));
  }
  if (optim.optimizer == "psgd_kron") {
    const PsgdConfig& c = optim.psgd;
    PsgdKronOptions o(optim.lr);
    o.momentum(c.momentum)
        .weight_decay(optim.weight_decay)
        .precond_lr(c.precond_lr)
        .update_probability(c.update_probability)
        .min_update_probability(c.min_update_probability)
        .update_probability_decay(c.update_probability_decay)
        .update_probability_flat_steps(c.update_probability_flat_steps)
        .max_size_triangular(c.max_size_triangular)
        .max_skew_triangular(c.max_skew_triangular)
        .update_clip_rms(c.update_clip_rms)
        .precond_init_scale(c.precond_init_scale);
    return std::make_unique<PsgdKron>(params, o);
  }
  throw InputError("optim.optimizer: unknown optimiser '" + optim.optimizer + "' (adamw or psgd_kron)");
}

}  // namespace leap::train
