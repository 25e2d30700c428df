// `leap evaluate`: the trained models against the solver on a dataset split (The Well's schema),
// as in "Lost in Latent Space" (DESIGN.md §1). From the first c frames of each trajectory, every
// model rolls out the next H frames:
//   - autoencoder: each true frame through encode/decode (the floor of any latent model);
//   - persistence: the last true context frame, repeated (the bar any emulator must clear);
//   - diffusion: the latent diffusion emulator, an ensemble of K members (batch rows), decoded;
//   - latent_surrogate / pixel_surrogate: the deterministic ViT in latent / pixel space;
//   - diffusion_guided (with `guidance`): the diffusion emulator again, each window guided by noisy
//     observations y = A(x) + N(0, obs_noise^2) of the true frames it predicts (MMPS or the diagonal
//     guidance, through the decoder: models/guidance.h), an ensemble of K members.
// Scores per lead time l = 1..H and channel, averaged over trajectories:
//   VRMSE against the solver (for ensembles, the mean over members of each member's VRMSE) and
//   against the autoencoder's reconstruction; VRMSE of the ensemble mean; the power-spectrum error
//   in three bands (isotropic rings in 2-D, spherical shells in 3-D); skill, spread and CRPS of
//   ensembles. 2-D and 3-D datasets take the same code path. Lead times are binned like the paper's
//   1:20, 21:60, 61:100 of a 100-frame horizon, scaled to H.
// Each trajectory draws its noise from a generator seeded by (seed, trajectory index), and ranks
// split the trajectories, so results do not depend on the number of ranks.
#pragma once

#include <ATen/core/Tensor.h>
#include <mpi.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "leap/config/schema.h"

namespace leap::train {

struct EvaluateConfig {
  std::string split = "test";
  int64_t trajectories = 0;
  int64_t start = 0;  // frames skipped at the start of each trajectory
  int64_t context = 0;
  int64_t horizon = 0;
  int64_t members = 4;
  int64_t batch = 16;
  int64_t snapshots = 3;
  int64_t seed = 0;
  std::string device = "cpu";
  std::string guidance;  // "" (none), subsample:S[:O] or downscale:B
  std::string guidance_method = "mmps";
  double obs_noise = 0.1;
  int64_t cg_iterations = 1;
  std::string guidance_solver = "gmres";
  double guidance_gamma = 1e-2;
  int64_t sampler_steps = 0;  // 0: the emulator checkpoint's

  template <class V>
  void visit(V& v) {
    using config::at_least;
    v("split", split, "which split of the dataset", config::one_of({"test", "valid", "train"}));
    v("trajectories", trajectories, "trajectories evaluated (0: all of the split)", at_least<int64_t>(0));
    v("start", start, "frames of each trajectory skipped before the context (0: it starts at the first)",
      at_least<int64_t>(0));
    v("context", context, "true frames given to the models, 1..window-1 (0: min(2, window - 1))",
      at_least<int64_t>(0));
    v("horizon", horizon, "frames emulated after the context (0: the rest of each trajectory)",
      at_least<int64_t>(0));
    v("members", members, "ensemble members of the diffusion emulator", at_least<int64_t>(1));
    v("batch", batch, "frames per encoder/decoder call", at_least<int64_t>(1));
    v("snapshots", snapshots, "lead times shown in the snapshot figures", at_least<int64_t>(1));
    v("seed", seed, "seed of the sampling noise", at_least<int64_t>(0));
    v("device", device, "where the models run: cpu, cuda, cuda:N");
    v("guidance", guidance,
      "observations that guide a second run of the diffusion emulator (diffusion_guided): "
      "subsample:S[:OFFSET] "
      "(every S-th cell per axis) or downscale:B (means of B x B blocks) of the true frames, in the "
      "autoencoder's normalised space; empty: none");
    v("guidance_method", guidance_method,
      "mmps (moment matching posterior sampling) or diagonal (score-based data assimilation)",
      config::one_of({"mmps", "diagonal"}));
    v("obs_noise", obs_noise,
      "standard deviation of the observation noise (added to the observations, and assumed)",
      config::greater_than(0.0));
    v("cg_iterations", cg_iterations, "iterations of the MMPS linear solver", at_least<int64_t>(1));
    v("guidance_solver", guidance_solver, "the MMPS linear solver: gmres (as the paper's code) or cg",
      config::one_of({"gmres", "cg"}));
    v("guidance_gamma", guidance_gamma, "gamma of the diagonal guidance (Cov[x | x_t] ~ gamma sigma^2 I)",
      config::at_least(0.0));
    v("sampler_steps", sampler_steps,
      "steps of the diffusion emulator's sampler (0: those of its checkpoint, diffusion.sampler.steps)",
      at_least<int64_t>(0));
  }
};

// Lead times first..last (1-based, inclusive).
struct LeadBin {
  int64_t first = 1, last = 1;
  std::string label() const { return std::to_string(first) + ":" + std::to_string(last); }
};
// The paper's bins of a 100-frame horizon (1:20, 21:60, 61:100) scaled to `horizon`; empty bins
// are dropped (a horizon of 1 has one bin).
std::vector<LeadBin> lead_bins(int64_t horizon);
// Mean over the lead times of a bin: per_lead [H, ...] -> [...].
at::Tensor bin_mean(const at::Tensor& per_lead, const LeadBin& bin);

struct ModelScores {
  std::string name;  // autoencoder, persistence, diffusion, latent_surrogate, pixel_surrogate
  std::string checkpoint;
  int64_t members = 1;
  at::Tensor vrmse;                // [H, C] against the solver
  at::Tensor vrmse_ae;             // [H, C] against the autoencoder's reconstruction
  at::Tensor vrmse_mean;           // [H, C] ensemble mean against the solver (== vrmse for 1 member)
  at::Tensor spectrum_error;       // [H, C, 3] against the solver
  at::Tensor skill, spread, crps;  // [H, C]; defined for ensembles (members > 1)
  at::Tensor spectrum;             // [C, R] power at the last lead time (member mean)
  at::Tensor snapshots;            // [S, C, X, Y(, Z)] member 0 of the first trajectory, at snapshot_leads
  double seconds_per_state = 0;    // wall time per emulated frame (per member), on rank 0
};

struct EvaluationResult {
  std::vector<std::string> channels;
  int spatial_dims = 2;  // 3: fields [..., X, Y, Z], spectra over spherical shells
  int64_t context = 0, horizon = 0, trajectories = 0, ranks = 1;
  std::vector<LeadBin> bins;
  std::vector<ModelScores> models;
  at::Tensor frequency;       // [R] cycles/pixel
  at::Tensor truth_spectrum;  // [C, R] at the last lead time
  std::vector<int64_t> snapshot_leads;
  at::Tensor truth_snapshots;  // [S, C, X, Y(, Z)]
};

struct EvaluateInputs {
  std::vector<std::string> data_dirs;  // datasets and/or collections (train::open_dataset_dir)
  std::string autoencoder;
  std::string emulator;                 // may be empty
  std::vector<std::string> surrogates;  // latent or pixel, told apart by their channels
  EvaluateConfig config;
  std::string config_file = "(command line)";
  bool progress = true;
  MPI_Comm comm = MPI_COMM_WORLD;
  // Called on every rank once every input has been checked, before any work (e.g. creating --out).
  std::function<void()> before_work;
};

// Checks every input (InputError naming the file and key) before any work; collective over comm.
EvaluationResult evaluate_models(const EvaluateInputs& in);

}  // namespace leap::train
