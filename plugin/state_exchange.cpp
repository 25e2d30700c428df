// Gather/scatter of a 2-D [C, X, Y] state between its owners and the emulator rank(s). Packed order
// of a block: [C][xm][ym] (channel-major over the box). On an emulator rank the buffer `packed_`
// holds the packed blocks of all ranks, group after group (groups in emulator-rank order), each
// group's blocks in group-rank order; `boxes_` says where each block goes in the full field.
#include "leap/plugin/state_exchange.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <string>
#include <utility>

#include "leap/error.h"
#include "leap/plugin/collective_error.h"
#include "leap/util/fault_injection.h"
#include "mpi_check.h"
#include "owned_comm.h"

namespace leap::plugin {

namespace {

constexpr const char* kWhere = "StateExchange";

std::string arg_problem(const std::string& name, const std::string& expected, const std::string& found) {
  return std::string(kWhere) + ": argument '" + name + "': expected " + expected + ", found " + found;
}

// Descriptor of one rank, exchanged once with MPI_Allgather.
enum Desc { kX0, kY0, kXm, kYm, kNx, kNy, kC, kEmulator, kGroupRank, kDescLen };

struct Box {
  int64_t x0, y0, xm, ym;
  int64_t offset;  // floats into packed_
};

int checked_int(int64_t n, const char* what) {
  if (n > INT_MAX)
    throw InputError(std::string(kWhere) + ": " + what + " holds " + std::to_string(n) +
                     " floats, more than one MPI call moves (" + std::to_string(INT_MAX) + ")");
  return int(n);
}

float zero_length_buffer = 0.f;  // a valid address for zero-length MPI buffers

}  // namespace

std::array<int64_t, 3> block_strides(BlockLayout layout, int64_t c, int64_t xm, int64_t ym) {
  switch (layout) {
    case BlockLayout::cxy:
      return {xm * ym, ym, 1};
    case BlockLayout::xyc:
      return {1, ym * c, c};
    case BlockLayout::yxc:
      return {1, c, xm * c};
    case BlockLayout::cyx:
      return {xm * ym, 1, xm};
  }
  throw InputError("block layout: expected cxy, xyc, yxc or cyx (0..3), found " +
                   std::to_string(int(layout)));
}

struct StateExchange::Impl {
  OwnedComm comm;     // duplicate of the construction communicator
  OwnedComm group;    // this rank's group; its emulator is group rank 0
  OwnedComm leaders;  // the emulator ranks (null on the others)
  int rank = 0, size = 1, emulator = 0, emulator_count = 1, group_size = 1;
  int64_t nx = 0, ny = 0, c = 0;
  data::Block block;
  BlockLayout layout = BlockLayout::cxy;
  std::optional<data::Normalizer> normalizer;

  // Emulator ranks only.
  std::vector<Box> boxes;                         // all ranks, in packed order
  std::vector<int> group_counts, group_displs;    // floats per group member, relative to group_offset
  std::vector<int> leader_counts, leader_displs;  // floats per group, into packed
  int64_t group_offset = 0;                       // where this group's blocks start in packed
  size_t group_first = 0;                         // index in boxes of this group's first block
  std::vector<float> packed;
  std::vector<float> local;  // this rank's packed block when layout != cxy

  bool is_emulator() const { return emulator == rank; }
  int64_t xm() const { return block.count[0]; }
  int64_t ym() const { return block.count[1]; }
  int64_t block_size() const { return c * xm() * ym(); }
  int64_t full_size() const { return c * nx * ny; }

