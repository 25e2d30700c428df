// HybridController: observation, leap and bookkeeping of a hybrid run (see hybrid_controller.h).
#include "leap/plugin/hybrid_controller.h"

#include <ATen/ATen.h>
#include <torch/utils.h>

#include <algorithm>
#include <cmath>
#include <exception>
#include <limits>
#include <numeric>
#include <utility>

#include "leap/error.h"
#include "leap/metrics/vrmse.h"
#include "leap/models/observation.h"
#include "leap/plugin/collective_error.h"
#include "leap/util/fault_injection.h"
#include "mpi_check.h"

namespace leap::plugin {
namespace {

class PhaseTimer {
 public:
  PhaseTimer(const HybridController::PhaseHook& hook, HybridPhase phase, double* seconds)
      : hook_(hook), phase_(phase), seconds_(seconds), start_(MPI_Wtime()) {
    if (hook_) hook_(phase_, true);
  }
  ~PhaseTimer() {
    *seconds_ += MPI_Wtime() - start_;
    if (hook_) hook_(phase_, false);
  }
  PhaseTimer(const PhaseTimer&) = delete;
  PhaseTimer& operator=(const PhaseTimer&) = delete;

 private:
  const HybridController::PhaseHook& hook_;
  HybridPhase phase_;
  double* seconds_;
  double start_;
};

// The spatial dimensions of a [C, X, Y(, Z)] tensor with `d` spatial axes: {1, ..., d}.
std::vector<int64_t> spatial_dims(int64_t d) {
  std::vector<int64_t> v;
  for (int64_t k = 1; k <= d; ++k) v.push_back(k);
  return v;
}

}  // namespace

HybridController::HybridController(MPI_Comm comm, const std::vector<int64_t>& grid, const data::Block& block,
                                   std::vector<int64_t> components, std::shared_ptr<Emulator> emulator,
                                   int64_t members, EmulatorRanks emulators)
    : components_(std::move(components)), emulator_(std::move(emulator)), members_(members) {
  if (comm == MPI_COMM_NULL) throw InputError("HybridController: MPI_COMM_NULL");
  if (members_ < 1)
    throw InputError("HybridController: members must be >= 1, got " + std::to_string(members_));
  for (auto c : components_)
    if (c < 1) throw InputError("HybridController: every field needs at least one component");
  const int64_t C = std::accumulate(components_.begin(), components_.end(), int64_t(0));
  ExchangeOptions options;
  options.layout = BlockLayout::xyc;
  emulator_ranks_ = emulators;
  options.emulators = std::move(emulators);
  exchange_ = std::make_unique<StateExchange>(comm, grid, block, C, options);
  mpi_check(MPI_Comm_dup(comm, &comm_), "MPI_Comm_dup");
  int rank = 0;
  mpi_check(MPI_Comm_rank(comm_, &rank), "MPI_Comm_rank");
  // The emulator ranks among themselves (each computes its share of the members).
  mpi_check(MPI_Comm_split(comm_, exchange_->is_emulator() ? 0 : MPI_UNDEFINED, rank, &emulators_),
            "MPI_Comm_split");
  if (emulators_ != MPI_COMM_NULL) {
    mpi_check(MPI_Comm_rank(emulators_, &emulator_index_), "MPI_Comm_rank");
    mpi_check(MPI_Comm_size(emulators_, &emulator_count_), "MPI_Comm_size");
  }
  // The context length comes from rank 0's emulator (rank 0 is always an emulator rank).
  std::string problem;
  if (rank == 0 && !exchange_->is_emulator())
    problem = "HybridController: rank 0 must be an emulator rank (it reports the leaps' outcome)";
  else if (exchange_->is_emulator()) {
    if (!emulator_) {
      problem = "HybridController: emulator rank " + std::to_string(rank) + " has no emulator";
    } else {
      context_frames_ = emulator_->context_frames();
      const auto names = emulator_->channel_names();
      if (!names.empty() && int64_t(names.size()) != C)
        problem = "HybridController: the emulator works on " + std::to_string(names.size()) +
                  " channels, the solver's state has " + std::to_string(C);
    }
  }
  try {
    agree_on_input_error(comm_, problem);
  } catch (const InputError&) {
    MPI_Comm_free(&comm_);
    if (emulators_ != MPI_COMM_NULL) MPI_Comm_free(&emulators_);
    throw;
  }
  long long c = context_frames_;
  mpi_check(MPI_Bcast(&c, 1, MPI_LONG_LONG, 0, comm_), "MPI_Bcast");
  context_frames_ = c;
  if (emulator_ && exchange_->is_emulator())
    emulator_->set_phase_hook([this](EmulatorPhase p, bool begin) {
      const HybridPhase h = p == EmulatorPhase::encode   ? HybridPhase::encode
                            : p == EmulatorPhase::sample ? HybridPhase::sample
                                                         : HybridPhase::decode;
      double* seconds = p == EmulatorPhase::encode   ? &stats_.encode_seconds
                        : p == EmulatorPhase::sample ? &stats_.sample_seconds
                                                     : &stats_.decode_seconds;
      if (begin) {
        phase_start_ = MPI_Wtime();
      } else {
        *seconds += MPI_Wtime() - phase_start_;
      }
      if (hook_) hook_(h, begin);
    });
}

HybridController::~HybridController() {
  if (emulator_ && exchange_ && exchange_->is_emulator()) emulator_->set_phase_hook(nullptr);
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (comm_ != MPI_COMM_NULL && !finalized) MPI_Comm_free(&comm_);
  if (emulators_ != MPI_COMM_NULL && !finalized) MPI_Comm_free(&emulators_);
}

int64_t HybridController::channels() const {
  return exchange_->channels();
}
int64_t HybridController::context_size() const {
  return context_size_;
}
int64_t HybridController::context_frames() const {
  return context_frames_;
}

void HybridController::set_layout(BlockLayout layout) {
  exchange_->set_layout(layout);
}
BlockLayout HybridController::layout() const {
  return exchange_->layout();
}
int64_t HybridController::block_size() const {
  return exchange_->block_size();
}

std::vector<float> HybridController::pack(const FieldBlocks& fields) const {
  return pack_box(fields, layout(), exchange_->block());
}

std::vector<float> HybridController::pack_box(const FieldBlocks& fields, BlockLayout layout,
                                              const data::Block& box) const {
  const int64_t C = channels(), cells = box.cells();
  const auto& count = box.count;
  const int64_t ym = count[1], zm = count.size() == 3 ? count[2] : 1;
  const auto s = block_strides(layout, C, count[0], ym, zm);
  // Cell n of The Well's order [x][y][z] over the block, at (n / (ym zm), n / zm % ym, n % zm).
  const auto at = [&](int64_t c, int64_t n) {
    return size_t(c * s[0] + n / (ym * zm) * s[1] + n / zm % ym * s[2] + n % zm * s[3]);
  };
  if (fields.size() != components_.size())
    throw InputError("HybridController: expected " + std::to_string(components_.size()) + " fields, got " +
                     std::to_string(fields.size()));
  std::vector<float> out(size_t(C * cells));
  int64_t c0 = 0;
  for (size_t f = 0; f < fields.size(); ++f) {
    const int64_t k = components_[f];
    if (int64_t(fields[f].size()) != k * cells)
      throw InputError("HybridController: field " + std::to_string(f) + " has " +
                       std::to_string(fields[f].size()) + " values on this rank, expected " +
                       std::to_string(k * cells));
    for (int64_t n = 0; n < cells; ++n)
      for (int64_t q = 0; q < k; ++q) out[at(c0 + q, n)] = fields[f][size_t(n * k + q)];
    c0 += k;
  }
  return out;
}

FieldBlocks HybridController::unpack(const std::vector<float>& block) const {
  return unpack_box(block, layout(), exchange_->block());
}

FieldBlocks HybridController::unpack_box(const std::vector<float>& block, BlockLayout layout,
                                         const data::Block& box) const {
  const int64_t C = channels(), cells = box.cells();
  const auto& count = box.count;
  const int64_t ym = count[1], zm = count.size() == 3 ? count[2] : 1;
  const auto s = block_strides(layout, C, count[0], ym, zm);
  // Cell n of The Well's order [x][y][z] over the block, at (n / (ym zm), n / zm % ym, n % zm).
  const auto at = [&](int64_t c, int64_t n) {
    return size_t(c * s[0] + n / (ym * zm) * s[1] + n / zm % ym * s[2] + n % zm * s[3]);
  };
  FieldBlocks fields(components_.size());
  int64_t c0 = 0;
  for (size_t f = 0; f < components_.size(); ++f) {
    const int64_t k = components_[f];
    fields[f].resize(size_t(k * cells));
    for (int64_t n = 0; n < cells; ++n)
      for (int64_t q = 0; q < k; ++q) fields[f][size_t(n * k + q)] = block[at(c0 + q, n)];
    c0 += k;
  }
  return fields;
}

void HybridController::observe(const FieldBlocks& fields) {
  observe(pack(fields).data());
}

void HybridController::observe(const float* block) {
  at::Tensor full;
  {
    PhaseTimer timer(hook_, HybridPhase::gather, &stats_.gather_seconds);
    full = exchange_->gather(block);
  }
  if (exchange_->is_emulator()) {
    context_.push_back(full);
    while (int64_t(context_.size()) > context_frames_) context_.pop_front();
  }
  context_size_ = std::min(context_size_ + 1, context_frames_);
  ++stats_.observations;
}

void HybridController::clear_context() {
  context_.clear();
  context_size_ = 0;
}

void HybridController::set_conserved(std::vector<ConservedChannel> list) {
  const int64_t C = channels();
  for (size_t i = 0; i < list.size(); ++i) {
    const int64_t c = list[i].channel;
    if (c < 0 || c >= C)
      throw InputError("HybridController: conserved channel " + std::to_string(c) +
                       " is out of range (the state has " + std::to_string(C) + " channels)");
    for (size_t j = 0; j < i; ++j)
      if (list[j].channel == c)
        throw InputError("HybridController: conserved channel " + std::to_string(c) + " is named twice");
  }
  conserved_ = std::move(list);
}

void HybridController::allreduce_emulators(at::Tensor& t) const {
  if (emulator_count_ < 2) return;
  t = t.contiguous();
  mpi_check(
      MPI_Allreduce(MPI_IN_PLACE, t.data_ptr<double>(), int(t.numel()), MPI_DOUBLE, MPI_SUM, emulators_),
      "MPI_Allreduce");
}

double HybridController::restore_totals(const at::Tensor& before, at::Tensor* mean) const {
  // In double: the totals of the observed frame and of the emulated mean, one correction per channel.
  at::Tensor m = mean->to(at::kDouble);
  const std::vector<int64_t> space = spatial_dims(m.dim() - 1);
  const at::Tensor s0 = before.to(at::kDouble).sum(space), s = m.sum(space);
  const double cells = double(m.numel() / m.size(0));
  double change = 0;
  for (const auto& k : conserved_) {
    const double a = s0[k.channel].item<double>(), b = s[k.channel].item<double>();
    change = std::max(change, std::abs(b - a) / (a != 0 ? std::abs(a) : 1.0));
    at::Tensor ch = m[k.channel];
    if (k.scaled && b != 0 && a * b > 0)
      ch.mul_(a / b);
    else
      ch.add_((a - b) / cells);
  }
  *mean = m.to(at::kFloat).contiguous();
  return change;
}

void HybridController::set_observations(const LeapObservations& local) {
  // Checked on every rank, agreed collectively, before anything is exchanged.
  const std::vector<int64_t>& grid = exchange_->grid();
  std::string problem;
  if (local.values.size() != local.points.size())
    problem = "observations: " + std::to_string(local.points.size()) + " points and " +
              std::to_string(local.values.size()) + " values";
  for (size_t p = 0; p < local.points.size() && problem.empty(); ++p) {
    const models::SensorPoint& q = local.points[p];
    const int64_t idx[3] = {q.i, q.j, q.k};
    bool inside = q.channel >= 0 && q.channel < channels() && (grid.size() == 3 || q.k == 0);
    for (size_t d = 0; d < grid.size(); ++d) inside = inside && idx[d] >= 0 && idx[d] < grid[d];
    if (!inside)
      problem = "observations: point " + std::to_string(p) + " (channel " + std::to_string(q.channel) + ", " +
                std::to_string(q.i) + ", " + std::to_string(q.j) +
                (grid.size() == 3 ? ", " + std::to_string(q.k) : std::string()) + ") lies outside " +
                std::to_string(channels()) + " channels of the " + std::to_string(grid.size()) + "-D grid";
    else if (!std::isfinite(local.values[p]))
      problem = "observations: the value of point " + std::to_string(p) + " is not finite";
  }
  if (problem.empty() && (!(local.noise_std > 0) || local.iterations < 1))
    problem = "observations: expected noise_std > 0 and iterations >= 1, found " +
              std::to_string(local.noise_std) + " and " + std::to_string(local.iterations);
  double mine[2] = {local.noise_std, double(local.iterations)}, lo[2], hi[2];
  mpi_check(MPI_Allreduce(mine, lo, 2, MPI_DOUBLE, MPI_MIN, comm_), "MPI_Allreduce");
  mpi_check(MPI_Allreduce(mine, hi, 2, MPI_DOUBLE, MPI_MAX, comm_), "MPI_Allreduce");
  if (problem.empty() && (lo[0] != hi[0] || lo[1] != hi[1]))
    problem = "observations: noise_std and iterations differ between the ranks";
  agree_on_input_error(comm_, problem);
  // Every rank's points and values to every rank (a few per rank: allgather is enough).
  int size = 1;
  MPI_Comm_size(comm_, &size);
  const int n = int(local.points.size());
  std::vector<int> counts(static_cast<size_t>(size)), displs(static_cast<size_t>(size));
  mpi_check(MPI_Allgather(&n, 1, MPI_INT, counts.data(), 1, MPI_INT, comm_), "MPI_Allgather");
  int total = 0;
  for (int r = 0; r < size; ++r) {
    displs[size_t(r)] = total;
    total += counts[size_t(r)];
  }
  std::vector<int64_t> mine_idx;
  for (const auto& q : local.points) mine_idx.insert(mine_idx.end(), {q.channel, q.i, q.j, q.k});
  std::vector<int64_t> all_idx(static_cast<size_t>(4 * total));
  std::vector<float> all_values(static_cast<size_t>(total));
  std::vector<int> counts4(counts), displs4(displs);
  for (int r = 0; r < size; ++r) {
    counts4[size_t(r)] *= 4;
    displs4[size_t(r)] *= 4;
  }
  mpi_check(MPI_Allgatherv(mine_idx.data(), 4 * n, MPI_INT64_T, all_idx.data(), counts4.data(),
                           displs4.data(), MPI_INT64_T, comm_),
            "MPI_Allgatherv");
  mpi_check(MPI_Allgatherv(local.values.data(), n, MPI_FLOAT, all_values.data(), counts.data(), displs.data(),
                           MPI_FLOAT, comm_),
            "MPI_Allgatherv");
  observations_ = LeapObservations{};
  observations_.noise_std = local.noise_std;
  observations_.iterations = local.iterations;
  observations_.values = std::move(all_values);
  for (int p = 0; p < total; ++p)
    observations_.points.push_back({all_idx[size_t(4 * p)], all_idx[size_t(4 * p + 1)],
                                    all_idx[size_t(4 * p + 2)], all_idx[size_t(4 * p + 3)]});
}

LeapResult HybridController::leap(const at::Tensor& theta, int64_t frames) {
  util::fault_point("leap");
  if (!ready())
    throw InputError("HybridController: a leap needs " + std::to_string(context_frames_) +
                     " observed frames, " + std::to_string(context_size_) + " observed");
  if (frames < 1) throw InputError("HybridController: a leap must skip at least one frame");
  PhaseTimer timer(hook_, HybridPhase::emulate, &stats_.emulate_seconds);
  std::string failure;
  // This emulator rank's share of the members (the first members % count ranks take one more).
  const int64_t share = members_ / emulator_count_ + (emulator_index_ < members_ % emulator_count_ ? 1 : 0);
  at::Tensor ensemble;  // [share, C, X, Y(, Z)], double
  if (exchange_->is_emulator() && share > 0) {
    try {
      torch::NoGradGuard no_grad;
      const at::Tensor context = at::stack(std::vector<at::Tensor>(context_.begin(), context_.end()));
      ensemble = observations_.empty()
                     ? emulator_->leap(context, theta, frames, share).to(at::kDouble)
                     : emulator_->leap_observed(context, theta, frames, share, observations_).to(at::kDouble);
    } catch (const std::exception& e) {
      failure = std::string("emulator: ") + e.what();
    }
  }
  observations_ = LeapObservations{};  // for this leap only
  return finish(ensemble, share, members_, failure);
}

LeapResult HybridController::finish(const at::Tensor& ensemble, int64_t share, int64_t members,
                                    std::string failure) {
  std::vector<int64_t> shape = exchange_->grid();
  shape.insert(shape.begin(), {share, channels()});
  if (failure.empty() && exchange_->is_emulator() && share > 0 && ensemble.sizes().vec() != shape)
    failure = "HybridController: the emulator returned a tensor of shape " + c10::str(ensemble.sizes()) +
              ", expected " + c10::str(at::IntArrayRef(shape));
  failure = first_problem(comm_, failure);
  if (!failure.empty()) throw EmulatorFailure(failure);
  LeapResult result;
  at::Tensor mean;
  double flags[4] = {1, 0, 0, 0};  // finite, spread, relative spread, conserved change
  if (exchange_->is_emulator()) {
    // The mean and the members' standard deviation over every emulator rank's members (two passes:
    // no cancellation), the same on all of them.
    const auto f64 = at::TensorOptions().dtype(at::kDouble);
    at::Tensor sum = share > 0 ? ensemble.sum(0) : at::zeros(at::IntArrayRef(shape).slice(1), f64);
    const std::vector<int64_t> space = spatial_dims(sum.dim() - 1);
    allreduce_emulators(sum);
    const at::Tensor mean64 = sum / double(members);
    mean = mean64.to(at::kFloat).contiguous();
    flags[0] = at::isfinite(mean).all().item<bool>() ? 1 : 0;
    if (members > 1) {
      at::Tensor sq = share > 0 ? (ensemble - mean64).square().sum(0) : at::zeros_like(sum);
      allreduce_emulators(sq);
      const at::Tensor sd = (sq / double(members - 1)).sqrt().mean(space);  // [C]
      const at::Tensor scale = mean64.std(space, /*unbiased=*/false) + 1e-6;
      flags[1] = sd.mean().item<double>();
      flags[2] = (sd / scale).mean().item<double>();
    }
    if (flags[0] != 0 && !conserved_.empty()) flags[3] = restore_totals(context_.back(), &mean);
  }
  mpi_check(MPI_Bcast(flags, 4, MPI_DOUBLE, 0, comm_), "MPI_Bcast");
  ++stats_.leaps;
  result.finite = flags[0] != 0;
  result.spread = flags[1];
  result.relative_spread = flags[2];
  result.conserved_change = flags[3];
  result.block.resize(size_t(exchange_->block_size()));
  {
    PhaseTimer timer(hook_, HybridPhase::scatter, &stats_.scatter_seconds);
    exchange_->scatter(mean, result.block.data());
  }
  return result;
}

void HybridController::set_coarse_grid(int64_t factor, const data::Block& coarse_block) {
  const std::vector<int64_t>& grid = exchange_->grid();
  std::string problem;
  std::vector<int64_t> coarse;
  for (const int64_t n : grid) {
    if (factor < 1 || n % factor != 0)
      problem = "solver guidance: a coarsening factor of " + std::to_string(factor) +
                " must divide every axis of the " + c10::str(at::IntArrayRef(grid)) + " grid";
    coarse.push_back(factor >= 1 ? n / factor : 0);
  }
  agree_on_input_error(comm_, problem);
  ExchangeOptions options;
  options.layout = BlockLayout::xyc;
  options.emulators = emulator_ranks_;
  coarse_exchange_ = std::make_unique<StateExchange>(comm_, coarse, coarse_block, channels(), options);
  coarse_factor_ = factor;
  coarse_.clear();
  coarse_size_ = 0;
}

FieldBlocks HybridController::restrict_last_frame() {
  if (!coarse_exchange_)
    throw InputError("HybridController: restrict_last_frame needs set_coarse_grid first");
  if (context_size_ < 1) throw InputError("HybridController: no observed frame to restrict");
  std::vector<float> block(size_t(coarse_exchange_->block_size()));
  at::Tensor restricted;
  if (exchange_->is_emulator()) {
    // [C, X, Y(, Z)] -> the means of factor^d blocks (the downscale observation operator, reshaped).
    const at::Tensor& last = context_.back();
    std::vector<int64_t> shape = coarse_exchange_->grid();
    shape.insert(shape.begin(), last.size(0));
    const models::ObservationOperator down = models::downscale_operator(coarse_factor_, int(last.dim()) - 1);
    restricted = down(last.to(at::kDouble)).reshape(shape).to(at::kFloat).contiguous();
  }
  coarse_exchange_->scatter(restricted, block.data());
  coarse_.clear();
  coarse_size_ = 0;
  return unpack_box(block, BlockLayout::xyc, coarse_exchange_->block());
}

void HybridController::observe_coarse(const FieldBlocks& fields) {
  if (!coarse_exchange_) throw InputError("HybridController: observe_coarse needs set_coarse_grid first");
  const std::vector<float> block = pack_box(fields, BlockLayout::xyc, coarse_exchange_->block());
  at::Tensor full = coarse_exchange_->gather(block.data());
  if (exchange_->is_emulator()) coarse_.push_back(full);
  ++coarse_size_;
  ++stats_.coarse_frames;
}

void HybridController::guide_next_leap(double noise_std, int iterations) {
  if (coarse_size_ < 1) throw InputError("HybridController: guide_next_leap needs a coarse trajectory");
  observations_ = LeapObservations{};
  observations_.coarse_factor = coarse_factor_;
  observations_.coarse_noise_std = noise_std;
  observations_.iterations = iterations;
  if (exchange_->is_emulator()) observations_.coarse = at::stack(coarse_);
}

LeapResult HybridController::coarse_leap() {
  if (coarse_size_ < 1) throw InputError("HybridController: coarse_leap needs a coarse trajectory");
  PhaseTimer timer(hook_, HybridPhase::emulate, &stats_.emulate_seconds);
  at::Tensor ensemble;
  std::string failure;
  if (exchange_->is_emulator() && emulator_index_ == 0) {
    try {
      const at::Tensor last = coarse_.back().unsqueeze(0).to(at::kDouble);  // [1, C, X/f, Y/f(, Z/f)]
      const std::vector<int64_t>& grid = exchange_->grid();
      ensemble = grid.size() == 3 ? at::upsample_trilinear3d(last, grid, /*align_corners=*/false)
                                  : at::upsample_bilinear2d(last, grid, /*align_corners=*/false);
    } catch (const std::exception& e) {
      failure = std::string("coarse leap: ") + e.what();
    }
  }
  return finish(ensemble, exchange_->is_emulator() && emulator_index_ == 0 ? 1 : 0, 1, failure);
}

void HybridController::time_coarse(const std::function<void()>& fn) {
  PhaseTimer timer(hook_, HybridPhase::coarse, &stats_.coarse_seconds);
  fn();
}

double HybridController::vrmse(const std::vector<float>& reference,
                               const std::vector<float>& estimate) const {
  // vrmse_blocks takes channels interleaved per cell (the order of the cells does not matter): xyc
  // and yxc blocks as they are, the channel-major ones through field blocks.
  const bool interleaved = layout() == BlockLayout::xyc || layout() == BlockLayout::yxc;
  const auto cells_major = [&](const std::vector<float>& b) {
    if (interleaved) return b;
    const FieldBlocks f = unpack(b);
    std::vector<float> out;
    const int64_t cells = exchange_->block().cells();
    out.reserve(b.size());
    for (int64_t n = 0; n < cells; ++n)
      for (size_t k = 0; k < f.size(); ++k) {
        const int64_t q = components_[k];
        for (int64_t j = 0; j < q; ++j) out.push_back(f[k][size_t(n * q + j)]);
      }
    return out;
  };
  const std::vector<float> u = cells_major(reference), v = cells_major(estimate);
  return metrics::vrmse_blocks(
      u.data(), v.data(), exchange_->block().cells(), channels(), [this](std::vector<double>& s) {
        mpi_check(MPI_Allreduce(MPI_IN_PLACE, s.data(), int(s.size()), MPI_DOUBLE, MPI_SUM, comm_),
                  "MPI_Allreduce");
      });
}

void HybridController::record_outcome(bool accepted, int64_t frames) {
  if (accepted) {
    ++stats_.leaps_accepted;
    stats_.frames_emulated += frames;
  } else {
    ++stats_.leaps_rejected;
  }
}

}  // namespace leap::plugin
