#include "leap/train/trainer.h"

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>
#include <torch/nn/module.h>
#include <torch/nn/utils/clip_grad.h>
#include <torch/optim/optimizer.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>

#include <torch/optim/adamw.h>

#include "leap/error.h"
#include "leap/log.h"
#include "leap/models/autocast_guard.h"
#include "leap/train/data_parallel.h"
#include "leap/train/gradient_reducer.h"
#include "leap/train/lr_schedule.h"
#include "leap/train/psgd_kron.h"
#include "leap/util/progress.h"
#include "leap/util/fault_injection.h"

namespace leap::train {

namespace {

void swap_weights(const std::vector<at::Tensor>& params, std::vector<at::Tensor>& other) {
  c10::NoGradGuard guard;
  for (size_t i = 0; i < params.size(); ++i) {
    at::Tensor tmp = params[i].detach().clone();
    params[i].detach().copy_(other[i]);
    other[i].copy_(tmp);
  }
}

// Optimiser state restored from a checkpoint (CPU tensors) goes to the device of the parameters.
void move_optimizer_state(torch::optim::Optimizer& optimizer, const at::Device& device) {
  if (device.is_cpu()) return;
  for (auto& [key, state] : optimizer.state()) {
    (void)key;
    if (auto* a = dynamic_cast<torch::optim::AdamWParamState*>(state.get())) {
      a->exp_avg(a->exp_avg().to(device));
      a->exp_avg_sq(a->exp_avg_sq().to(device));
      if (a->max_exp_avg_sq().defined()) a->max_exp_avg_sq(a->max_exp_avg_sq().to(device));
    } else if (auto* k = dynamic_cast<PsgdKronParamState*>(state.get())) {
      if (k->momentum_buffer().defined()) k->momentum_buffer(k->momentum_buffer().to(device));
      std::vector<at::Tensor> f = k->factors();
      for (auto& t : f) t = t.to(device);
      k->factors(f);
    }
  }
}

// The run so far (history, initial validation, best epoch, skipped steps, seconds, samples), kept
// in every checkpoint so that a resumed run reports the whole run, as an uninterrupted one does.
constexpr const char* kRunRecordKey = "run_record";

nlohmann::json number(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }
double number(const nlohmann::json& j) {
  return j.is_number() ? j.get<double>() : std::numeric_limits<double>::quiet_NaN();
}

nlohmann::json validation_json(const Validation& v) {
  nlohmann::json j{{"loss", number(v.loss)}, {"metrics", nlohmann::json::object()}};
  for (const auto& [k, x] : v.metrics) j["metrics"][k] = number(x);
  return j;
}
Validation validation_from(const nlohmann::json& j) {
  Validation v;
  v.loss = number(j.at("loss"));
  for (const auto& [k, x] : j.at("metrics").items()) v.metrics[k] = number(x);
  return v;
}

std::string run_record(const TrainResult& r, double seconds, int64_t samples) {
  nlohmann::json j{{"best_epoch", r.best_epoch}, {"skipped_steps", r.skipped_steps}, {"seconds", seconds},
                   {"samples", samples}, {"gradient_allreduces", r.gradient_allreduces},
                   {"initial", validation_json(r.initial)}, {"history", nlohmann::json::array()}};
  for (const auto& e : r.history)
    j["history"].push_back({{"epoch", e.epoch}, {"train_loss", number(e.train_loss)}, {"lr", number(e.lr)},
                            {"seconds", e.seconds}, {"validation", validation_json(e.validation)}});
  return j.dump();
}

// Restores what run_record() kept; false when the checkpoint has none (written by an older LEAP).
bool restore_run_record(const std::map<std::string, std::string>& extra, const std::string& path, TrainResult* r,
                        double* seconds, int64_t* samples) {
  const auto it = extra.find(kRunRecordKey);
  if (it == extra.end()) return false;
  try {
    const nlohmann::json j = nlohmann::json::parse(it->second);
    r->best_epoch = j.at("best_epoch").get<int64_t>();
    r->skipped_steps = j.at("skipped_steps").get<int64_t>();
    *seconds = j.at("seconds").get<double>();
    *samples = j.at("samples").get<int64_t>();
    r->gradient_allreduces = j.value("gradient_allreduces", int64_t(0));
    r->initial = validation_from(j.at("initial"));
    for (const auto& h : j.at("history")) {
      EpochRecord e;
      e.epoch = h.at("epoch").get<int64_t>();
      e.train_loss = number(h.at("train_loss"));
      e.lr = number(h.at("lr"));
      e.seconds = h.at("seconds").get<double>();
      e.validation = validation_from(h.at("validation"));
      r->history.push_back(e);
    }
    if (!r->history.empty()) r->last = r->history.back().validation;
  } catch (const std::exception& e) {
    throw InputError(path + ": the checkpoint's run record is damaged (" + e.what() + ")");
  }
  return true;
}

}  // namespace

TrainResult train_loop(torch::nn::Module& model, data::WindowLoader& loader, const LossFn& loss_fn,
                       const ValidateFn& validate, const TrainLoopOptions& o) {
  int rank = 0, world = 1;
  MPI_Comm_rank(o.comm, &rank);
  MPI_Comm_size(o.comm, &world);
  namespace fs = std::filesystem;
  const std::string last_path = (fs::path(o.out_dir) / "last.ckpt").string();
  const std::string best_path = (fs::path(o.out_dir) / "best.ckpt").string();

  model.to(o.device);
  std::vector<at::Tensor> params = model.parameters();
  const std::unique_ptr<torch::optim::Optimizer> optimizer_owner = make_optimizer(params, o.optim);
  torch::optim::Optimizer& optimizer = *optimizer_owner;  // AdamW or PSGD-Kron (optim.optimizer)
  std::vector<at::Tensor> ema;
  if (o.optim.ema > 0)
    for (const auto& p : params) ema.push_back(p.detach().clone());

  CheckpointInfo info = o.info;
  TrainResult result;
  result.best_loss = std::numeric_limits<double>::infinity();
  int64_t start_epoch = 0, step = 0;
  double seconds_before = 0;  // of the run before it was resumed
  int64_t samples = 0;
  if (o.resume) {
    const CheckpointInfo prev = read_checkpoint_info(last_path, o.info.kind);
    const std::string diff = yaml_difference(prev.model_yaml, o.info.model_yaml);
    if (!diff.empty())
      throw InputError(last_path + ": the checkpoint's model differs from the config: " + diff);
    load_checkpoint(last_path, model, &optimizer, o.optim.ema > 0 ? &ema : nullptr, false, true);
    move_optimizer_state(optimizer, o.device);
    start_epoch = prev.epoch;
    step = prev.step;
    result.best_loss = prev.best;
    if (!restore_run_record(prev.extra, last_path, &result, &seconds_before, &samples))
      spdlog::warn("{}: {} has no run record: metrics.json will hold the epochs from here on", o.label,
                   last_path);
    spdlog::info("{}: resuming {} after epoch {} (step {})", o.label, last_path, start_epoch, step);
  } else {
    if (!o.init.empty()) {
      const CheckpointInfo prev = read_checkpoint_info(o.init, o.info.kind);
      const std::string diff = yaml_difference(prev.model_yaml, o.info.model_yaml);
      if (!diff.empty())
        throw InputError(o.init + ": the checkpoint's model differs from the config: " + diff);
      load_checkpoint(o.init, model, nullptr, nullptr, /*use_ema=*/true, /*restore_rng=*/false);
      if (!ema.empty()) {
        c10::NoGradGuard guard;
        for (size_t i = 0; i < params.size(); ++i) ema[i].copy_(params[i].detach());
      }
      spdlog::info("{}: fine-tuning from {} (trained {} epochs there)", o.label, o.init, prev.epoch);
    }
    broadcast_parameters(params, o.comm);
    if (!ema.empty()) broadcast_parameters(ema, o.comm);
  }

  // Data-parallel gradient averaging (none on 1 rank: the gradients are already the batch's).
  std::unique_ptr<GradientReducer> reducer;
  const int64_t bucket_bytes = std::max<int64_t>(1, int64_t(o.optim.gradient_bucket_mb * (1 << 20)));
  const int64_t allreduces_before = result.gradient_allreduces;  // restored from the run record
  if (world > 1) {
    result.gradient_sync = o.optim.gradient_sync;
    if (result.gradient_sync == "overlap" && !o.device.is_cpu()) {
      spdlog::info("{}: optim.gradient_sync overlap all-reduces CPU tensors (LEAP's c10d MPI backend): on {} "
                   "the gradients are all-reduced after the backward pass",
                   o.label, o.device.str());
      result.gradient_sync = "after_backward";
    }
    if (result.gradient_sync == "overlap") {
      std::vector<at::Tensor> trained;  // the same on every rank: the model and its config are
      for (const auto& p : params)
        if (p.requires_grad()) trained.push_back(p);
      reducer = std::make_unique<GradientReducer>(trained, o.comm, bucket_bytes);
      result.gradient_buckets = reducer->buckets();
    }
    if (reducer)
      spdlog::info("{}: gradients averaged over {} ranks during the backward pass (c10d reducer, {} buckets)",
                   o.label, world, result.gradient_buckets);
    else
      spdlog::info("{}: gradients averaged over {} ranks after the backward pass", o.label, world);
  }

  if (!o.resume) {
    model.eval();
    c10::NoGradGuard guard;
    models::AutocastGuard autocast(o.device.type(), at::kBFloat16, o.bf16);
    result.initial = validate();
    model.train();
  }
  const int64_t per_epoch = loader.batches_per_epoch();
  if (per_epoch == 0) throw InputError("training data: fewer windows than one batch per rank");
  const int64_t total_steps = per_epoch * o.optim.epochs;
  const auto t_start = std::chrono::steady_clock::now();
  auto run_seconds = [&] {
    return seconds_before + std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count();
  };
  for (int64_t epoch = start_epoch; epoch < o.optim.epochs; ++epoch) {
    const auto t_epoch = std::chrono::steady_clock::now();
    model.train();
    loader.start_epoch(epoch);
    util::ProgressBar bar(
        o.label + " epoch " + std::to_string(epoch + 1) + "/" + std::to_string(o.optim.epochs), per_epoch,
        o.progress && rank == 0);
    double loss_sum = 0;
    int64_t loss_count = 0;
    double lr = o.optim.lr;
    data::Batch batch;
    for (int64_t b = 0; b < per_epoch && loader.next(&batch); ++b, ++step) {
      lr = cosine_lr(o.optim.lr, step, total_steps, o.optim.warmup, o.optim.min_lr_factor);
      for (auto& group : optimizer.param_groups()) group.options().set_lr(lr);
      optimizer.zero_grad();
      at::Tensor loss;
      {
        const data::Batch on_device{batch.frames.to(o.device, /*non_blocking=*/true),
                                    batch.theta.defined() ? batch.theta.to(o.device) : at::Tensor()};
        models::AutocastGuard autocast(o.device.type(), at::kBFloat16, o.bf16);
        loss = loss_fn(on_device).to(at::kFloat);
      }
      util::fault_point("train_step");
      if (reducer) {
        reducer->prepare_for_backward(loss);  // then backward() all-reduces each bucket as it completes
        loss.backward();
      } else {
        loss.backward();
        allreduce_gradients(params, o.comm, bucket_bytes);  // nothing on 1 rank
      }
      double values[2] = {loss.item<double>(), 0.0};
      {
        c10::NoGradGuard guard;
        double sq = 0;
        if (o.device.is_cpu()) {
          for (const auto& p : params)
            if (p.grad().defined()) sq += p.grad().pow(2).sum().item<double>();
        } else {  // one device-to-host copy rather than one per parameter
          std::vector<at::Tensor> parts;
          for (const auto& p : params)
            if (p.grad().defined()) parts.push_back(p.grad().to(at::kDouble).pow(2).sum());
          if (!parts.empty()) sq = at::stack(parts).sum().item<double>();
        }
        values[1] = sq;  // identical on every rank after the allreduce
      }
      MPI_Allreduce(MPI_IN_PLACE, values, 1, MPI_DOUBLE, MPI_SUM, o.comm);
      const double mean_loss = values[0] / world;
      if (!std::isfinite(mean_loss) || !std::isfinite(values[1])) {
        ++result.skipped_steps;
        spdlog::warn("{}: non-finite loss or gradient at step {}: step skipped", o.label, step);
        continue;
      }
      if (o.optim.grad_clip > 0) torch::nn::utils::clip_grad_norm_(params, o.optim.grad_clip);
      optimizer.step();
      if (!ema.empty()) {
        c10::NoGradGuard guard;
        for (size_t i = 0; i < params.size(); ++i)
          ema[i].mul_(o.optim.ema).add_(params[i].detach(), 1 - o.optim.ema);
      }
      loss_sum += mean_loss;
      ++loss_count;
      samples += batch.frames.size(0) * world;
      const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_epoch).count();
      char note[128];
      std::snprintf(note, sizeof(note), "loss %.4g lr %.2e %.1f samples/s", loss_sum / loss_count, lr,
                    double((b + 1) * batch.frames.size(0) * world) / std::max(secs, 1e-9));
      bar.update(b + 1, note);
    }
    bar.finish();

    // Validation with the EMA weights when there are some.
    model.eval();
    if (!ema.empty()) swap_weights(params, ema);
    Validation val;
    {
      c10::NoGradGuard guard;
      models::AutocastGuard autocast(o.device.type(), at::kBFloat16, o.bf16);
      val = validate();
    }
    if (!ema.empty()) swap_weights(params, ema);

    EpochRecord rec;
    rec.epoch = epoch + 1;
    rec.train_loss = loss_count ? loss_sum / loss_count : NAN;
    rec.lr = lr;
    rec.validation = val;
    rec.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_epoch).count();
    result.history.push_back(rec);
    result.last = val;

