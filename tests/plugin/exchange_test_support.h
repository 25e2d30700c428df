// Shared by the state-exchange tests: decompositions of a grid over the ranks of MPI_COMM_WORLD, a
// known field, and the index of an element in each block layout (the layouts' definitions).
#pragma once

#include <mpi.h>

#include <cstdint>
#include <string>
#include <vector>

#include "leap/data/well_writer.h"

namespace leap::test {

constexpr int64_t kNx = 13, kNy = 10, kC = 3;

inline int world_rank() {
  int r = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &r);
  return r;
}
inline int world_size() {
  int s = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &s);
  return s;
}

// Exact in float32, positive (log-normalisable), distinct per (c, x, y).
inline float field_value(int64_t c, int64_t x, int64_t y) { return float(10000 * c + 100 * x + y + 1); }

inline data::Block make_block(int64_t x0, int64_t y0, int64_t xm, int64_t ym) {
  data::Block b;
  b.start = {x0, y0};
  b.count = {xm, ym};
  return b;
}

// Split of n cells over p parts, the first n % p parts one cell larger (PETSc's way).
inline void split(int64_t n, int p, int k, int64_t* start, int64_t* count) {
  const int64_t base = n / p, extra = n % p;
  *count = base + (k < extra ? 1 : 0);
  *start = k * base + (k < extra ? k : extra);
}

enum class Decomposition { dims, sparse, strips, guillotine };

inline std::string name(Decomposition d) {
  switch (d) {
    case Decomposition::dims: return "dims";
    case Decomposition::sparse: return "sparse";
    case Decomposition::strips: return "strips";
    case Decomposition::guillotine: return "guillotine";
  }
  return "?";
}

// This rank's block of the kNx x kNy grid.
//   dims:       MPI_Dims_create process grid, uneven splits along x and y
//   sparse:     odd ranks own nothing (one with count {0, 0}, others {0, ny}); even ranks split x
//   strips:     y strips of sizes growing with the rank (1, 2, 3, ... parts), full x
//   guillotine: rank 0 owns x < 5, the other ranks split the rest along y (not a tensor product)
inline data::Block block_of(Decomposition d, int rank, int size) {
  int64_t s0 = 0, c0 = kNx, s1 = 0, c1 = kNy;
  switch (d) {
    case Decomposition::dims: {
      int dims[2] = {0, 0};
      MPI_Dims_create(size, 2, dims);
      split(kNx, dims[0], rank / dims[1], &s0, &c0);
      split(kNy, dims[1], rank % dims[1], &s1, &c1);
      break;
    }
    case Decomposition::sparse:
      if (rank % 2 == 1) return make_block(0, 0, 0, rank == 1 ? 0 : kNy);
      split(kNx, (size + 1) / 2, rank / 2, &s0, &c0);
      break;
    case Decomposition::strips: {
      const int64_t total = int64_t(size) * (size + 1) / 2;
      s1 = kNy * (int64_t(rank) * (rank + 1) / 2) / total;
      c1 = kNy * (int64_t(rank + 1) * (rank + 2) / 2) / total - s1;
      break;
    }
    case Decomposition::guillotine:
      if (size == 1) break;
      if (rank == 0) return make_block(0, 0, 5, kNy);
      split(kNy, size - 1, rank - 1, &s1, &c1);
      return make_block(5, s1, kNx - 5, c1);
  }
  return make_block(s0, s1, c0, c1);
}

// Layout codes as leap_layout / leap::plugin::BlockLayout: 0 cxy, 1 xyc, 2 yxc, 3 cyx.
inline int64_t layout_index(int layout, int64_t c, int64_t i, int64_t j, int64_t C, int64_t xm, int64_t ym) {
  switch (layout) {
    case 0: return (c * xm + i) * ym + j;
    case 1: return (i * ym + j) * C + c;
    case 2: return (j * xm + i) * C + c;
    default: return (c * ym + j) * xm + i;
  }
}

// This rank's block of field_value() (+ offset), in `layout`.
inline std::vector<float> make_block_data(const data::Block& b, int layout, float offset = 0.f) {
  const int64_t xm = b.count[0], ym = b.count[1];
  std::vector<float> v(size_t(kC * xm * ym));
  for (int64_t c = 0; c < kC; ++c)
    for (int64_t i = 0; i < xm; ++i)
      for (int64_t j = 0; j < ym; ++j)
        v[size_t(layout_index(layout, c, i, j, kC, xm, ym))] = field_value(c, b.start[0] + i, b.start[1] + j) + offset;
  return v;
}

// Number of entries of a [kC][kNx][kNy] field that differ from field_value() + offset.
inline int64_t full_mismatches(const float* full, float offset = 0.f) {
  int64_t bad = 0;
  for (int64_t c = 0; c < kC; ++c)
    for (int64_t x = 0; x < kNx; ++x)
      for (int64_t y = 0; y < kNy; ++y)
        if (full[(c * kNx + x) * kNy + y] != field_value(c, x, y) + offset) ++bad;
  return bad;
}

}  // namespace leap::test
