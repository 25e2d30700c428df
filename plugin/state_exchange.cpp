// Gather/scatter of a 2-D [C, X, Y] or 3-D [C, X, Y, Z] state between its owners and the emulator
// rank(s). Internally every grid has three axes (a 2-D grid has Z = 1, its blocks z0 = 0, zm = 1),
// so one code path serves both. Packed order of a block: [C][xm][ym][zm] (channel-major over the box). On an
// emulator rank the buffer `packed_` holds the packed blocks of all ranks, group after group (groups in
// emulator-rank order), each group's blocks in group-rank order; `boxes_` says where each block goes in the
// full field.
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
enum Desc { kX0, kY0, kZ0, kXm, kYm, kZm, kNx, kNy, kNz, kDims, kC, kEmulator, kGroupRank, kDescLen };

struct Box {
  int64_t x0, y0, z0, xm, ym, zm;
  int64_t offset;  // floats into packed_
};

const char* const kAxis[] = {"x", "y", "z"};

int checked_int(int64_t n, const char* what) {
  if (n > INT_MAX)
    throw InputError(std::string(kWhere) + ": " + what + " holds " + std::to_string(n) +
                     " floats, more than one MPI call moves (" + std::to_string(INT_MAX) + ")");
  return int(n);
}

// The first problem of the rank-local arguments, or "".
std::string argument_problem(const std::vector<int64_t>& grid, const data::Block& block, int64_t channels,
                             const ExchangeOptions& options) {
  const auto str = [](int64_t v) { return std::to_string(v); };
  const size_t dims = grid.size();
  if (dims != 2 && dims != 3)
    return arg_problem("grid", "a 2-D or 3-D grid ({nx, ny} or {nx, ny, nz})",
                       "a " + str(int64_t(dims)) + "-D grid");
  for (size_t a = 0; a < dims; ++a)
    if (grid[a] <= 0) return arg_problem(std::string("n") + kAxis[a], "a positive grid size", str(grid[a]));
  if (channels <= 0) return arg_problem("channels", "a positive channel count", str(channels));
  if (block.start.size() != dims || block.count.size() != dims)
    return arg_problem(
        "block",
        "a " + str(int64_t(dims)) + "-D block (start and count along " +
            (dims == 3 ? "x, y and z" : "x and y") + ", as the grid)",
        str(int64_t(block.start.size())) + "-D start, " + str(int64_t(block.count.size())) + "-D count");
  for (size_t a = 0; a < dims; ++a) {
    const std::string x = kAxis[a], n = "n" + x, xm = x + "m";
    if (block.count[a] < 0 || block.count[a] > grid[a])
      return arg_problem(xm, "a block " + x + " count in [0, " + n + "=" + str(grid[a]) + "]",
                         str(block.count[a]));
    if (block.start[a] < 0 || block.start[a] + block.count[a] > grid[a])
      return arg_problem(
          x + "0",
          "a block " + x + " start in [0, " + n + " - " + xm + " = " + str(grid[a] - block.count[a]) + "]",
          str(block.start[a]));
  }
  if (options.normalizer && options.normalizer->channels() != channels)
    return arg_problem("normalizer", "statistics of " + str(channels) + " channels",
                       str(options.normalizer->channels()));
  if (int(options.layout) < 0 || int(options.layout) > 3)
    return arg_problem("layout", "cxy, xyc, yxc or cyx (0..3)", str(int(options.layout)));
  return "";
}

float zero_length_buffer = 0.f;  // a valid address for zero-length MPI buffers

}  // namespace

std::array<int64_t, 4> block_strides(BlockLayout layout, int64_t c, int64_t xm, int64_t ym, int64_t zm) {
  switch (layout) {
    case BlockLayout::cxy:
      return {xm * ym * zm, ym * zm, zm, 1};
    case BlockLayout::xyc:
      return {1, ym * zm * c, zm * c, c};
    case BlockLayout::yxc:
      return {1, c, xm * c, xm * ym * c};
    case BlockLayout::cyx:
      return {xm * ym * zm, 1, xm, xm * ym};
  }
  throw InputError("block layout: expected cxy, xyc, yxc or cyx (0..3), found " +
                   std::to_string(int(layout)));
}

