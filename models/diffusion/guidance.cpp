#include "leap/models/guidance.h"

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>
#include <torch/csrc/autograd/autograd.h>

#include <functional>
#include <string>
#include <utility>
#include <vector>

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

using LinearMap = std::function<at::Tensor(const at::Tensor&)>;

// k conjugate-gradient iterations from 0 on M v = b, per sample (rows of the batch). A sample stops
// where its curvature p^T M p is not positive and finite.
at::Tensor conjugate_gradient(const LinearMap& M, const at::Tensor& b, int iterations) {
  at::Tensor v = at::zeros_like(b), r = b, p = b, rr = rowsum(b * b);
  at::Tensor active = at::ones_like(rr, rr.options().dtype(at::kBool));
  for (int k = 0; k < iterations; ++k) {
    const at::Tensor Mp = M(p);
    const at::Tensor pMp = rowsum(p * Mp);
    active = active & at::isfinite(pMp) & (pMp > 0);
    const at::Tensor alpha = at::where(active, rr / pMp.clamp_min(1e-30), at::zeros_like(rr));
    v = v + per_sample(alpha, p) * p;
    r = r - per_sample(alpha, Mp) * at::nan_to_num(Mp);
    const at::Tensor rr_next = rowsum(r * r);
    const at::Tensor beta = at::where(active & (rr > 0), rr_next / rr.clamp_min(1e-30), at::zeros_like(rr));
    p = r + per_sample(beta, p) * p;
    rr = rr_next;
  }
  return v;
}

// k iterations of GMRES from 0 on M v = b, per sample: v in the Krylov space of b minimising
// |b - M v| (Arnoldi with modified Gram-Schmidt, the small least-squares problem by pseudo-inverse).
at::Tensor gmres(const LinearMap& M, const at::Tensor& b, int iterations) {
  const int64_t B = b.size(0);
  const auto d = b.options().dtype(at::kDouble);
  const at::Tensor beta = rowsum(b * b).to(at::kDouble).sqrt();
  std::vector<at::Tensor> V{b / per_sample(beta.clamp_min(1e-300).to(b.scalar_type()), b)};
  at::Tensor H = at::zeros({B, iterations + 1, iterations}, d);
  for (int j = 0; j < iterations; ++j) {
    at::Tensor w = at::nan_to_num(M(V[size_t(j)]));
    for (int i = 0; i <= j; ++i) {
      const at::Tensor h = rowsum(w * V[size_t(i)]);
      H.select(1, i).select(1, j).copy_(h.to(at::kDouble));
      w = w - per_sample(h, w) * V[size_t(i)];
    }
    const at::Tensor norm = rowsum(w * w).sqrt();
    H.select(1, j + 1).select(1, j).copy_(norm.to(at::kDouble));
    V.push_back(w / per_sample(norm.clamp_min(1e-30), w));
  }
  at::Tensor rhs = at::zeros({B, iterations + 1, 1}, d);
  rhs.select(1, 0).copy_(beta.unsqueeze(1));
  const at::Tensor y = at::nan_to_num(at::matmul(at::linalg_pinv(H), rhs).squeeze(2));  // (B, k)
  at::Tensor v = at::zeros_like(b);
  for (int j = 0; j < iterations; ++j)
    v = v + per_sample(y.select(1, j).to(b.scalar_type()), b) * V[size_t(j)];
  return v;
}

void check_noise(double var_y, const std::string& who) {
  if (!(var_y > 0))
    throw InputError(who + ": expected an observation variance > 0, found " + std::to_string(var_y));
}

}  // namespace

DenoiseFn mmps_denoiser(DenoiseFn denoise, ObservationOperator A, at::Tensor y, double var_y, int iterations,
                        const std::string& solver) {
  check_noise(var_y, "mmps");
  if (iterations < 1)
    throw InputError("mmps: expected at least 1 solver iteration, found " + std::to_string(iterations));
  if (solver != "gmres" && solver != "cg")
    throw InputError("mmps: expected the solver gmres or cg, found '" + solver + "'");
  return [denoise = std::move(denoise), A = std::move(A), y = std::move(y), var_y, iterations, solver](
             const at::Tensor& x_t, const at::Tensor& sigma) {
    c10::AutoGradMode grad_mode(true);
    const Linearisation L(denoise, A, y, x_t, sigma);
    const at::Tensor s2 = per_sample(sigma.to(at::kDouble).pow(2).to(x_t.scalar_type()), x_t);
    // (var_y I + sigma^2 J_A J_D J_A^T) v = y - A(D), batched per sample. J_D^T = J_D holds for the
    // exact denoiser (Tweedie); a network's Jacobian is only nearly symmetric, which GMRES tolerates
    // (CG may not: it needs a symmetric positive definite system).
    auto system = [&](const at::Tensor& v) { return var_y * v + L.JA(s2 * L.JDt(L.JAt(v))); };
    const at::Tensor v = solver == "cg" ? conjugate_gradient(system, L.residual(), iterations)
                                        : gmres(system, L.residual(), iterations);
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
