#include "leap/models/guidance.h"

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>
#include <torch/csrc/autograd/autograd.h>

#include <utility>

#include "leap/error.h"

namespace leap::models {

namespace {

// Per-sample sums over every axis but the first: (B, ...) -> (B).
at::Tensor rowsum(const at::Tensor& t) {
  return t.flatten(1).sum(1);
}

// A (B) tensor shaped to broadcast against `like` (B, ...).
at::Tensor per_sample(const at::Tensor& s, const at::Tensor& like) {
  std::vector<int64_t> shape(size_t(like.dim()), 1);
  shape[0] = s.size(0);
  return s.reshape(shape);
}

// What both guided denoisers need at (x_t, sigma): D, the residual y - A(D) and the products
// u -> J_D^T u (through the denoiser) and v -> J_A^T v, w -> J_A w (A linearised at D).
class Linearisation {
 public:
  Linearisation(const DenoiseFn& denoise, const ObservationOperator& A, const at::Tensor& y,
                const at::Tensor& x_t, const at::Tensor& sigma)
      : A_(A) {
    x_ = x_t.detach().requires_grad_(true);
    d_ = denoise(x_, sigma);
    if (!d_.requires_grad())
      throw Error("guided denoiser: the denoiser's output does not depend on its input through autograd");
    point_ = d_.detach().requires_grad_(true);
    yhat_ = A(point_);
    at::Tensor target = y.to(yhat_.options());
    if (target.dim() == yhat_.dim() - 1 && target.sizes().equals(yhat_.sizes().slice(1)))
      target = target.unsqueeze(0).expand_as(yhat_);  // the same observations for every sample
    if (!target.sizes().equals(yhat_.sizes()))
      throw InputError("guidance: " + A.name + " gives observations of shape " + c10::str(yhat_.sizes()) +
                       ", the observations given have shape " + c10::str(y.sizes()));
    residual_ = target - yhat_.detach();
  }

  const at::Tensor& denoised() const { return d_; }
  const at::Tensor& residual() const { return residual_; }

  at::Tensor JDt(const at::Tensor& u) const { return torch::autograd::grad({d_}, {x_}, {u}, true)[0]; }
  at::Tensor JAt(const at::Tensor& v) const { return torch::autograd::grad({yhat_}, {point_}, {v}, true)[0]; }
  at::Tensor JA(const at::Tensor& w) const {
    if (A_.linear) return A_(w);
    // J w = d/du <J^T u, w> for a dummy u (J^T u is linear in u): two reverse passes.
    const at::Tensor p = point_.detach().requires_grad_(true);
    const at::Tensor out = A_(p);
    const at::Tensor u = at::zeros_like(out).requires_grad_(true);
    const at::Tensor g = torch::autograd::grad({out}, {p}, {u}, true, true)[0];
    return torch::autograd::grad({g}, {u}, {w})[0];
  }

 private:
  ObservationOperator A_;
  at::Tensor x_, d_, point_, yhat_, residual_;
};

void check_noise(double var_y, const std::string& who) {
  if (!(var_y > 0))
    throw InputError(who + ": expected an observation variance > 0, found " + std::to_string(var_y));
}

}  // namespace

DenoiseFn mmps_denoiser(DenoiseFn denoise, ObservationOperator A, at::Tensor y, double var_y,
                        int cg_iterations) {
  check_noise(var_y, "mmps");
  if (cg_iterations < 1)
    throw InputError("mmps: expected at least 1 conjugate-gradient iteration, found " +
                     std::to_string(cg_iterations));
  return [denoise = std::move(denoise), A = std::move(A), y = std::move(y), var_y, cg_iterations](
             const at::Tensor& x_t, const at::Tensor& sigma) {
    c10::AutoGradMode grad_mode(true);
    const Linearisation L(denoise, A, y, x_t, sigma);
    const at::Tensor s2 = per_sample(sigma.to(at::kDouble).pow(2).to(x_t.scalar_type()), x_t);
    // (var_y I + sigma^2 J_A J_D J_A^T) v, batched per sample (J_D^T = J_D: Tweedie's Jacobian is
    // symmetric). A trained network's Jacobian is only nearly so: where the curvature p^T A Cov A^T p
    // of a search direction comes out negative (impossible for a covariance), its magnitude is used,
    // so that the step never exceeds the exact one for that direction's |curvature|; a sample whose
    // products turn non-finite stops iterating.
    auto cov_term = [&](const at::Tensor& v) { return L.JA(s2 * L.JDt(L.JAt(v))); };
    const at::Tensor& r0 = L.residual();
    at::Tensor v = at::zeros_like(r0), r = r0, p = r0, rr = rowsum(r0 * r0);
    at::Tensor active = at::ones_like(rr, rr.options().dtype(at::kBool));
    for (int k = 0; k < cg_iterations; ++k) {
      const at::Tensor Cp = cov_term(p);
      const at::Tensor pCp = rowsum(p * Cp);
      const at::Tensor sign = at::where(pCp < 0, -at::ones_like(pCp), at::ones_like(pCp));
      const at::Tensor Mp = var_y * p + per_sample(sign, Cp) * Cp;
      const at::Tensor curvature = rowsum(p * Mp);  // var_y |p|^2 + |p^T Cov-term p|
      active = active & at::isfinite(curvature) & (curvature > 0);
      const at::Tensor alpha = at::where(active, rr / curvature.clamp_min(1e-30), at::zeros_like(rr));
      v = v + per_sample(alpha, p) * p;
      r = r - per_sample(alpha, Mp) * at::nan_to_num(Mp);
      const at::Tensor rr_next = rowsum(r * r);
      const at::Tensor beta = at::where(active & (rr > 0), rr_next / rr.clamp_min(1e-30), at::zeros_like(rr));
      p = r + per_sample(beta, p) * p;
      rr = rr_next;
    }
    const at::Tensor d = L.denoised().detach();
    const at::Tensor guided = d + s2 * L.JDt(L.JAt(v.detach()));
    // A sample whose correction is not finite keeps the unguided estimate.
    const at::Tensor finite = rowsum(at::isfinite(guided).logical_not().to(at::kInt)) == 0;
    return at::where(per_sample(finite, guided), guided, d).detach();
  };
}

DenoiseFn diagonal_guided_denoiser(DenoiseFn denoise, ObservationOperator A, at::Tensor y, double var_y,
                                   double gamma) {
  check_noise(var_y, "guidance");
  if (!(gamma >= 0)) throw InputError("guidance: expected gamma >= 0, found " + std::to_string(gamma));
  return [denoise = std::move(denoise), A = std::move(A), y = std::move(y), var_y, gamma](
             const at::Tensor& x_t, const at::Tensor& sigma) {
    c10::AutoGradMode grad_mode(true);
    const Linearisation L(denoise, A, y, x_t, sigma);
    const at::Tensor s2 = sigma.to(at::kDouble).pow(2);
    const at::Tensor scale = per_sample((s2 / (var_y + gamma * s2)).to(x_t.scalar_type()), x_t);
    return (L.denoised().detach() + scale * L.JDt(L.JAt(L.residual()))).detach();
  };
}

}  // namespace leap::models