  // [layout] block -> [C][xm][ym]
  void pack_local(const float* src, float* dst) const {
    const auto s = block_strides(layout, c, xm(), ym());
    for (int64_t k = 0; k < c; ++k)
      for (int64_t i = 0; i < xm(); ++i)
        for (int64_t j = 0; j < ym(); ++j) *dst++ = src[k * s[0] + i * s[1] + j * s[2]];
  }
  // [C][xm][ym] -> [layout] block
  void unpack_local(const float* src, float* dst) const {
    const auto s = block_strides(layout, c, xm(), ym());
    for (int64_t k = 0; k < c; ++k)
      for (int64_t i = 0; i < xm(); ++i)
        for (int64_t j = 0; j < ym(); ++j) dst[k * s[0] + i * s[1] + j * s[2]] = *src++;
  }
  // packed box -> full [C][X][Y], and back
  void box_to_full(const Box& b, float* full) const {
    const float* src = packed.data() + b.offset;
    for (int64_t k = 0; k < c; ++k)
      for (int64_t i = 0; i < b.xm; ++i, src += b.ym)
        std::memcpy(full + (k * nx + b.x0 + i) * ny + b.y0, src, size_t(b.ym) * sizeof(float));
  }
  void full_to_box(const float* full, const Box& b) {
    float* dst = packed.data() + b.offset;
    for (int64_t k = 0; k < c; ++k)
      for (int64_t i = 0; i < b.xm; ++i, dst += b.ym)
        std::memcpy(dst, full + (k * nx + b.x0 + i) * ny + b.y0, size_t(b.ym) * sizeof(float));
  }

  void check_call(const void* block_ptr, const char* block_name, const void* full_ptr,
                  const char* full_name) const {
    std::string problem;
    if (!block_ptr && block_size() > 0)
      problem = arg_problem(block_name, std::to_string(block_size()) + " floats of this rank's block",
                            "a null pointer");
    else if (!full_ptr && is_emulator())
      problem = arg_problem(full_name,
                            std::to_string(full_size()) + " floats of the full field on this emulator rank",
                            "a null pointer");
    agree_on_input_error(comm.get(), problem);
  }
};

StateExchange::StateExchange(MPI_Comm comm, std::array<int64_t, 2> grid, const data::Block& block,
                             int64_t channels, ExchangeOptions options)
    : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  if (comm == MPI_COMM_NULL) throw InputError(arg_problem("comm", "a communicator", "MPI_COMM_NULL"));
  MPI_Comm dup = MPI_COMM_NULL;
  mpi_check(MPI_Comm_dup(comm, &dup), "MPI_Comm_dup");
  m.comm = OwnedComm(dup);
  mpi_check(MPI_Comm_rank(dup, &m.rank), "MPI_Comm_rank");
  mpi_check(MPI_Comm_size(dup, &m.size), "MPI_Comm_size");

  // Local checks, failed together.
  std::string problem;
  const auto range = [](int64_t v) { return std::to_string(v); };
  if (grid[0] <= 0)
    problem = arg_problem("nx", "a positive grid size", range(grid[0]));
  else if (grid[1] <= 0)
    problem = arg_problem("ny", "a positive grid size", range(grid[1]));
  else if (channels <= 0)
    problem = arg_problem("channels", "a positive channel count", range(channels));
  else if (block.start.size() != 2 || block.count.size() != 2)
    problem = arg_problem(
        "block", "a 2-D block (start and count along x and y)",
        std::to_string(block.start.size()) + "-D start, " + std::to_string(block.count.size()) + "-D count");
  else if (block.count[0] < 0 || block.count[0] > grid[0])
    problem = arg_problem("xm", "a block x count in [0, nx=" + range(grid[0]) + "]", range(block.count[0]));
  else if (block.count[1] < 0 || block.count[1] > grid[1])
    problem = arg_problem("ym", "a block y count in [0, ny=" + range(grid[1]) + "]", range(block.count[1]));
  else if (block.start[0] < 0 || block.start[0] + block.count[0] > grid[0])
    problem = arg_problem("x0", "a block x start in [0, nx - xm = " + range(grid[0] - block.count[0]) + "]",
                          range(block.start[0]));
  else if (block.start[1] < 0 || block.start[1] + block.count[1] > grid[1])
    problem = arg_problem("y0", "a block y start in [0, ny - ym = " + range(grid[1] - block.count[1]) + "]",
                          range(block.start[1]));
  else if (options.normalizer && options.normalizer->channels() != channels)
    problem = arg_problem("normalizer", "statistics of " + range(channels) + " channels",
                          range(options.normalizer->channels()));
  else if (int(options.layout) < 0 || int(options.layout) > 3)
    problem = arg_problem("layout", "cxy, xyc, yxc or cyx (0..3)", std::to_string(int(options.layout)));
  int served_by = 0;  // explicit list: the emulator serving this rank
  if (problem.empty() && !options.emulators.per_node) {
    auto list = options.emulators.ranks;
    std::sort(list.begin(), list.end());
    if (list.empty())
      problem = arg_problem("emulators", "at least one emulator rank", "an empty list");
    else if (list.front() < 0 || list.back() >= m.size)
      problem = arg_problem("emulators", "ranks in [0, " + std::to_string(m.size - 1) + "]",
                            "rank " + std::to_string(list.front() < 0 ? list.front() : list.back()));
    else if (std::adjacent_find(list.begin(), list.end()) != list.end())
      problem =
          arg_problem("emulators", "distinct ranks",
                      "rank " + std::to_string(*std::adjacent_find(list.begin(), list.end())) + " twice");
    else {
      served_by = list.front();
      for (int e : list)
        if (e <= m.rank) served_by = e;
    }
  }
  agree_on_input_error(dup, problem);

