// Checkpoints round-trip weights, optimiser and RNG state; truncated, corrupted or foreign files
// and another architecture are refused as bad input. The learning-rate schedule hits its ends.
#include <ATen/ATen.h>
#include <gtest/gtest.h>
#include <torch/nn/modules/linear.h>
#include <torch/optim/adamw.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "leap/error.h"
#include "leap/train/checkpoint.h"
#include "leap/train/lr_schedule.h"

namespace fs = std::filesystem;
using namespace leap;

namespace {

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "(accepted)";
}

TEST(LrSchedule, WarmupThenCosine) {
  EXPECT_DOUBLE_EQ(train::cosine_lr(1.0, 0, 100, 10, 0.0), 0.1);
  EXPECT_DOUBLE_EQ(train::cosine_lr(1.0, 9, 100, 10, 0.0), 1.0);
  EXPECT_DOUBLE_EQ(train::cosine_lr(1.0, 10, 100, 10, 0.0), 1.0);
  EXPECT_NEAR(train::cosine_lr(1.0, 99, 100, 10, 0.1), 0.1, 1e-12);
  EXPECT_NEAR(train::cosine_lr(2.0, 10 + 89 / 2.0, 100, 10, 0.0), 1.0, 0.05);
}

TEST(Checkpoint, RoundTripAndRefusals) {
  const auto dir = fs::temp_directory_path() / ("leap_ckpt_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string path = (dir / "a.ckpt").string();

  torch::nn::Linear model(4, 3);
  torch::optim::AdamW opt(model->parameters(), torch::optim::AdamWOptions(1e-2));
  for (int i = 0; i < 3; ++i) {
    opt.zero_grad();
    model->forward(at::ones({2, 4})).pow(2).sum().backward();
    opt.step();
  }
  std::vector<at::Tensor> ema{model->weight.detach() * 0.5, model->bias.detach() * 0.5};
  train::CheckpointInfo info;
  info.kind = "autoencoder";
  info.model_yaml = "channels: [4, 3]\n";
  info.config_yaml = "seed: 1\n";
  info.epoch = 2;
  info.step = 3;
  info.best = 0.25;
  info.extra["channels"] = "[a, b]";
  at::manual_seed(5);
  train::save_checkpoint(path, *model, &opt, ema, info);
  const at::Tensor after_save = at::rand({3});  // the RNG state saved is the one before this draw

  const auto back = train::read_checkpoint_info(path, "autoencoder");
  EXPECT_EQ(back.epoch, 2);
  EXPECT_EQ(back.step, 3);
  EXPECT_DOUBLE_EQ(back.best, 0.25);
  EXPECT_EQ(back.model_yaml, info.model_yaml);
  EXPECT_EQ(back.extra.at("channels"), "[a, b]");

  torch::nn::Linear other(4, 3);
  torch::optim::AdamW opt2(other->parameters(), torch::optim::AdamWOptions(1e-2));
  std::vector<at::Tensor> ema2;
  train::load_checkpoint(path, *other, &opt2, &ema2, /*use_ema=*/false, /*restore_rng=*/true);
  EXPECT_TRUE(at::equal(other->weight, model->weight));
  EXPECT_TRUE(at::equal(other->bias, model->bias));
  ASSERT_EQ(ema2.size(), 2u);
  EXPECT_TRUE(at::equal(ema2[0], ema[0]));
  EXPECT_TRUE(at::equal(at::rand({3}), after_save));  // RNG restored
  // One more step of each optimiser gives the same weights: the Adam moments were restored.
  opt.zero_grad();
  opt2.zero_grad();
  model->forward(at::ones({2, 4})).pow(2).sum().backward();
  other->forward(at::ones({2, 4})).pow(2).sum().backward();
  opt.step();
  opt2.step();
  EXPECT_TRUE(at::allclose(other->weight, model->weight));
  // EMA weights on request.
  train::load_checkpoint(path, *other, nullptr, nullptr, /*use_ema=*/true, false);
  EXPECT_TRUE(at::equal(other->bias, ema[1]));

  EXPECT_NE(error_of([&] { train::read_checkpoint_info(path, "denoiser"); })
                .find("expected a denoiser checkpoint, found an autoencoder"),
            std::string::npos);
  torch::nn::Linear wrong(5, 3);
  EXPECT_NE(error_of([&] { train::load_checkpoint(path, *wrong, nullptr, nullptr, false, false); })
                .find("another architecture"),
            std::string::npos);
  // Truncated and foreign files.
  const auto size = fs::file_size(path);
  fs::copy_file(path, dir / "t.ckpt");
  fs::resize_file(dir / "t.ckpt", size / 2);
  EXPECT_NE(error_of([&] { train::read_checkpoint_info((dir / "t.ckpt").string()); }).find("truncated/corrupted"),
            std::string::npos);
  std::ofstream(dir / "x.ckpt") << "not a checkpoint";
  EXPECT_NE(error_of([&] { train::read_checkpoint_info((dir / "x.ckpt").string()); }).find("not a LEAP checkpoint"),
            std::string::npos);
  EXPECT_NE(error_of([&] { train::read_checkpoint_info((dir / "none.ckpt").string()); }).find("no such checkpoint"),
            std::string::npos);
  EXPECT_EQ(train::yaml_difference("a: 1\nb: [1, 2]\n", "a: 1\nb: [1, 3]\n"), "b[1]: 2 vs 3");
  EXPECT_EQ(train::yaml_difference("a: {c: 1}\n", "a: {c: 1}\n"), "");
  fs::remove_all(dir);
}

}  // namespace