std::array<int64_t, 3> block_strides(BlockLayout layout, int64_t c, int64_t xm, int64_t ym) {
  const auto s = block_strides(layout, c, xm, ym, 1);
  return {s[0], s[1], s[2]};
}

struct StateExchange::Impl {
  OwnedComm comm;     // duplicate of the construction communicator
  OwnedComm group;    // this rank's group; its emulator is group rank 0
  OwnedComm leaders;  // the emulator ranks (null on the others)
  int rank = 0, size = 1, emulator = 0, emulator_count = 1, group_size = 1;
  int64_t nx = 0, ny = 0, nz = 1, c = 0;
  int dims = 2;  // spatial dimensions of the grid (2 or 3)
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
  int64_t zm() const { return dims == 3 ? block.count[2] : 1; }
  int64_t block_size() const { return c * xm() * ym() * zm(); }
  int64_t full_size() const { return c * nx * ny * nz; }
  std::vector<int64_t> full_shape() const {
    return dims == 3 ? std::vector<int64_t>{c, nx, ny, nz} : std::vector<int64_t>{c, nx, ny};
  }

  // [layout] block -> [C][xm][ym][zm]
  void pack_local(const float* src, float* dst) const {
    const auto s = block_strides(layout, c, xm(), ym(), zm());
    for (int64_t k = 0; k < c; ++k)
      for (int64_t i = 0; i < xm(); ++i)
        for (int64_t j = 0; j < ym(); ++j)
          for (int64_t l = 0; l < zm(); ++l) *dst++ = src[k * s[0] + i * s[1] + j * s[2] + l * s[3]];
  }
  // [C][xm][ym][zm] -> [layout] block
  void unpack_local(const float* src, float* dst) const {
    const auto s = block_strides(layout, c, xm(), ym(), zm());
    for (int64_t k = 0; k < c; ++k)
      for (int64_t i = 0; i < xm(); ++i)
        for (int64_t j = 0; j < ym(); ++j)
          for (int64_t l = 0; l < zm(); ++l) dst[k * s[0] + i * s[1] + j * s[2] + l * s[3]] = *src++;
  }
  // packed box -> full [C][X][Y][Z], and back. A box spanning the whole z extent (every 2-D box)
  // moves one contiguous run of ym * Z floats per (channel, x).
  template <class Copy>
  void for_each_run(const Box& b, Copy&& copy) const {
    int64_t at = b.offset;
    for (int64_t k = 0; k < c; ++k)
      for (int64_t i = 0; i < b.xm; ++i) {
        const int64_t row = ((k * nx + b.x0 + i) * ny + b.y0) * nz + b.z0;
        if (b.zm == nz) {
          copy(row, at, b.ym * nz);
          at += b.ym * nz;
        } else
          for (int64_t j = 0; j < b.ym; ++j, at += b.zm) copy(row + j * nz, at, b.zm);
      }
  }
  void box_to_full(const Box& b, float* full) const {
    for_each_run(b, [&](int64_t f, int64_t p, int64_t n) {
      std::memcpy(full + f, packed.data() + p, size_t(n) * sizeof(float));
    });
  }
  void full_to_box(const float* full, const Box& b) {
    for_each_run(b, [&](int64_t f, int64_t p, int64_t n) {
      std::memcpy(packed.data() + p, full + f, size_t(n) * sizeof(float));
    });
  }
  // The full field as the Normalizer sees it: channels first, then its number of spatial axes (the
  // normalisation is per channel: a 2-D normaliser sees a 3-D field as [C, X, Y Z]).
  at::Tensor normalizer_view(float* full) const {
    if (normalizer && normalizer->spatial_dims == 3) return at::from_blob(full, {c, nx, ny, nz}, at::kFloat);
    return at::from_blob(full, {c, nx, ny * nz}, at::kFloat);
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

StateExchange::StateExchange(MPI_Comm comm, const std::vector<int64_t>& grid, const data::Block& block,
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
  std::string problem = argument_problem(grid, block, channels, options);
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

  m.dims = int(grid.size());
  m.nx = grid[0];
  m.ny = grid[1];
  m.nz = m.dims == 3 ? grid[2] : 1;
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
  const int64_t mine[kDescLen] = {block.start[0],
                                  block.start[1],
                                  m.dims == 3 ? block.start[2] : 0,
                                  block.count[0],
                                  block.count[1],
                                  m.zm(),
                                  m.nx,
                                  m.ny,
                                  m.nz,
                                  m.dims,
                                  m.c,
                                  m.emulator,
                                  group_rank};
  std::vector<int64_t> all(size_t(m.size) * kDescLen);
  mpi_check(MPI_Allgather(mine, kDescLen, MPI_INT64_T, all.data(), kDescLen, MPI_INT64_T, dup),
            "MPI_Allgather");
  const auto desc = [&](int r, int k) { return all[size_t(r) * kDescLen + size_t(k)]; };

  // Checks on data every rank holds alike (so they fail on every rank together).
  int64_t cells = 0;
  for (int r = 0; r < m.size; ++r) {
    const auto grid_of = [&](int q) {
      std::string g = "nx=" + std::to_string(desc(q, kNx)) + " ny=" + std::to_string(desc(q, kNy));
      if (desc(q, kDims) == 3) g += " nz=" + std::to_string(desc(q, kNz));
      return g + " channels=" + std::to_string(desc(q, kC));
    };
    if (desc(r, kNx) != m.nx || desc(r, kNy) != m.ny || desc(r, kNz) != m.nz || desc(r, kDims) != m.dims ||
        desc(r, kC) != m.c)
      throw InputError(std::string(kWhere) + ": ranks disagree on the grid or the channels: rank 0 passed " +
                       grid_of(0) + ", rank " + std::to_string(r) + " " + grid_of(r));
    cells += desc(r, kXm) * desc(r, kYm) * desc(r, kZm);
  }
  const std::string grid_text =
      std::to_string(m.nx) + "x" + std::to_string(m.ny) + (m.dims == 3 ? "x" + std::to_string(m.nz) : "");
  if (cells != m.nx * m.ny * m.nz)
    throw InputError(arg_problem("blocks",
                                 "blocks of all ranks tiling the " + grid_text + " grid (" +
                                     std::to_string(m.nx * m.ny * m.nz) + " cells)",
                                 std::to_string(cells) + " cells in all"));
  int overlap = -1;  // a rank whose block overlaps an earlier one, checked on rank 0
  if (m.rank == 0) {
    std::vector<bool> owned(size_t(m.nx * m.ny * m.nz), false);
    for (int r = 0; r < m.size && overlap < 0; ++r)
      for (int64_t i = 0; i < desc(r, kXm) && overlap < 0; ++i)
        for (int64_t j = 0; j < desc(r, kYm) && overlap < 0; ++j)
          for (int64_t l = 0; l < desc(r, kZm); ++l) {
            const size_t at =
                size_t(((desc(r, kX0) + i) * m.ny + desc(r, kY0) + j) * m.nz + desc(r, kZ0) + l);
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
    const Box b{desc(r, kX0), desc(r, kY0), desc(r, kZ0), desc(r, kXm), desc(r, kYm), desc(r, kZm), offset};
    const int64_t n = m.c * b.xm * b.ym * b.zm;
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
    at::Tensor t = m.normalizer_view(full);
    t.copy_(m.normalizer->normalize(t));
  }
}

at::Tensor StateExchange::gather(const float* block) {
  at::Tensor full;
  if (impl_->is_emulator()) full = at::empty(impl_->full_shape(), at::kFloat);
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
    denormalized = m.normalizer->denormalize(m.normalizer_view(const_cast<float*>(full))).contiguous();
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
      problem = arg_problem("full",
                            m.dims == 3 ? "a [C, X, Y, Z] tensor on this emulator rank"
                                        : "a [C, X, Y] tensor on this emulator rank",
                            "an undefined tensor");
    else if (full.sizes().vec() != m.full_shape() || !at::isFloatingType(full.scalar_type()))
      problem = arg_problem("full", "a floating " + c10::str(at::IntArrayRef(m.full_shape())) + " tensor",
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
std::vector<int64_t> StateExchange::grid() const {
  if (impl_->dims == 3) return {impl_->nx, impl_->ny, impl_->nz};
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