  m.nx = grid[0];
  m.ny = grid[1];
  m.c = channels;
  m.block = block;
  m.layout = options.layout;
  m.normalizer = std::move(options.normalizer);

  // Groups: emulator first in each.
  MPI_Comm group = MPI_COMM_NULL;
  if (options.emulators.per_node)
    mpi_check(MPI_Comm_split_type(dup, MPI_COMM_TYPE_SHARED, m.rank, MPI_INFO_NULL, &group),
              "MPI_Comm_split_type");
  else
    mpi_check(MPI_Comm_split(dup, served_by, m.rank == served_by ? 0 : m.rank + 1, &group), "MPI_Comm_split");
  m.group = OwnedComm(group);
  int group_rank = 0;
  mpi_check(MPI_Comm_rank(group, &group_rank), "MPI_Comm_rank");
  mpi_check(MPI_Comm_size(group, &m.group_size), "MPI_Comm_size");
  m.emulator = m.rank;
  mpi_check(MPI_Bcast(&m.emulator, 1, MPI_INT, 0, group), "MPI_Bcast");
  agree_on_input_error(dup, !options.emulators.per_node && m.emulator != served_by
                                ? arg_problem("emulators", "the same emulator ranks on every rank",
                                              "rank " + std::to_string(served_by) + " served by another")
                                : std::string());
  MPI_Comm leaders = MPI_COMM_NULL;
  mpi_check(MPI_Comm_split(dup, m.is_emulator() ? 0 : MPI_UNDEFINED, m.rank, &leaders), "MPI_Comm_split");
  m.leaders = OwnedComm(leaders);

  // Descriptors of every rank.
  const int64_t mine[kDescLen] = {
      block.start[0], block.start[1], block.count[0], block.count[1], m.nx, m.ny, m.c,
      m.emulator,     group_rank};
  std::vector<int64_t> all(size_t(m.size) * kDescLen);
  mpi_check(MPI_Allgather(mine, kDescLen, MPI_INT64_T, all.data(), kDescLen, MPI_INT64_T, dup),
            "MPI_Allgather");
  const auto desc = [&](int r, int k) { return all[size_t(r) * kDescLen + size_t(k)]; };

