// What the hybrid controller asks of an emulator: given the last c observed frames of a state (in
// physical units) and the simulation parameters, the state `frames` frames later, as an ensemble.
//
// Implementations:
//   - LatentDiffusionEmulator: a trained autoencoder + latent diffusion emulator (two checkpoints):
//     normalise -> encode -> latent normalise -> diffusion rollout (the checkpoint's sampler and
//     window; context c in 1..w-1) -> latent denormalise -> decode the last frame -> denormalise.
//     Ensemble members are batch rows, each with its own noise.
//   - TrajectoryOracle: the exact solver trajectory read from a dataset file in The Well's schema;
//     it finds the stored frame the last context frame is (to float32 round-off) and returns the
//     frame `frames` later. It proves the coupling (injection, time bookkeeping, restart) in tests.
//
// Tensors: context [c, C, X, Y] float32 (c = context_frames(), or more: the last c are used),
// theta [P] (may be undefined when the emulator is unconditioned), result [members, C, X, Y]
// float32 on the CPU; on a 3-D grid a Z axis follows Y (both emulators serve both: the latent
// diffusion emulator's autoencoder and denoiser are 2-D or 3-D together). C follows the dataset's
// channel order (The Well's: t0 fields, then t1 components).
#pragma once

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "leap/data/well_file.h"
#include "leap/models/observation.h"
#include "leap/plugin/oracle_fault.h"

namespace leap::plugin {

// The parts of a leap an emulator may report (PETSc log events, timings).
enum class EmulatorPhase { encode = 0, sample = 1, decode = 2 };

// Observations of the state a leap predicts (its last frame), for a leap conditioned on them (data
// assimilation): y_p = x[channel_p, i_p, j_p(, k_p)] + N(0, noise_std^2), in physical units, at cells
// of the whole grid. The emulator samples with the MMPS guided denoiser (models/guidance.h) over
// the observed points of its decoded frames, `iterations` linear-solver iterations per step.
//
// Solver guidance (`coarse`): the frames of a coarse copy of the solver over the leap, on a grid
// `factor` times coarser per axis, at leads 1..n (n = coarse.size(0) <= the leap's frames), in physical
// units: [n, C, X/f, Y/f(, Z/f)]. They observe the means of f x f (x f) blocks of the emulated frames,
// compared in the autoencoder's normalised units (each channel's own scale), where the noise has the
// standard deviation coarse_noise_std. Points and a coarse trajectory are one or the other.
struct LeapObservations {
  std::vector<models::SensorPoint> points;  // channel in the emulator's channel order; k = 0 in 2-D
  std::vector<float> values;                // one per point
  double noise_std = 0.1;
  int iterations = 1;
  int64_t coarse_factor = 0;  // 0: no coarse trajectory
  at::Tensor coarse;          // [n, C, X/f, Y/f(, Z/f)], float32, CPU
  double coarse_noise_std = 0.1;
  bool empty() const { return points.empty() && coarse_factor == 0; }
};

class Emulator {
 public:
  virtual ~Emulator() = default;
  // Called at the start (begin true) and end of each phase of leap(), when the emulator has phases
  // (the latent diffusion emulator: encode, sample, decode).
  using PhaseHook = std::function<void(EmulatorPhase phase, bool begin)>;
  void set_phase_hook(PhaseHook hook) { phase_hook_ = std::move(hook); }
  virtual at::Tensor leap(const at::Tensor& context, const at::Tensor& theta, int64_t frames,
                          int64_t members) = 0;
  // leap() conditioned on observations of its last frame (see LeapObservations); an emulator that
  // cannot take observations throws InputError (the default).
  virtual at::Tensor leap_observed(const at::Tensor& context, const at::Tensor& theta, int64_t frames,
                                   int64_t members, const LeapObservations& observations);
  // Observed frames a leap needs (the length of the context).
  virtual int64_t context_frames() const = 0;
  // Physical channels the emulator works on (C); empty when it takes any.
  virtual std::vector<std::string> channel_names() const { return {}; }
  // Restarts the emulator's own random generator (the noise its leaps draw) from `seed`: nothing
  // else in the process draws from it, and it never touches LibTorch's global generator. Nothing to
  // do for a deterministic emulator.
  virtual void reseed(uint64_t /*seed*/) {}

