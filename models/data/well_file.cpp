#include "leap/data/well_file.h"

#include <filesystem>
#include <sstream>

#include "hdf5_util.h"
#include "leap/error.h"

namespace leap::data {

using h5::Handle;

int64_t WellField::components() const {
  const int64_t d = int64_t(dim_varying.size());
  return order == 0 ? 1 : order == 1 ? d : d * d;
}

int64_t WellLayout::channels() const {
  int64_t c = 0;
  for (const auto& f : fields) c += f.components();
  return c;
}

std::vector<std::string> WellLayout::channel_names() const {
  std::vector<std::string> out;
  for (const auto& f : fields) {
    if (f.order == 0) {
      out.push_back(f.name);
    } else if (f.order == 1) {
      for (const auto& a : axes) out.push_back(f.name + "_" + a.name);
    } else {
      for (const auto& a : axes)
        for (const auto& b : axes) out.push_back(f.name + "_" + a.name + b.name);
    }
  }
  return out;
}

const WellField* WellLayout::field(const std::string& name) const {
  for (const auto& f : fields)
    if (f.name == name) return &f;
  return nullptr;
}

struct WellFile::Impl {
  Handle file;
};

namespace {

[[noreturn]] void missing(const std::string& path, const std::string& what) {
  throw InputError(path + ": not a dataset in The Well's schema: missing " + what);
}

void read_fields(hid_t file, const std::string& path, int order, int dims, WellLayout& L) {
  const std::string group = "t" + std::to_string(order) + "_fields";
  if (!h5::has_link(file, group)) {
    if (order == 2) return;  // some files omit the empty tensor group
    missing(path, "group '" + group + "'");
  }
  Handle g(H5Gopen2(file, group.c_str(), H5P_DEFAULT));
  auto names = h5::read_string_list_attr(g, "field_names");
  if (!names) missing(path, "attribute '" + group + "/@field_names'");
  for (const auto& name : *names) {
    if (!h5::has_link(g, name)) missing(path, "dataset '" + group + "/" + name + "' listed in field_names");
    Handle d(H5Dopen2(g, name.c_str(), H5P_DEFAULT));
    WellField f;
    f.name = name;
    f.order = order;
    for (auto s : h5::dataset_shape(d)) f.shape.push_back(int64_t(s));
    f.sample_varying = h5::read_bool_attr(d, "sample_varying").value_or(true);
    f.time_varying = h5::read_bool_attr(d, "time_varying").value_or(true);
    auto dv = h5::read_number_list_attr(d, "dim_varying");
    if (dv) {
      for (double v : *dv) f.dim_varying.push_back(v != 0.0);
    } else {
      f.dim_varying.assign(dims, true);
    }
    if (int(f.dim_varying.size()) != dims)
      throw InputError(path + ": field '" + name + "': dim_varying has " + std::to_string(f.dim_varying.size()) +
                       " entries, expected n_spatial_dims = " + std::to_string(dims));
    L.fields.push_back(std::move(f));
  }
}

}  // namespace

WellFile::WellFile(const std::string& path) : impl_(std::make_unique<Impl>()), path_(path) {
  h5::QuietErrors quiet;
  if (!std::filesystem::exists(path)) throw InputError(path + ": no such file");
  if (H5Fis_hdf5(path.c_str()) <= 0) throw InputError(path + ": not an HDF5 file");
  impl_->file = Handle(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
  if (!impl_->file.valid()) throw InputError(path + ": cannot open the HDF5 file");
  hid_t f = impl_->file;
  WellLayout& L = layout_;

  auto name = h5::read_string_attr(f, "dataset_name");
  if (!name) missing(path, "root attribute 'dataset_name'");
  L.dataset_name = *name;
  L.grid_type = h5::read_string_attr(f, "grid_type").value_or("cartesian");
  auto nd = h5::read_number_attr(f, "n_spatial_dims");
  if (!nd) missing(path, "root attribute 'n_spatial_dims'");
  auto ntraj = h5::read_number_attr(f, "n_trajectories");
  if (!ntraj) missing(path, "root attribute 'n_trajectories'");
  const int dims = int(*nd);
  if (dims < 1 || dims > 3)
    throw InputError(path, "@n_spatial_dims", "1, 2 or 3", std::to_string(dims));
  L.n_trajectories = int64_t(*ntraj);

  if (auto params = h5::read_string_list_attr(f, "simulation_parameters")) {
    for (const auto& p : *params) {
      auto v = h5::read_number_attr(f, p.c_str());
      if (!v) missing(path, "root attribute '" + p + "' named in simulation_parameters");
      L.parameters.emplace_back(p, *v);
    }
  }

  if (!h5::has_link(f, "dimensions")) missing(path, "group 'dimensions'");
  Handle dg(H5Gopen2(f, "dimensions", H5P_DEFAULT));
  auto spatial = h5::read_string_list_attr(dg, "spatial_dims");
  if (!spatial) missing(path, "attribute 'dimensions/@spatial_dims'");
  if (int(spatial->size()) != dims)
    throw InputError(path, "dimensions/@spatial_dims", std::to_string(dims) + " names (n_spatial_dims)",
                     std::to_string(spatial->size()));
  if (!h5::has_link(dg, "time")) missing(path, "dataset 'dimensions/time'");
  {
    Handle t(H5Dopen2(dg, "time", H5P_DEFAULT));
    auto shape = h5::dataset_shape(t);
    if (shape.size() != 1) throw InputError(path, "dimensions/time", "a 1-D dataset", "another shape");
    L.times.resize(shape[0]);
    H5Dread(t, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, L.times.data());
    L.n_steps = int64_t(shape[0]);
  }
  for (const auto& axis : *spatial) {
    if (!h5::has_link(dg, axis)) missing(path, "dataset 'dimensions/" + axis + "'");
    Handle a(H5Dopen2(dg, axis.c_str(), H5P_DEFAULT));
    auto shape = h5::dataset_shape(a);
    WellAxis ax;
    ax.name = axis;
    ax.size = shape.empty() ? 0 : int64_t(shape[0]);
    ax.coords.resize(ax.size);
    if (ax.size) H5Dread(a, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, ax.coords.data());
    L.axes.push_back(std::move(ax));
  }

  if (!h5::has_link(f, "boundary_conditions")) missing(path, "group 'boundary_conditions'");
  {
    Handle bg(H5Gopen2(f, "boundary_conditions", H5P_DEFAULT));
    H5G_info_t info;
    H5Gget_info(bg, &info);
    for (hsize_t i = 0; i < info.nlinks; ++i) {
      char buf[256] = {0};
      H5Lget_name_by_idx(bg, ".", H5_INDEX_NAME, H5_ITER_INC, i, buf, sizeof(buf), H5P_DEFAULT);
      Handle b(H5Gopen2(bg, buf, H5P_DEFAULT));
      if (!b.valid()) continue;
      auto type = h5::read_string_attr(b, "bc_type");
      auto assoc = h5::read_string_list_attr(b, "associated_dims");
      if (!type || !assoc) continue;
      for (const auto& d : *assoc)
        for (auto& ax : L.axes)
          if (ax.name == d) ax.bc_type = *type;
    }
  }

  for (int order = 0; order <= 2; ++order) read_fields(f, path, order, dims, L);
  if (L.fields.empty()) missing(path, "fields (t0_fields/t1_fields/t2_fields list none)");
  for (const auto& fld : L.fields) {
    const size_t expect = (fld.sample_varying ? 1 : 0) + (fld.time_varying ? 1 : 0) + dims + (fld.order ? 1 : 0);
    if (fld.shape.size() != expect)
      throw InputError(path + ": field '" + fld.name + "' has " + std::to_string(fld.shape.size()) +
                       " dimensions, expected " + std::to_string(expect));
  }
}

WellFile::~WellFile() = default;
WellFile::WellFile(WellFile&&) noexcept = default;
WellFile& WellFile::operator=(WellFile&&) noexcept = default;

std::vector<float> WellFile::read_frame(int64_t trajectory, int64_t step, const std::string& name) const {
  const WellField* fld = layout_.field(name);
  if (!fld) throw InputError(path_ + ": no field '" + name + "'");
  if (trajectory < 0 || trajectory >= layout_.n_trajectories || step < 0 || step >= layout_.n_steps)
    throw InputError(path_ + ": frame (trajectory " + std::to_string(trajectory) + ", step " +
                     std::to_string(step) + ") out of range");
  const std::string group = "t" + std::to_string(fld->order) + "_fields";
  Handle g(H5Gopen2(impl_->file, group.c_str(), H5P_DEFAULT));
  Handle d(H5Dopen2(g, name.c_str(), H5P_DEFAULT));
  Handle fspace(H5Dget_space(d));
  const size_t rank = fld->shape.size();
  std::vector<hsize_t> start(rank, 0), count(rank);
  for (size_t i = 0; i < rank; ++i) count[i] = hsize_t(fld->shape[i]);
  size_t k = 0;
  if (fld->sample_varying) {
    start[k] = hsize_t(trajectory);
    count[k++] = 1;
  }
  if (fld->time_varying) {
    start[k] = hsize_t(step);
    count[k++] = 1;
  }
  h5::check(H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr),
            "select frame");
  hsize_t n = 1;
  for (auto c : count) n *= c;
  std::vector<float> out(n);
  Handle mspace(H5Screate_simple(1, &n, nullptr));
  h5::check(H5Dread(d, H5T_NATIVE_FLOAT, mspace, fspace, H5P_DEFAULT, out.data()), "read " + name);
  return out;
}

std::vector<float> WellFile::read_state(int64_t trajectory, int64_t step) const {
  int64_t cells = 1;
  for (const auto& a : layout_.axes) cells *= a.size;
  std::vector<float> out(size_t(layout_.channels() * cells));
  int64_t c0 = 0;
  for (const auto& f : layout_.fields) {
    const auto frame = read_frame(trajectory, step, f.name);
    const int64_t nc = f.components();
    for (int64_t i = 0; i < cells; ++i)
      for (int64_t c = 0; c < nc; ++c) out[size_t((c0 + c) * cells + i)] = frame[size_t(i * nc + c)];
    c0 += nc;
  }
  return out;
}

std::string describe(const WellLayout& L, const std::string& path) {
  std::ostringstream s;
  s << "file:          " << path << "\n";
  s << "dataset:       " << L.dataset_name << " (" << L.grid_type << ", " << L.n_spatial_dims() << "-D)\n";
  s << "trajectories:  " << L.n_trajectories << "\n";
  s << "frames:        " << L.n_steps;
  if (L.times.size() >= 2)
    s << " (t = " << L.times.front() << " .. " << L.times.back() << ", dt = " << (L.times[1] - L.times[0]) << ")";
  s << "\n";
  s << "grid:          ";
  for (size_t i = 0; i < L.axes.size(); ++i) s << (i ? " x " : "") << L.axes[i].size;
  s << " (";
  for (size_t i = 0; i < L.axes.size(); ++i) s << (i ? ", " : "") << L.axes[i].name;
  s << ")\n";
  s << "boundaries:    ";
  for (size_t i = 0; i < L.axes.size(); ++i)
    s << (i ? ", " : "") << L.axes[i].name << ": " << (L.axes[i].bc_type.empty() ? "?" : L.axes[i].bc_type);
  s << "\n";
  s << "parameters:    ";
  if (L.parameters.empty()) s << "(none)";
  for (size_t i = 0; i < L.parameters.size(); ++i)
    s << (i ? ", " : "") << L.parameters[i].first << " = " << L.parameters[i].second;
  s << "\n";
  s << "fields:        " << L.fields.size() << " (" << L.channels() << " channels)\n";
  for (const auto& f : L.fields) {
    s << "  " << f.name << "  order " << f.order << (f.order == 0 ? " (scalar)" : f.order == 1 ? " (vector)" : " (tensor)")
      << "  shape [";
    for (size_t i = 0; i < f.shape.size(); ++i) s << (i ? ", " : "") << f.shape[i];
    s << "]\n";
  }
  return s.str();
}

}  // namespace leap::data