  // Checks on data every rank holds alike (so they fail on every rank together).
  int64_t cells = 0;
  for (int r = 0; r < m.size; ++r) {
    if (desc(r, kNx) != m.nx || desc(r, kNy) != m.ny || desc(r, kC) != m.c)
      throw InputError(
          std::string(kWhere) +
          ": ranks disagree on the grid or the channels: rank 0 passed nx=" + std::to_string(desc(0, kNx)) +
          " ny=" + std::to_string(desc(0, kNy)) + " channels=" + std::to_string(desc(0, kC)) + ", rank " +
          std::to_string(r) + " nx=" + std::to_string(desc(r, kNx)) + " ny=" + std::to_string(desc(r, kNy)) +
          " channels=" + std::to_string(desc(r, kC)));
    cells += desc(r, kXm) * desc(r, kYm);
  }
  if (cells != m.nx * m.ny)
    throw InputError(arg_problem("blocks",
                                 "blocks of all ranks tiling the " + std::to_string(m.nx) + "x" +
                                     std::to_string(m.ny) + " grid (" + std::to_string(m.nx * m.ny) +
                                     " cells)",
                                 std::to_string(cells) + " cells in all"));
  int overlap = -1;  // a rank whose block overlaps an earlier one, checked on rank 0
  if (m.rank == 0) {
    std::vector<bool> owned(size_t(m.nx * m.ny), false);
    for (int r = 0; r < m.size && overlap < 0; ++r)
      for (int64_t i = 0; i < desc(r, kXm) && overlap < 0; ++i)
        for (int64_t j = 0; j < desc(r, kYm); ++j) {
          const size_t at = size_t((desc(r, kX0) + i) * m.ny + desc(r, kY0) + j);
          if (owned[at]) {
            overlap = r;
            break;
          }
          owned[at] = true;
        }
  }
  mpi_check(MPI_Bcast(&overlap, 1, MPI_INT, 0, dup), "MPI_Bcast");
  if (overlap >= 0)
    throw InputError(arg_problem("blocks", "blocks of all ranks tiling the grid without overlap",
                                 "rank " + std::to_string(overlap) + "'s block overlapping another"));

  // Emulator count, the same on every rank.
  int emulators = m.is_emulator() ? 1 : 0;
  mpi_check(MPI_Allreduce(&emulators, &m.emulator_count, 1, MPI_INT, MPI_SUM, dup), "MPI_Allreduce");
  if (!m.is_emulator()) return;

  // Packed order: groups by emulator rank (the leaders' order), members by group rank.
  std::vector<int> order(size_t(m.size));
  for (int r = 0; r < m.size; ++r) order[size_t(r)] = r;
  std::sort(order.begin(), order.end(), [&](int a, int b) {
    return std::make_pair(desc(a, kEmulator), desc(a, kGroupRank)) <
           std::make_pair(desc(b, kEmulator), desc(b, kGroupRank));
  });
  int64_t offset = 0;
  for (int r : order) {
    const Box b{desc(r, kX0), desc(r, kY0), desc(r, kXm), desc(r, kYm), offset};
    const int64_t n = m.c * b.xm * b.ym;
    const int e = int(desc(r, kEmulator));
    if (desc(r, kGroupRank) == 0) {
      m.leader_displs.push_back(checked_int(offset, "the full field"));
      m.leader_counts.push_back(0);
    }
    m.leader_counts.back() = checked_int(m.leader_counts.back() + n, "a group's blocks");
    if (e == m.rank) {
      if (desc(r, kGroupRank) == 0) {
        m.group_offset = offset;
        m.group_first = m.boxes.size();
      }
      m.group_displs.push_back(checked_int(offset - m.group_offset, "a group's blocks"));
      m.group_counts.push_back(checked_int(n, "a block"));
    }
    m.boxes.push_back(b);
    offset += n;
  }
  m.packed.resize(size_t(offset));
}

StateExchange::~StateExchange() = default;
StateExchange::StateExchange(StateExchange&&) noexcept = default;
StateExchange& StateExchange::operator=(StateExchange&&) noexcept = default;