 protected:
  void phase(EmulatorPhase p, bool begin) const {
    if (phase_hook_) phase_hook_(p, begin);
  }

 private:
  PhaseHook phase_hook_;
};

struct LatentDiffusionOptions {
  int64_t context = 0;         // context frames c in 1..w-1 (0: min(2, w - 1))
  std::string device = "cpu";  // "cpu", "cuda", "cuda:1"
  int64_t seed = 0;            // seed of the emulator's own generator (its leaps' noise; see reseed)
  bool bf16 = false;           // bf16 weights for the denoiser and the decoder (sampler state fp32)
  bool cuda_graph = false;     // replay each window call from a CUDA graph (device cuda only)
};

class LatentDiffusionEmulator final : public Emulator {
 public:
  // InputError when a checkpoint is not of the expected kind, when their channel counts disagree,
  // or when the context is out of 1..window-1. context = 0 picks min(2, window - 1).
  LatentDiffusionEmulator(const std::string& autoencoder_checkpoint, const std::string& emulator_checkpoint,
                          const LatentDiffusionOptions& options = {});
  ~LatentDiffusionEmulator() override;
  LatentDiffusionEmulator(const LatentDiffusionEmulator&) = delete;
  LatentDiffusionEmulator& operator=(const LatentDiffusionEmulator&) = delete;

  at::Tensor leap(const at::Tensor& context, const at::Tensor& theta, int64_t frames,
                  int64_t members) override;
  // Sampled window by window from the emulator's generator as leap() is, the window that predicts the
  // last frame guided by the observations (fp32 only: InputError with precision bf16).
  at::Tensor leap_observed(const at::Tensor& context, const at::Tensor& theta, int64_t frames,
                           int64_t members, const LeapObservations& observations) override;
  int64_t context_frames() const override;
  std::vector<std::string> channel_names() const override;
  void reseed(uint64_t seed) override;
  // "" when the checkpoint was trained for forward leaps from context_frames() known frames, else a
  // sentence saying it was not (its diffusion.context masks); the routes log it as a warning.
  std::string untrained_context_note() const;
  int64_t window() const;
  // Names of the conditioning vector (e.g. gamma, x_periodic, y_periodic); empty: unconditioned.
  const std::vector<std::string>& theta_names() const;

 private:
  at::Tensor run(const at::Tensor& context, const at::Tensor& theta, int64_t frames, int64_t members,
                 const LeapObservations* observations);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

class TrajectoryOracle final : public Emulator {
 public:
  // Reads trajectory `trajectory` of `path` (all frames) into memory. `context` is what
  // context_frames() reports; `tolerance`: the largest relative L2 distance between the last
  // context frame and the stored frame it is matched with (beyond it leap() throws Error).
  TrajectoryOracle(const std::string& path, int64_t trajectory = 0, int64_t context = 1,
                   double tolerance = 1e-4);

  at::Tensor leap(const at::Tensor& context, const at::Tensor& theta, int64_t frames,
                  int64_t members) override;
  int64_t context_frames() const override { return context_; }
  std::vector<std::string> channel_names() const override { return layout_.channel_names(); }
  // The stored frame index the last context frame of the latest leap() matched.
  int64_t last_match() const { return last_match_; }
  // Faults to inject (see OracleFault); InputError for a channel the dataset does not have.
  void set_faults(std::vector<OracleFault> faults);

 private:
  data::WellLayout layout_;
  at::Tensor frames_;  // [T, C, X, Y(, Z)]
  int64_t context_;
  double tolerance_;
  int64_t last_match_ = -1;
  int64_t leaps_ = 0;  // leap() calls so far
  std::vector<OracleFault> faults_;
};

}  // namespace leap::plugin
