// PSGD-Kron (leap/train/psgd_kron.h): it solves an ill-conditioned matrix least-squares problem
// that momentum SGD with the same learning rate and steps does not; its fitted preconditioner
// whitens gradients of known Kronecker covariance (P -> C^(-1/2), factor by factor); large,
// skewed, 1-D and scalar dimensions get diagonal factors; the Kronecker contractions equal the
// explicit Kronecker matrix; a checkpoint (optimiser state and RNG) resumes bit for bit; the
// config selects and validates it.
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <c10/core/GradMode.h>
#include <gtest/gtest.h>
#include <torch/nn/module.h>
#include <torch/optim/sgd.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "leap/config/schema.h"
#include "leap/error.h"
#include "leap/train/checkpoint.h"
#include "leap/train/optim_config.h"
#include "leap/train/psgd_kron.h"

namespace {

using leap::train::PsgdKron;
using leap::train::PsgdKronOptions;

// A random symmetric positive-definite n x n matrix with eigenvalues log-spaced in [lo, 1].
at::Tensor spd(int64_t n, double lo, at::ScalarType dtype = at::kDouble) {
  at::Tensor q = std::get<0>(at::linalg_qr(at::randn({n, n}, at::kDouble)));
  at::Tensor e = at::logspace(std::log10(lo), 0.0, n, 10.0, at::kDouble);
  return (q * e).mm(q.t()).to(dtype);
}

// Symmetric matrix power through the eigendecomposition.
at::Tensor spd_pow(const at::Tensor& a, double power) {
  auto [e, v] = at::linalg_eigh(a.to(at::kDouble));
  return (v * e.pow(power)).mm(v.t());
}

double cosine_lr(double lr, int step, int steps) {
  return lr * 0.5 * (1 + std::cos(M_PI * step / steps));
}

// 0.5 tr((W - W*)^T A (W - W*) B): Hessian B (x) A, condition number cond(A) cond(B).
struct MatrixQuadratic {
  at::Tensor a, b, target;
  double loss(const at::Tensor& w) const {
    at::Tensor e = w.detach().to(at::kDouble) - target;
    return 0.5 * (e * a.mm(e).mm(b)).sum().item<double>();
  }
  at::Tensor grad(const at::Tensor& w) const {
    return a.mm(w.detach().to(at::kDouble) - target).mm(b).to(w.dtype());
  }
};

template <class Opt>
double minimise(const MatrixQuadratic& f, Opt& opt, at::Tensor& w, double lr, int steps) {
  for (int s = 0; s < steps; ++s) {
    for (auto& g : opt.param_groups()) g.options().set_lr(cosine_lr(lr, s, steps));
    w.mutable_grad() = f.grad(w);
    opt.step();
  }
  return f.loss(w);
}

TEST(PsgdKron, SolvesIllConditionedLeastSquares) {
  at::set_num_threads(1);
  at::manual_seed(1);
  MatrixQuadratic f;
  f.a = spd(24, 1e-3);  // row space: condition 1e3
  f.b = spd(16, 1e-3);  // column space: condition 1e3 (Hessian: 1e6)
  f.target = at::randn({24, 16}, at::kDouble);
  const int steps = 1500;
  const double lr = 0.02;
  const double initial = f.loss(at::zeros({24, 16}));

  at::Tensor w_psgd = at::zeros({24, 16}).requires_grad_(true);
  PsgdKron psgd({w_psgd}, PsgdKronOptions(lr));
  const double loss_psgd = minimise(f, psgd, w_psgd, lr, steps);

  at::Tensor w_sgd = at::zeros({24, 16}).requires_grad_(true);
  torch::optim::SGD sgd({w_sgd}, torch::optim::SGDOptions(lr).momentum(0.9));
  const double loss_sgd = minimise(f, sgd, w_sgd, lr, steps);

  // Momentum SGD with the largest stable step for this Hessian (its top eigenvalue is 1).
  at::Tensor w_best = at::zeros({24, 16}).requires_grad_(true);
  torch::optim::SGD best({w_best}, torch::optim::SGDOptions(1.0).momentum(0.9));
  const double loss_best = minimise(f, best, w_best, 1.0, steps);

  const double err_psgd = (w_psgd.detach().to(at::kDouble) - f.target).norm().item<double>();
  const double err_best = (w_best.detach().to(at::kDouble) - f.target).norm().item<double>();
  std::printf(
      "loss after %d steps (initial %.4g): PSGD-Kron %.3g, momentum SGD (lr %g) %.3g, "
      "momentum SGD (lr 1) %.3g; |W - W*|: PSGD-Kron %.3g, SGD (lr 1) %.3g (initial %.3g)\n",
      steps, initial, loss_psgd, lr, loss_sgd, loss_best, err_psgd, err_best, f.target.norm().item<double>());
  EXPECT_LT(loss_psgd, 1e-4 * initial);
  EXPECT_LT(loss_psgd, 1e-2 * loss_sgd);
  EXPECT_LT(err_psgd, err_best);
}

// Gradients G = A^(1/2) Z B^(1/2) (Z standard normal) have covariance C = B (x) A, the Hessian of
// the quadratic above when the gradient noise is Fisher-like. The whitening fixed point is
// P = C^(-1/2) = B^(-1/2) (x) A^(-1/2): each factor Q_i^T Q_i must be proportional to the
// inverse square root of its side, i.e. A^(1/4) Q_1^T Q_1 A^(1/4) proportional to the identity.
TEST(PsgdKron, PreconditionerWhitensKroneckerCovariance) {
  at::set_num_threads(1);
  at::manual_seed(2);
  const at::Tensor a = spd(16, 1e-2, at::kFloat), b = spd(12, 1e-2, at::kFloat);
  const at::Tensor a_half = spd_pow(a, 0.5).to(at::kFloat), b_half = spd_pow(b, 0.5).to(at::kFloat);
  at::Tensor w = at::zeros({16, 12}).requires_grad_(true);
  PsgdKron opt({w}, PsgdKronOptions(0.0).momentum(0.0).update_probability(1.0));
  auto run = [&](int steps, double precond_lr) {
    for (auto& g : opt.param_groups()) static_cast<PsgdKronOptions&>(g.options()).precond_lr(precond_lr);
    for (int s = 0; s < steps; ++s) {
      w.mutable_grad() = a_half.mm(at::randn({16, 12})).mm(b_half);
      opt.step();
    }
  };
  run(1000, 0.1);
  run(1000, 0.02);
  run(1000, 0.005);
  const auto* st = opt.param_state(w);
  ASSERT_NE(st, nullptr);
  ASSERT_EQ(st->factors().size(), 2u);
  ASSERT_EQ(st->factors()[0].dim(), 2);
  ASSERT_EQ(st->factors()[1].dim(), 2);
  EXPECT_TRUE(at::equal(st->factors()[0], st->factors()[0].triu()));
  auto spread = [](const at::Tensor& q, const at::Tensor& side) {
    at::Tensor p = q.to(at::kDouble).t().mm(q.to(at::kDouble));
    at::Tensor r = spd_pow(side, 0.25);
    at::Tensor e = at::linalg_eigvalsh(r.mm(p).mm(r));
    return (e.max() / e.min()).item<double>();
  };
  const double spread_a = spread(st->factors()[0], a), spread_b = spread(st->factors()[1], b);
  // Without preconditioning (P = I) the spread would be cond(A^(1/2)) = cond(B^(1/2)) = 10.
  std::printf("eigenvalue spread of A^(1/4) P_A A^(1/4): %.3f, of B^(1/4) P_B B^(1/4): %.3f (P = I: 10)\n",
              spread_a, spread_b);
  EXPECT_LT(spread_a, 1.5);
  EXPECT_LT(spread_b, 1.5);
}

TEST(PsgdKron, DenseOrDiagonalFactors) {
  using leap::train::psgd_kron_dense_dims;
  PsgdKronOptions o;
  o.max_size_triangular(32);
  EXPECT_EQ(psgd_kron_dense_dims({6, 40}, o), (std::vector<bool>{true, false}));  // 40 > 32
  EXPECT_EQ(psgd_kron_dense_dims({32, 32}, o), (std::vector<bool>{true, true}));  // 32 is allowed
  EXPECT_EQ(psgd_kron_dense_dims({40}, o), (std::vector<bool>{false}));           // 1-D
  EXPECT_EQ(psgd_kron_dense_dims({5}, o), (std::vector<bool>{false}));
  EXPECT_EQ(psgd_kron_dense_dims({}, o), (std::vector<bool>{false}));            // scalar
  EXPECT_EQ(psgd_kron_dense_dims({1, 6}, o), (std::vector<bool>{false, true}));  // size 1
  EXPECT_EQ(psgd_kron_dense_dims({8, 4, 3, 3}, o), (std::vector<bool>{true, true, true, true}));
  o.max_skew_triangular(1.0);  // d^2 > numel: diagonal
  EXPECT_EQ(psgd_kron_dense_dims({2, 50}, o), (std::vector<bool>{true, false}));
  EXPECT_EQ(psgd_kron_dense_dims({10, 10}, o), (std::vector<bool>{true, true}));
  o.max_skew_triangular(0.0).max_size_triangular(0);
  EXPECT_EQ(psgd_kron_dense_dims({6, 4}, o), (std::vector<bool>{false, false}));

  // The optimiser builds exactly these factors, and steps all kinds of parameters.
  at::manual_seed(3);
  std::vector<at::Tensor> params = {at::randn({6, 40}), at::randn({40}), at::randn({}), at::randn({1, 6}),
                                    at::randn({8, 4, 3, 3})};
  for (auto& p : params) p.requires_grad_(true);
  PsgdKron opt(params, PsgdKronOptions(1e-2).max_size_triangular(32));
  for (int s = 0; s < 3; ++s) {
    for (auto& p : params) p.mutable_grad() = at::randn(p.sizes());
    opt.step();
  }
  const std::vector<std::vector<int64_t>> expected_dims = {{2, 1}, {1}, {1}, {1, 2}, {2, 2, 2, 2}};
  for (size_t i = 0; i < params.size(); ++i) {
    const auto* st = opt.param_state(params[i]);
    ASSERT_NE(st, nullptr);
    std::vector<int64_t> dims;
    for (const auto& f : st->factors()) dims.push_back(f.dim());
    EXPECT_EQ(dims, expected_dims[i]) << "parameter " << i;
    for (size_t k = 0; k < st->factors().size(); ++k) {
      const auto& f = st->factors()[k];
      EXPECT_EQ(f.size(0), params[i].dim() == 0 ? 1 : params[i].size(static_cast<int64_t>(k)));
      if (f.dim() == 2) {
        EXPECT_TRUE(at::equal(f, f.triu()));  // stays upper triangular
      }
    }
    EXPECT_TRUE(at::isfinite(params[i]).all().item<bool>());
  }
}

// The per-dimension contractions equal (Q^T Q) vec(g) with the explicit Kronecker product.
TEST(PsgdKron, PreconditionMatchesExplicitKroneckerProduct) {
  at::manual_seed(4);
  const std::vector<at::Tensor> q = {at::randn({3, 3}, at::kDouble).triu(), at::randn({4}, at::kDouble),
                                     at::randn({5, 5}, at::kDouble).triu()};
  const at::Tensor g = at::randn({3, 4, 5}, at::kDouble);
  const at::Tensor big = at::kron(at::kron(q[0], at::diag(q[1])), q[2]);  // row-major vec
  const at::Tensor expected = big.t().mm(big).mv(g.reshape({-1}));
  const at::Tensor got = leap::train::psgd_kron_precondition(q, g);
  EXPECT_EQ(got.sizes(), g.sizes());
  EXPECT_LT((got.reshape({-1}) - expected).abs().max().item<double>(),
            1e-10 * expected.abs().max().item<double>());
  // A scalar: one 1-element factor.
  const at::Tensor s =
      leap::train::psgd_kron_precondition({at::full({1}, 3.0, at::kDouble)}, at::full({}, 2.0, at::kDouble));
  EXPECT_EQ(s.dim(), 0);
  EXPECT_DOUBLE_EQ(s.item<double>(), 18.0);
}

struct Tiny : torch::nn::Module {
  at::Tensor w, b, s;
  Tiny() {
    w = register_parameter("w", at::randn({5, 4}));
    b = register_parameter("b", at::randn({4}));
    s = register_parameter("s", at::randn({}));
  }
  at::Tensor loss(const at::Tensor& x) { return (x.mm(w) + b).tanh().pow(2).sum() * s.pow(2) + s.pow(4); }
};

// The optimiser's state and the RNG go through a LEAP checkpoint: the resumed run continues
// exactly as the uninterrupted one (preconditioner updates with random vectors included).
TEST(PsgdKron, CheckpointResumesIdentically) {
  at::set_num_threads(1);
  at::manual_seed(5);
  const at::Tensor x = at::randn({7, 5});
  auto train = [&](Tiny& m, torch::optim::Optimizer& opt, int steps) {
    for (int i = 0; i < steps; ++i) {
      opt.zero_grad();
      m.loss(x).backward();
      opt.step();
    }
  };
  const auto options = PsgdKronOptions(1e-2).update_probability(0.5).weight_decay(0.1);
  Tiny first;
  PsgdKron opt1(first.parameters(), options);
  train(first, opt1, 7);
  const std::string path =
      (std::filesystem::temp_directory_path() / ("leap_psgd_kron_" + std::to_string(::getpid()) + ".ckpt"))
          .string();
  leap::train::CheckpointInfo info;
  info.kind = "test";
  leap::train::save_checkpoint(path, first, &opt1, {}, info);
  train(first, opt1, 4);

  at::manual_seed(99);  // another initialisation and RNG stream, replaced by the checkpoint
  Tiny second;
  PsgdKron opt2(second.parameters(), options);
  leap::train::load_checkpoint(path, second, &opt2, nullptr, false, /*restore_rng=*/true);
  std::filesystem::remove(path);
  const auto* st = opt2.param_state(second.w);
  ASSERT_NE(st, nullptr);
  EXPECT_EQ(st->step(), 7);
  EXPECT_EQ(st->factors().size(), 2u);
  EXPECT_EQ(opt2.param_state(second.s)->factors().size(), 1u);
  train(second, opt2, 4);
  EXPECT_TRUE(at::equal(first.w, second.w));
  EXPECT_TRUE(at::equal(first.b, second.b));
  EXPECT_TRUE(at::equal(first.s, second.s));
  EXPECT_TRUE(at::equal(opt1.param_state(first.w)->factors()[0], opt2.param_state(second.w)->factors()[0]));
  EXPECT_TRUE(
      at::equal(opt1.param_state(first.w)->momentum_buffer(), opt2.param_state(second.w)->momentum_buffer()));
  EXPECT_EQ(opt1.param_state(first.w)->precond_updates(), opt2.param_state(second.w)->precond_updates());

  // Control: the same state with other random vectors (the RNG not restored) gives another
  // preconditioner and other weights, so the equalities above are not vacuous.
  leap::train::save_checkpoint(path, second, &opt2, {}, info);
  Tiny third;
  PsgdKron opt3(third.parameters(), options);
  leap::train::load_checkpoint(path, third, &opt3, nullptr, false, /*restore_rng=*/false);
  std::filesystem::remove(path);
  at::manual_seed(1234);
  train(second, opt2, 4);
  train(third, opt3, 4);
  EXPECT_FALSE(at::equal(opt2.param_state(second.w)->factors()[0], opt3.param_state(third.w)->factors()[0]));
  EXPECT_FALSE(at::equal(second.w, third.w));
}

TEST(PsgdKron, SelectedAndValidatedByConfig) {
  using leap::train::OptimConfig;
  auto read = [](const std::string& yaml) {
    OptimConfig cfg;
    YAML::Node node = YAML::Load(yaml);
    leap::config::ConfigReader reader("run.yaml", node);
    reader.read_section(node, "optim", cfg);
    return cfg;
  };
  const OptimConfig cfg = read(
      "optimizer: psgd_kron\nlr: 0.003\nweight_decay: 0.01\n"
      "psgd: {momentum: 0.8, precond_lr: 0.2, max_size_triangular: 512, update_probability: 0.25}\n");
  at::Tensor p = at::zeros({3, 3}).requires_grad_(true);
  auto opt = leap::train::make_optimizer({p}, cfg);
  auto* kron = dynamic_cast<PsgdKron*>(opt.get());
  ASSERT_NE(kron, nullptr);
  const auto& o = static_cast<const PsgdKronOptions&>(kron->param_groups()[0].options());
  EXPECT_DOUBLE_EQ(o.lr(), 0.003);
  EXPECT_DOUBLE_EQ(o.weight_decay(), 0.01);
  EXPECT_DOUBLE_EQ(o.momentum(), 0.8);
  EXPECT_DOUBLE_EQ(o.precond_lr(), 0.2);
  EXPECT_DOUBLE_EQ(o.update_probability(), 0.25);
  EXPECT_EQ(o.max_size_triangular(), 512);
  EXPECT_NE(dynamic_cast<torch::optim::Optimizer*>(leap::train::make_optimizer({p}, read("lr: 0.1")).get()),
            nullptr);
  EXPECT_EQ(dynamic_cast<PsgdKron*>(leap::train::make_optimizer({p}, read("lr: 0.1")).get()), nullptr);

  auto refused = [&](const std::string& yaml, const std::string& key) {
    try {
      read(yaml);
    } catch (const leap::InputError& e) {
      EXPECT_NE(std::string(e.what()).find(key), std::string::npos) << e.what();
      return;
    }
    ADD_FAILURE() << "accepted: " << yaml;
  };
  refused("optimizer: sgd", "optim.optimizer");
  refused("psgd: {precond_lr: 1.5}", "optim.psgd.precond_lr");
  refused("psgd: {momentum: -0.1}", "optim.psgd.momentum");
  refused("psgd: {update_probability: 2}", "optim.psgd.update_probability");
  refused("psgd: {min_update_probability: 0}", "optim.psgd.min_update_probability");
  refused("psgd: {max_size_triangular: -1}", "optim.psgd.max_size_triangular");
  refused("psgd: {update_clip_rms: -1}", "optim.psgd.update_clip_rms");
  refused("psgd: {unknown_key: 1}", "optim.psgd.unknown_key");

  // The annealed update probability: 1 during the flat start, then exponential down to the floor.
  PsgdKronOptions s;
  EXPECT_DOUBLE_EQ(s.update_probability_at(0), 1.0);
  EXPECT_DOUBLE_EQ(s.update_probability_at(500), 1.0);
  EXPECT_NEAR(s.update_probability_at(1500), std::exp(-1.0), 1e-12);
  EXPECT_DOUBLE_EQ(s.update_probability_at(100000), 0.03);
}

}  // namespace