void StateExchange::gather(const float* block, float* full) {
  util::fault_point("exchange");
  Impl& m = *impl_;
  m.check_call(block, "block", full, "full");
  const float* send = m.block_size() ? block : &zero_length_buffer;
  if (m.layout != BlockLayout::cxy && m.block_size() > 0) {
    m.local.resize(size_t(m.block_size()));
    m.pack_local(block, m.local.data());
    send = m.local.data();
  }
  float* recv = m.is_emulator() ? m.packed.data() + m.group_offset : nullptr;
  if (m.is_emulator() && m.packed.empty()) recv = &zero_length_buffer;
  mpi_check(MPI_Gatherv(send, int(m.block_size()), MPI_FLOAT, recv, m.group_counts.data(),
                        m.group_displs.data(), MPI_FLOAT, 0, m.group.get()),
            "MPI_Gatherv");
  if (!m.is_emulator()) return;
  if (m.emulator_count > 1)
    mpi_check(MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, m.packed.data(), m.leader_counts.data(),
                             m.leader_displs.data(), MPI_FLOAT, m.leaders.get()),
              "MPI_Allgatherv");
  for (const Box& b : m.boxes) m.box_to_full(b, full);
  if (m.normalizer) {
    at::Tensor t = at::from_blob(full, {m.c, m.nx, m.ny}, at::kFloat);
    t.copy_(m.normalizer->normalize(t));
  }
}

at::Tensor StateExchange::gather(const float* block) {
  at::Tensor full;
  if (impl_->is_emulator()) full = at::empty({impl_->c, impl_->nx, impl_->ny}, at::kFloat);
  gather(block, full.defined() ? full.data_ptr<float>() : nullptr);
  return full;
}

void StateExchange::gather(const std::vector<float>& block, std::vector<float>& full) {
  const Impl& m = *impl_;
  agree_on_input_error(m.comm.get(), int64_t(block.size()) != m.block_size()
                                         ? arg_problem("block", std::to_string(m.block_size()) + " floats",
                                                       std::to_string(block.size()))
                                         : std::string());
  if (m.is_emulator()) full.resize(size_t(m.full_size()));
  gather(block.empty() ? &zero_length_buffer : block.data(), m.is_emulator() ? full.data() : nullptr);
}

void StateExchange::scatter(const float* full, float* block) {
  util::fault_point("exchange");
  Impl& m = *impl_;
  m.check_call(block, "block", full, "full");
  const float* src = full;
  at::Tensor denormalized;
  if (m.is_emulator() && m.normalizer) {
    denormalized =
        m.normalizer->denormalize(at::from_blob(const_cast<float*>(full), {m.c, m.nx, m.ny}, at::kFloat))
            .contiguous();
    src = denormalized.data_ptr<float>();
  }
  const float* send = nullptr;
  if (m.is_emulator()) {
    for (size_t k = m.group_first; k < m.group_first + size_t(m.group_size); ++k)
      m.full_to_box(src, m.boxes[k]);
    send = m.packed.empty() ? &zero_length_buffer : m.packed.data() + m.group_offset;
  }
  float* recv = m.block_size() ? block : &zero_length_buffer;
  if (m.layout != BlockLayout::cxy && m.block_size() > 0) {
    m.local.resize(size_t(m.block_size()));
    recv = m.local.data();
  }
  mpi_check(MPI_Scatterv(send, m.group_counts.data(), m.group_displs.data(), MPI_FLOAT, recv,
                         int(m.block_size()), MPI_FLOAT, 0, m.group.get()),
            "MPI_Scatterv");
  if (m.layout != BlockLayout::cxy && m.block_size() > 0) m.unpack_local(m.local.data(), block);
}

