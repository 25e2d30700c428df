#include "leap/data/well_writer.h"

#include <spdlog/spdlog.h>

#include <exception>

#include "hdf5_util.h"
#include "leap/data/xdmf.h"
#include "leap/error.h"
#include "leap/util/atomic_file.h"

namespace leap::data {

using h5::Handle;

int64_t Block::cells() const {
  int64_t n = 1;
  for (auto c : count) n *= c;
  return n;
}

struct WellWriter::Impl {
  MPI_Comm comm = MPI_COMM_NULL;
  Handle file;
  std::string tmp;
  bool finished = false;
  int64_t completed = 0;
};

namespace {

void write_1d(hid_t loc, const char* name, const std::vector<double>& values, int rank) {
  hsize_t n = values.size();
  Handle space(H5Screate_simple(1, &n, nullptr));
  Handle d(h5::check_id(H5Dcreate2(loc, name, H5T_IEEE_F32LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                        std::string("create ") + name));
  // Small metadata datasets: every rank takes part in the collective create; rank 0 writes data.
  std::vector<float> f(values.begin(), values.end());
  Handle fs(H5Dget_space(d));
  if (rank != 0) H5Sselect_none(fs);
  Handle ms(H5Screate_simple(1, &n, nullptr));
  if (rank != 0) H5Sselect_none(ms);
  if (n == 0) return;
  h5::check(H5Dwrite(d, H5T_NATIVE_FLOAT, ms, fs, H5P_DEFAULT, f.data()), std::string("write ") + name);
}

}  // namespace

namespace {

// True when the unfinished file at `tmp` holds exactly `L`'s fields, grid, trajectories and steps.
bool same_layout(const std::string& tmp, const WellLayout& L) {
  try {
    WellFile f(tmp);
    const WellLayout& o = f.layout();
    if (o.n_trajectories != L.n_trajectories || o.n_steps != L.n_steps || o.axes.size() != L.axes.size() ||
        o.fields.size() != L.fields.size() || o.dataset_name != L.dataset_name)
      return false;
    for (size_t i = 0; i < o.axes.size(); ++i)
      if (o.axes[i].size != L.axes[i].size) return false;
    for (size_t i = 0; i < o.fields.size(); ++i)
      if (o.fields[i].name != L.fields[i].name || o.fields[i].shape != L.fields[i].shape) return false;
    if (o.parameters != L.parameters) return false;
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace

WellWriter::WellWriter(MPI_Comm comm, const std::string& path, WellLayout layout, bool resume)
    : impl_(std::make_unique<Impl>()), layout_(std::move(layout)), path_(path) {
  impl_->comm = comm;
  int rank = 0;
  MPI_Comm_rank(comm, &rank);
  WellLayout& L = layout_;
  const int dims = L.n_spatial_dims();
  if (dims < 1 || dims > 3) throw Error("WellWriter: layout needs 1 to 3 axes");
  if (int64_t(L.times.size()) != L.n_steps) throw Error("WellWriter: times must have n_steps entries");
  growing_ = L.n_steps == 0;
  for (auto& f : L.fields) {
    f.dim_varying.assign(dims, true);
    f.sample_varying = true;
    f.time_varying = true;
    f.shape = {L.n_trajectories, L.n_steps};
    for (const auto& a : L.axes) f.shape.push_back(a.size);
    if (f.order > 0) f.shape.push_back(f.components());
  }

  impl_->tmp = util::partial_path(path);
  Handle fapl(H5Pcreate(H5P_FILE_ACCESS));
  H5Pset_fapl_mpio(fapl, comm, MPI_INFO_NULL);
  H5Pset_all_coll_metadata_ops(fapl, true);
  H5Pset_coll_metadata_write(fapl, true);
  if (resume) {
    // Rank 0 checks the leftover file; everyone agrees before opening it collectively.
    int reuse = 0;
    if (rank == 0) reuse = same_layout(impl_->tmp, L) ? 1 : 0;
    MPI_Bcast(&reuse, 1, MPI_INT, 0, comm);
    if (reuse) {
      h5::QuietErrors quiet;
      impl_->file = Handle(H5Fopen(impl_->tmp.c_str(), H5F_ACC_RDWR, fapl));
      if (impl_->file.valid()) {
        impl_->completed =
            int64_t(h5::read_number_attr(impl_->file, "leap_completed_trajectories").value_or(0));
        return;
      }
    }
  }
  {
    h5::QuietErrors quiet;
    impl_->file = Handle(H5Fcreate(impl_->tmp.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl));
  }
  if (!impl_->file.valid()) throw InputError(path + ": cannot create the file (is the directory writable?)");
  hid_t f = impl_->file;

  h5::write_string_attr(f, "dataset_name", L.dataset_name);
  h5::write_string_attr(f, "grid_type", L.grid_type);
  h5::write_int_attr(f, "n_spatial_dims", dims);
  h5::write_int_attr(f, "n_trajectories", L.n_trajectories);
  std::vector<std::string> pnames;
  for (const auto& [k, v] : L.parameters) {
    pnames.push_back(k);
    h5::write_double_attr(f, k.c_str(), v);
  }
  h5::write_string_list_attr(f, "simulation_parameters", pnames);
  h5::write_int_attr(f, "leap_completed_trajectories", 0);

  {
    Handle dg(H5Gcreate2(f, "dimensions", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    std::vector<std::string> names;
    for (const auto& a : L.axes) names.push_back(a.name);
    h5::write_string_list_attr(dg, "spatial_dims", names);
    if (L.n_steps == 0) {  // growing: one entry per append_frame()
      hsize_t zero = 0, unlimited = H5S_UNLIMITED, chunk = 256;
      Handle space(H5Screate_simple(1, &zero, &unlimited));
      Handle dcpl(H5Pcreate(H5P_DATASET_CREATE));
      H5Pset_chunk(dcpl, 1, &chunk);
      Handle t(h5::check_id(H5Dcreate2(dg, "time", H5T_IEEE_F32LE, space, H5P_DEFAULT, dcpl, H5P_DEFAULT),
                            "create time"));
    } else {
      write_1d(dg, "time", L.times, rank);
    }
    {
      Handle t(H5Dopen2(dg, "time", H5P_DEFAULT));
      h5::write_bool_attr(t, "sample_varying", false);
      h5::write_bool_attr(t, "time_varying", true);
    }
    for (const auto& a : L.axes) {
      if (int64_t(a.coords.size()) != a.size)
        throw Error("WellWriter: axis " + a.name + " needs size coords");
      write_1d(dg, a.name.c_str(), a.coords, rank);
      Handle d(H5Dopen2(dg, a.name.c_str(), H5P_DEFAULT));
      h5::write_bool_attr(d, "sample_varying", false);
      h5::write_bool_attr(d, "time_varying", false);
    }
  }

  {
    Handle bg(H5Gcreate2(f, "boundary_conditions", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    for (const auto& a : L.axes) {
      // One group per side type: both ends of the axis in one group when they agree.
      const std::string lo = a.bc_lower.empty() ? a.bc_type : a.bc_lower;
      const std::string hi = a.bc_upper.empty() ? a.bc_type : a.bc_upper;
      std::vector<std::pair<std::string, std::vector<int8_t>>> groups;
      std::vector<int8_t> mask(size_t(a.size), 0);
      if (lo == hi) {
        if (a.size) mask.front() = mask.back() = 1;
        groups.emplace_back(lo, mask);
      } else {
        auto lmask = mask, umask = mask;
        if (a.size) lmask.front() = umask.back() = 1;
        groups.emplace_back(lo, lmask);
        groups.emplace_back(hi, umask);
      }
      for (auto& [type_name, gmask] : groups) {
        const std::string gname = a.name + "_" + type_name;
        Handle b(H5Gcreate2(bg, gname.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
        h5::write_string_list_attr(b, "associated_dims", {a.name});
        h5::write_string_list_attr(b, "associated_fields", {});
        h5::write_string_attr(b, "bc_type", type_name);
        h5::write_bool_attr(b, "sample_varying", false);
        h5::write_bool_attr(b, "time_varying", false);
        // mask: true on the boundary coordinates of this type; values: none prescribed.
        hsize_t n = a.size;
        Handle type = h5::bool_type();
        Handle space(H5Screate_simple(1, &n, nullptr));
        Handle m(H5Dcreate2(b, "mask", type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
        Handle fs(H5Dget_space(m));
        Handle ms(H5Screate_simple(1, &n, nullptr));
        if (rank != 0) {
          H5Sselect_none(fs);
          H5Sselect_none(ms);
        }
        h5::check(H5Dwrite(m, type, ms, fs, H5P_DEFAULT, gmask.data()), "write boundary mask");
        write_1d(b, "values", {}, rank);
      }
    }
  }

  {
    Handle sg(H5Gcreate2(f, "scalars", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    h5::write_string_list_attr(sg, "field_names", pnames);
    for (const auto& [k, v] : L.parameters) {
      write_1d(sg, k.c_str(), {v}, rank);
      Handle d(H5Dopen2(sg, k.c_str(), H5P_DEFAULT));
      h5::write_bool_attr(d, "sample_varying", false);
      h5::write_bool_attr(d, "time_varying", false);
    }
  }

  for (int order = 0; order <= 2; ++order) {
    const std::string gname = "t" + std::to_string(order) + "_fields";
    Handle g(H5Gcreate2(f, gname.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    std::vector<std::string> names;
    for (const auto& fld : L.fields) {
      if (fld.order != order) continue;
      names.push_back(fld.name);
      std::vector<hsize_t> shape(fld.shape.begin(), fld.shape.end());
      std::vector<hsize_t> chunk(shape);
      chunk[0] = chunk[1] = 1;  // one chunk per frame
      std::vector<hsize_t> maxdims(shape);
      if (L.n_steps == 0) {  // growing along time
        maxdims[1] = H5S_UNLIMITED;
      }
      Handle space(H5Screate_simple(int(shape.size()), shape.data(), maxdims.data()));
      Handle dcpl(H5Pcreate(H5P_DATASET_CREATE));
      H5Pset_chunk(dcpl, int(chunk.size()), chunk.data());
      H5Pset_alloc_time(dcpl, H5D_ALLOC_TIME_EARLY);
      H5Pset_fill_time(dcpl, H5D_FILL_TIME_NEVER);
      Handle d(
          h5::check_id(H5Dcreate2(g, fld.name.c_str(), H5T_IEEE_F32LE, space, H5P_DEFAULT, dcpl, H5P_DEFAULT),
                       "create field " + fld.name));
      h5::write_bool_list_attr(d, "dim_varying", fld.dim_varying);
      h5::write_bool_attr(d, "sample_varying", true);
      h5::write_bool_attr(d, "time_varying", true);
      if (order == 2) {
        h5::write_bool_attr(d, "symmetric", false);
        h5::write_bool_attr(d, "antisymmetric", false);
      }
    }
    h5::write_string_list_attr(g, "field_names", names);
  }
}

WellWriter::~WellWriter() {
  // While an exception unwinds, the other ranks may not be here to close the file with this one
  // (the failure may be this rank's alone): abandon it. On one rank closing is safe.
  int size = 1;
  if (impl_ && impl_->comm != MPI_COMM_NULL) MPI_Comm_size(impl_->comm, &size);
  if (std::uncaught_exceptions() > 0 && size > 1) abandon();  // else the handle closes (collective)
}

int64_t open_hdf5_files() { return int64_t(H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_FILE)); }

void WellWriter::abandon() {
  if (impl_) impl_->file.release();
}

void WellWriter::write_frame(int64_t trajectory, int64_t step, const std::string& field, const float* data,
                             const Block& block) {
  const WellField* fld = layout_.field(field);
  if (!fld) throw Error("WellWriter: no field '" + field + "'");
  if (trajectory < 0 || trajectory >= layout_.n_trajectories || step < 0 || step >= layout_.n_steps)
    throw Error("WellWriter: frame out of range");
  const int dims = layout_.n_spatial_dims();
  if (int(block.start.size()) != dims || int(block.count.size()) != dims)
    throw Error("WellWriter: block must have one start/count per axis");
  const std::string gname = "t" + std::to_string(fld->order) + "_fields";
  Handle g(H5Gopen2(impl_->file, gname.c_str(), H5P_DEFAULT));
  Handle d(H5Dopen2(g, field.c_str(), H5P_DEFAULT));
  Handle fs(H5Dget_space(d));
  const size_t rank = fld->shape.size();
  std::vector<hsize_t> start(rank, 0), count(rank, 1);
  start[0] = hsize_t(trajectory);
  start[1] = hsize_t(step);
  for (int i = 0; i < dims; ++i) {
    start[2 + i] = hsize_t(block.start[i]);
    count[2 + i] = hsize_t(block.count[i]);
  }
  if (fld->order > 0) count[rank - 1] = hsize_t(fld->components());
  const hsize_t n = hsize_t(block.cells() * fld->components());
  Handle ms(H5Screate_simple(1, &n, nullptr));
  if (n == 0) {
    H5Sselect_none(fs);
    H5Sselect_none(ms);
  } else {
    h5::check(H5Sselect_hyperslab(fs, H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr),
              "select block");
  }
  Handle dxpl(H5Pcreate(H5P_DATASET_XFER));
  H5Pset_dxpl_mpio(dxpl, H5FD_MPIO_COLLECTIVE);
  h5::QuietErrors quiet;  // the message below says it: not HDF5's stack of 30 lines
  if (H5Dwrite(d, H5T_NATIVE_FLOAT, ms, fs, dxpl, data) < 0)
    throw Error("cannot write " + path_ + " (field " + field + "; disk full, or a file size limit?)");
}

int64_t WellWriter::completed_trajectories() const {
  return impl_->completed;
}

int64_t WellWriter::append_frame(double time) {
  if (!growing_) throw Error("WellWriter::append_frame: the file was created with a fixed number of frames");
  int rank = 0;
  MPI_Comm_rank(impl_->comm, &rank);
  const int64_t step = layout_.n_steps;
  layout_.n_steps += 1;
  layout_.times.push_back(time);
  for (auto& f : layout_.fields) {
    f.shape[1] = layout_.n_steps;
    const std::string gname = "t" + std::to_string(f.order) + "_fields";
    Handle g(H5Gopen2(impl_->file, gname.c_str(), H5P_DEFAULT));
    Handle d(H5Dopen2(g, f.name.c_str(), H5P_DEFAULT));
    std::vector<hsize_t> dims(f.shape.begin(), f.shape.end());
    h5::check(H5Dset_extent(d, dims.data()), "extend " + f.name);
  }
  Handle dg(H5Gopen2(impl_->file, "dimensions", H5P_DEFAULT));
  Handle t(H5Dopen2(dg, "time", H5P_DEFAULT));
  hsize_t n = hsize_t(layout_.n_steps), start = hsize_t(step), one = 1;
  h5::check(H5Dset_extent(t, &n), "extend time");
  Handle fs(H5Dget_space(t));
  Handle ms(H5Screate_simple(1, &one, nullptr));
  H5Sselect_hyperslab(fs, H5S_SELECT_SET, &start, nullptr, &one, nullptr);
  if (rank != 0) {
    H5Sselect_none(fs);
    H5Sselect_none(ms);
  }
  const float tf = float(time);
  h5::check(H5Dwrite(t, H5T_NATIVE_FLOAT, ms, fs, H5P_DEFAULT, &tf), "write time");
  return step;
}

void WellWriter::mark_complete(int64_t count) {
  h5::write_int_attr(impl_->file, "leap_completed_trajectories", count);
  h5::QuietErrors quiet;
  if (H5Fflush(impl_->file, H5F_SCOPE_GLOBAL) < 0)
    throw Error("cannot write " + path_ + " (disk full, or a file size limit?)");
  impl_->completed = count;
}

void WellWriter::finish() {
  if (impl_->finished) return;
  impl_->file.reset();
  int rank = 0;
  MPI_Comm_rank(impl_->comm, &rank);
  MPI_Barrier(impl_->comm);
  int ok = 1;
  if (rank == 0) {
    try {
      util::commit_file(impl_->tmp, path_);
    } catch (const std::exception&) {
      ok = 0;
    }
    try {  // NAME.xdmf for ParaView/VisIt, once NAME.hdf5 is complete; the dataset stands without it
      if (ok) write_xdmf(path_);
    } catch (const std::exception& e) {
      spdlog::warn("{}: no XDMF description written: {}", path_, e.what());
    }
  }
  MPI_Bcast(&ok, 1, MPI_INT, 0, impl_->comm);
  if (!ok) throw Error("cannot rename " + impl_->tmp + " to " + path_);
  impl_->finished = true;
}

}  // namespace leap::data