    info.epoch = epoch + 1;
    info.step = step;
    const bool improved = val.loss < result.best_loss;
    if (improved) {
      result.best_loss = val.loss;
      result.best_epoch = epoch + 1;
    }
    info.best = result.best_loss;
    if (reducer) result.gradient_allreduces = allreduces_before + reducer->allreduce_calls();
    info.extra[kRunRecordKey] = run_record(result, run_seconds(), samples);
    if (rank == 0) {
      // best.ckpt first: a run killed between the two writes resumes from the previous last.ckpt,
      // repeats this epoch and writes the same best.ckpt again; the other order would lose it.
      if (improved) {
        // best.ckpt carries the weights used for validation (EMA when on) as its plain weights.
        if (!ema.empty()) swap_weights(params, ema);
        save_checkpoint(best_path, model, nullptr, {}, info);
        if (!ema.empty()) swap_weights(params, ema);
      }
      save_checkpoint(last_path, model, &optimizer, ema, info);
    }
    MPI_Barrier(o.comm);
    std::string ms;
    for (const auto& [k, v] : val.metrics) ms += " " + k + " " + std::to_string(v);
    spdlog::info("{}: epoch {} train loss {:.5g} validation loss {:.5g}{}{}", o.label, epoch + 1,
                 rec.train_loss, val.loss, ms, improved ? " (best)" : "");
  }
  result.steps = step;
  result.seconds = run_seconds();
  result.samples_per_second = result.seconds > 0 ? double(samples) / result.seconds : 0;
  return result;
}

}  // namespace leap::train