void StateExchange::scatter(const at::Tensor& full, float* block) {
  const Impl& m = *impl_;
  at::Tensor cpu;
  std::string problem;
  if (m.is_emulator()) {
    if (!full.defined())
      problem = arg_problem("full", "a [C, X, Y] tensor on this emulator rank", "an undefined tensor");
    else if (full.sizes().vec() != std::vector<int64_t>{m.c, m.nx, m.ny} ||
             !at::isFloatingType(full.scalar_type()))
      problem = arg_problem("full",
                            "a floating [" + std::to_string(m.c) + ", " + std::to_string(m.nx) + ", " +
                                std::to_string(m.ny) + "] tensor",
                            c10::str(full.scalar_type(), " ", full.sizes()));
    else
      cpu = full.to(at::kCPU, at::kFloat).contiguous();
  }
  agree_on_input_error(m.comm.get(), problem);
  scatter(cpu.defined() ? cpu.data_ptr<float>() : nullptr, block);
}

void StateExchange::scatter(const std::vector<float>& full, std::vector<float>& block) {
  const Impl& m = *impl_;
  agree_on_input_error(
      m.comm.get(), m.is_emulator() && int64_t(full.size()) != m.full_size()
                        ? arg_problem("full", std::to_string(m.full_size()) + " floats on this emulator rank",
                                      std::to_string(full.size()))
                        : std::string());
  block.resize(size_t(m.block_size()));
  scatter(m.is_emulator() ? (full.empty() ? &zero_length_buffer : full.data()) : nullptr,
          block.empty() ? &zero_length_buffer : block.data());
}

void StateExchange::set_layout(BlockLayout layout) {
  if (int(layout) < 0 || int(layout) > 3)
    throw InputError(arg_problem("layout", "cxy, xyc, yxc or cyx (0..3)", std::to_string(int(layout))));
  impl_->layout = layout;
}
BlockLayout StateExchange::layout() const {
  return impl_->layout;
}
bool StateExchange::is_emulator() const {
  return impl_->is_emulator();
}

EmulatorPlacement emulator_placement(MPI_Comm comm, const EmulatorRanks& emulators) {
  int rank = 0;
  mpi_check(MPI_Comm_rank(comm, &rank), "MPI_Comm_rank");
  EmulatorPlacement p;
  if (emulators.per_node) {
    MPI_Comm node = MPI_COMM_NULL;
    mpi_check(MPI_Comm_split_type(comm, MPI_COMM_TYPE_SHARED, rank, MPI_INFO_NULL, &node),
              "MPI_Comm_split_type");
    int local = 0;
    mpi_check(MPI_Comm_rank(node, &local), "MPI_Comm_rank");
    mpi_check(MPI_Comm_free(&node), "MPI_Comm_free");
    p.is_emulator = local == 0;
    const int mine = p.is_emulator ? 1 : 0;
    int before = 0;
    mpi_check(MPI_Exscan(&mine, &before, 1, MPI_INT, MPI_SUM, comm), "MPI_Exscan");
    p.index = rank == 0 ? 0 : before;  // MPI_Exscan leaves rank 0's result undefined
    mpi_check(MPI_Allreduce(&mine, &p.count, 1, MPI_INT, MPI_SUM, comm), "MPI_Allreduce");
    return p;
  }
  std::vector<int> list = emulators.ranks;
  std::sort(list.begin(), list.end());
  list.erase(std::unique(list.begin(), list.end()), list.end());
  p.count = int(list.size());
  const auto it = std::find(list.begin(), list.end(), rank);
  p.is_emulator = it != list.end();
  p.index = p.is_emulator ? int(it - list.begin()) : 0;
  return p;
}
int StateExchange::emulator() const {
  return impl_->emulator;
}
int StateExchange::emulator_count() const {
  return impl_->emulator_count;
}
int StateExchange::group_size() const {
  return impl_->group_size;
}
int64_t StateExchange::channels() const {
  return impl_->c;
}
std::array<int64_t, 2> StateExchange::grid() const {
  return {impl_->nx, impl_->ny};
}
const data::Block& StateExchange::block() const {
  return impl_->block;
}
int64_t StateExchange::block_size() const {
  return impl_->block_size();
}
int64_t StateExchange::full_size() const {
  return impl_->full_size();
}

}  // namespace leap::plugin
