// The CUDA code paths against the fp32 CPU path: bf16 networks, flash attention, autocast training
// losses and gradients, CUDA-graph replay of the whole emulation call; checkpoints that restore the
// CUDA generator's state. Skipped with a message where
// no GPU is visible (every test builds everywhere).
#include <ATen/ATen.h>
#include <c10/core/GradMode.h>
#include <gtest/gtest.h>
#include <torch/cuda.h>
#include <torch/nn/modules/linear.h>
#include <torch/version.h>
#include <unistd.h>

#include <filesystem>

#include "leap/models/attention.h"
#include "leap/models/autocast_guard.h"
#include "leap/models/context_mask.h"
#include "leap/models/cuda_graph.h"
#include "leap/models/dcae.h"
#include "leap/models/denoiser.h"
#include "leap/models/denoising_loss.h"
#include "leap/models/emulation_engine.h"
#include "leap/train/checkpoint.h"
#include "leap/version.h"

namespace {

using namespace leap::models;

#define REQUIRE_GPU()                                                                     \
  do {                                                                                    \
    if (!LEAP_WITH_CUDA) GTEST_SKIP() << "built without CUDA: GPU test skipped";          \
    if (!torch::cuda::is_available()) GTEST_SKIP() << "no GPU visible: GPU test skipped"; \
  } while (0)

const at::Device kGpu("cuda");

ViTConfig small_vit() {
  ViTConfig c;
  c.width = 128;
  c.depth = 3;
  c.heads = 2;  // head size 64: a size flash attention takes
  c.emb_features = 32;
  c.param_features = 3;
  return c;
}

AutoencoderConfig small_ae() {
  AutoencoderConfig c;
  c.in_channels = 5;
  c.latent_channels = 8;
  c.channels = {16, 32, 64};
  c.blocks = {1, 1, 1};
  return c;
}

double rel(const at::Tensor& a, const at::Tensor& b) {
  const at::Tensor x = a.to(at::kCPU, at::kDouble), y = b.to(at::kCPU, at::kDouble);
  return ((x - y).norm() / y.norm()).item<double>();
}

template <class M>
void copy_weights(M& dst, M& src) {
  c10::NoGradGuard g;
  auto s = src->parameters(), d = dst->parameters();
  for (size_t i = 0; i < s.size(); ++i) d[i].copy_(s[i]);
}

void exact_fp32() {
  at::globalContext().setAllowTF32CuBLAS(false);
  at::globalContext().setAllowTF32CuDNN(false);
}

TEST(Gpu, FlashAttentionEqualsTheDirectFormula) {
  REQUIRE_GPU();
  exact_fp32();
  at::manual_seed(0);
  const auto o = at::TensorOptions().device(kGpu);
  const at::Tensor q = at::randn({4, 8, 320, 64}, o), k = at::randn({4, 8, 320, 64}, o),
                   v = at::randn({4, 8, 320, 64}, o);
  const at::Tensor ref =
      attention_fallback(q.cpu().to(at::kDouble), k.cpu().to(at::kDouble), v.cpu().to(at::kDouble));
  set_attention_kernel(AttentionKernel::sdpa);
  const double e32 = rel(attention(q, k, v), ref);
  const double e16 = rel(attention(q.to(at::kBFloat16), k.to(at::kBFloat16), v.to(at::kBFloat16)), ref);
  std::printf("sdpa fp32 %.2e, sdpa bf16 %.2e against fp64\n", e32, e16);
  EXPECT_LT(e32, 1e-4);
  EXPECT_LT(e16, 1e-2);
}

TEST(Gpu, Bf16DenoiserMatchesFp32Cpu) {
  REQUIRE_GPU();
  exact_fp32();
  at::manual_seed(1);
  Denoiser cpu(8, small_vit()), gpu(8, small_vit());
  copy_weights(gpu, cpu);
  cpu->eval();
  gpu->eval();
  const at::Tensor x = at::randn({2, 8, 5, 8, 8}), sigma = at::tensor({0.3f, 4.0f}), theta = at::rand({2, 3});
  const at::Tensor mask = context_mask(2, 5, 1);
  c10::NoGradGuard g;
  const at::Tensor ref = cpu->forward(x, sigma, mask, x, theta);
  gpu->to(kGpu);
  gpu->to(at::kBFloat16);
  for (bool sdpa : {false, true}) {
    set_attention_kernel(sdpa ? AttentionKernel::sdpa : AttentionKernel::math);
    const at::Tensor out =
        gpu->forward(x.to(kGpu), sigma.to(kGpu), mask.to(kGpu), x.to(kGpu), theta.to(kGpu));
    EXPECT_EQ(out.scalar_type(), at::kFloat);
    const double e = rel(out, ref);
    std::printf("bf16 denoiser on the GPU (%s attention) vs fp32 CPU: %.2e\n", sdpa ? "sdpa" : "math", e);
    EXPECT_LT(e, 2e-2);
    EXPECT_TRUE(at::equal(out.narrow(2, 0, 1).cpu(), x.narrow(2, 0, 1)));  // known frame unchanged
  }
}

TEST(Gpu, Bf16ChannelsLastAutoencoderMatchesFp32Cpu) {
  REQUIRE_GPU();
  exact_fp32();
  at::manual_seed(2);
  Autoencoder cpu(small_ae()), gpu(small_ae());
  copy_weights(gpu, cpu);
  cpu->eval();
  gpu->eval();
  const at::Tensor x = at::randn({2, 5, 64, 64});
  c10::NoGradGuard g;
  const at::Tensor z = cpu->encode(x), y = cpu->decode(z);
  gpu->to(kGpu);
  gpu->to(at::kBFloat16);
  for (auto& p : gpu->parameters())
    if (p.dim() == 4) p.set_data(p.contiguous(at::MemoryFormat::ChannelsLast));
  const at::Tensor xg = x.to(kGpu).contiguous(at::MemoryFormat::ChannelsLast);
  const double ez = rel(gpu->encode(xg), z), ey = rel(gpu->decode(z.to(kGpu)), y);
  std::printf("bf16 channels-last autoencoder on the GPU vs fp32 CPU: encode %.2e, decode %.2e\n", ez, ey);
  EXPECT_LT(ez, 2e-2);
  EXPECT_LT(ey, 2e-2);
}

TEST(Gpu, AutocastTrainingLossAndGradientsMatchFp32Cpu) {
  REQUIRE_GPU();
  exact_fp32();
  at::manual_seed(3);
  Denoiser cpu(8, small_vit()), gpu(8, small_vit());
  copy_weights(gpu, cpu);
  gpu->to(kGpu);
  const at::Tensor x = at::randn({4, 8, 5, 8, 8}), theta = at::rand({4, 3});
  const at::Tensor mask = context_mask(4, 5, 2), sigma = at::tensor({0.01f, 0.5f, 3.0f, 50.0f}),
                   noise = at::randn_like(x);
  cpu->train();
  gpu->train();
  const at::Tensor l_cpu = denoising_loss(cpu, x, mask, theta, sigma, noise);
  l_cpu.backward();
  at::Tensor l_gpu;
  {
    AutocastGuard autocast(at::kCUDA, at::kBFloat16);
    l_gpu = denoising_loss(gpu, x.to(kGpu), mask.to(kGpu), theta.to(kGpu), sigma.to(kGpu), noise.to(kGpu));
  }
  l_gpu.backward();
  EXPECT_EQ(gpu->parameters()[0].scalar_type(), at::kFloat);  // fp32 master weights
  const double el = std::abs(l_gpu.item<double>() / l_cpu.item<double>() - 1);
  std::vector<at::Tensor> gc, gg;
  for (auto& p : cpu->parameters()) gc.push_back(p.grad().flatten());
  for (auto& p : gpu->parameters()) gg.push_back(p.grad().cpu().flatten());
  const at::Tensor a = at::cat(gc).to(at::kDouble), b = at::cat(gg).to(at::kDouble);
  const double cosine = (a.dot(b) / (a.norm() * b.norm())).item<double>();
  std::printf("autocast bf16 loss vs fp32 CPU: relative %.2e, gradient cosine %.5f\n", el, cosine);
  EXPECT_LT(el, 2e-2);
  EXPECT_GT(cosine, 0.99);
}

TEST(Gpu, CudaGraphReplayEqualsEagerAndBf16MatchesFp32Cpu) {
  REQUIRE_GPU();
  exact_fp32();
  at::manual_seed(4);
  Denoiser cpu(8, small_vit()), eager(8, small_vit()), graphed(8, small_vit());
  copy_weights(eager, cpu);
  copy_weights(graphed, cpu);
  Autoencoder ae_cpu(small_ae()), ae_gpu(small_ae());
  copy_weights(ae_gpu, ae_cpu);
  ae_cpu->eval();
  ae_gpu->eval();
  eager->to(kGpu);
  graphed->to(kGpu);
  ae_gpu->to(kGpu);
  ae_gpu->to(at::kBFloat16);
  auto dec_cpu = [ae_cpu](const at::Tensor& z) mutable { return ae_cpu->decode(z); };
  auto dec_gpu = [ae_gpu](const at::Tensor& z) mutable { return ae_gpu->decode(z); };
  EmulationEngine ref(cpu, Sampler(), 5, 1, {}, dec_cpu);
  EmulationEngine e(eager, Sampler(), 5, 1, {true, false}, dec_gpu);
  EmulationEngine gr(graphed, Sampler(), 5, 1, {true, true}, dec_gpu);
  for (int call = 0; call < 3; ++call) {
    for (int64_t B : {1, 3}) {
      const at::Tensor ctx = at::randn({B, 8, 1, 16, 16}), theta = at::rand({B, 3}),
                       eps = at::randn({B, 8, 5, 16, 16});
      const auto r = ref.step(ctx, theta, eps);
      const auto a = e.step(ctx.to(kGpu), theta.to(kGpu), eps.to(kGpu));
      const auto b = gr.step(ctx.to(kGpu), theta.to(kGpu), eps.to(kGpu));
      EXPECT_LT(rel(b.latent, a.latent), 1e-6) << "graph replay differs from eager, batch " << B;
      EXPECT_LT(rel(b.decoded, a.decoded), 1e-6);
      const double el = rel(b.latent, r.latent), ed = rel(b.decoded, r.decoded);
      if (call == 0)
        std::printf("batch %ld: bf16 + graph vs fp32 CPU: latent %.2e, decoded %.2e\n", long(B), el, ed);
      EXPECT_LT(el, 5e-2);
      EXPECT_LT(ed, 5e-2);
    }
  }
#if LEAP_WITH_CUDA
  EXPECT_EQ(CudaGraphCall::available(), true);
#endif
}

// Resuming on a GPU draws the same noise as an uninterrupted run: the checkpoint holds the CUDA
// generator's state (the denoising loss draws its sigmas and noise there) and load restores it.
TEST(Gpu, CheckpointRestoresTheCudaGeneratorState) {
  REQUIRE_GPU();
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("leap_gpu_rng_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string path = (dir / "rng.ckpt").string();
  torch::nn::Linear model(4, 3);
  leap::train::CheckpointInfo info;
  info.kind = "autoencoder";
  info.model_yaml = "channels: [4, 3]\n";
  info.config_yaml = "seed: 1\n";
  at::manual_seed(11);
  (void)at::randn({5}, at::TensorOptions().device(kGpu));  // advance the CUDA generator
  leap::train::save_checkpoint(path, *model, nullptr, {}, info);
  const at::Tensor after_save = at::randn({1000}, at::TensorOptions().device(kGpu)).cpu();
  const at::Tensor further = at::randn({1000}, at::TensorOptions().device(kGpu)).cpu();
  EXPECT_FALSE(at::equal(after_save, further));  // the generator did move on
  leap::train::load_checkpoint(path, *model, nullptr, nullptr, /*use_ema=*/false, /*restore_rng=*/true);
  EXPECT_TRUE(at::equal(at::randn({1000}, at::TensorOptions().device(kGpu)).cpu(), after_save));
  // Without restore_rng the generator is left alone.
  leap::train::load_checkpoint(path, *model, nullptr, nullptr, false, /*restore_rng=*/false);
  EXPECT_FALSE(at::equal(at::randn({1000}, at::TensorOptions().device(kGpu)).cpu(), after_save));
  fs::remove_all(dir);
}

}  // namespace
