#include "leap/data/well_file.h"

#include <algorithm>
#include <cctype>
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

std::string lower(std::string s) {
  for (auto& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// `field_names` of a group: absent or an empty array of any type (h5py writes `[]` as float64)
// is an empty list.
std::vector<std::string> field_names(hid_t g, const std::string& path, const std::string& group) {
  if (!h5::has_attr(g, "field_names")) missing(path, "attribute '" + group + "/@field_names'");
  if (auto names = h5::read_string_list_attr(g, "field_names")) return *names;
  if (auto numbers = h5::read_number_list_attr(g, "field_names"); numbers && numbers->empty()) return {};
  throw InputError(path, group + "/@field_names", "a list of strings", "another type");
}

std::string type_name(hid_t dset) {
  Handle t(H5Dget_type(dset));
  const H5T_class_t cls = H5Tget_class(t);
  const size_t size = H5Tget_size(t);
  if (cls == H5T_FLOAT) return "float" + std::to_string(8 * size);
  if (cls == H5T_INTEGER) return (H5Tget_sign(t) == H5T_SGN_NONE ? "uint" : "int") + std::to_string(8 * size);
  if (cls == H5T_ENUM) return "bool";
  return "non-numeric";
}

// Sizes beyond any real dataset's (The Well's largest frame holds ~5e7 values): a file declaring
// more is refused before memory is allocated for it (a corrupted header can declare 2^60 points).
constexpr hsize_t kMaxAxisPoints = hsize_t(1) << 24;
constexpr double kMaxFrameValues = double(int64_t(1) << 28);
std::string count_text(double values) {
  std::ostringstream o;
  o << values << " values";
  return o.str();
}

// A 1-D coordinate dataset, or row 0 of a sample-varying one ([trajectory, n]).
std::vector<double> read_coords(hid_t d, const std::string& path, const std::string& name) {
  const auto shape = h5::dataset_shape(d);
  if (shape.empty() || shape.size() > 2)
    throw InputError(path, "dimensions/" + name, "a 1-D dataset (or [trajectory, n] when sample-varying)",
                     std::to_string(shape.size()) + " dimensions");
  hsize_t n = shape.back();
  if (n > kMaxAxisPoints)
    throw InputError(path, "dimensions/" + name, "at most " + std::to_string(kMaxAxisPoints) + " points",
                     std::to_string(n));
  std::vector<double> row(n);
  if (n == 0 || shape.front() == 0) return row;
  if (shape.size() == 1) {
    h5::check(H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, row.data()), "read " + name);
    return row;
  }
  Handle fspace(H5Dget_space(d));
  const hsize_t start[2] = {0, 0}, count[2] = {1, n};
  h5::check(H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start, nullptr, count, nullptr), "select " + name);
  Handle mspace(H5Screate_simple(1, &n, nullptr));
  h5::check(H5Dread(d, H5T_NATIVE_DOUBLE, mspace, fspace, H5P_DEFAULT, row.data()), "read " + name);
  return row;
}

void read_fields(hid_t file, const std::string& path, int order, const std::vector<WellAxis>& axes,
                 WellLayout& L) {
  const int dims = int(axes.size());
  const std::string group = "t" + std::to_string(order) + "_fields";
  if (!h5::has_link(file, group)) {
    if (order == 2) return;  // some files leave out the empty tensor group
    missing(path, "group '" + group + "'");
  }
  Handle g(H5Gopen2(file, group.c_str(), H5P_DEFAULT));
  for (const auto& name : field_names(g, path, group)) {
    if (!h5::has_link(g, name)) missing(path, "dataset '" + group + "/" + name + "' listed in field_names");
    Handle d(H5Dopen2(g, name.c_str(), H5P_DEFAULT));
    WellField f;
    f.name = name;
    f.order = order;
    for (auto s : h5::dataset_shape(d)) f.shape.push_back(int64_t(s));
    f.sample_varying = h5::read_bool_attr(d, "sample_varying").value_or(true);
    f.time_varying = h5::read_bool_attr(d, "time_varying").value_or(true);
    f.dtype = type_name(d);
    const std::string where = group + "/" + name;
    if (f.dtype == "non-numeric" || f.dtype == "bool")
      throw InputError(path, where, "a numeric dataset", f.dtype);
    auto dv = h5::read_number_list_attr(d, "dim_varying");
    if (dv) {
      for (double v : *dv) f.dim_varying.push_back(v != 0.0);
    } else {
      f.dim_varying.assign(dims, true);
    }
    if (int(f.dim_varying.size()) != dims)
      throw InputError(path + ": field '" + name + "': dim_varying has " +
                       std::to_string(f.dim_varying.size()) +
                       " entries, expected n_spatial_dims = " + std::to_string(dims));
    // Leading axes, then one axis per spatial dim (its size, or 1 / absent where it does not vary),
    // then `order` component axes of size D.
    const size_t lead = (f.sample_varying ? 1 : 0) + (f.time_varying ? 1 : 0);
    int absent = 0;
    for (bool v : f.dim_varying) absent += v ? 0 : 1;
    const size_t full = lead + size_t(dims) + size_t(order);
    if (f.shape.size() != full && f.shape.size() != full - size_t(absent))
      throw InputError(path + ": field '" + name + "' has " + std::to_string(f.shape.size()) +
                       " dimensions, expected " + std::to_string(full) + " (" +
                       (f.sample_varying ? "trajectory, " : "") + (f.time_varying ? "time, " : "") +
                       std::to_string(dims) + " spatial" +
                       (order ? ", " + std::to_string(order) + " component" : "") + ")");
    const bool kept = f.shape.size() == full;  // non-varying axes stored with length 1
    size_t k = 0;
    if (f.sample_varying && f.shape[k++] != L.n_trajectories)
      throw InputError(path, where, std::to_string(L.n_trajectories) + " trajectories (n_trajectories)",
                       std::to_string(f.shape[k - 1]));
    if (f.time_varying && f.shape[k++] != L.n_steps)
      throw InputError(path, where, std::to_string(L.n_steps) + " time steps (dimensions/time)",
                       std::to_string(f.shape[k - 1]));
    for (int a = 0; a < dims; ++a) {
      if (!f.dim_varying[a] && !kept) continue;
      const int64_t want = f.dim_varying[a] ? axes[a].size : 1;
      if (f.shape[k++] != want)
        throw InputError(path, where, std::to_string(want) + " entries along " + axes[a].name,
                         std::to_string(f.shape[k - 1]));
    }
    for (int o = 0; o < order; ++o)
      if (f.shape[k++] != dims)
        throw InputError(path, where, std::to_string(dims) + " components per tensor axis",
                         std::to_string(f.shape[k - 1]));
    L.fields.push_back(std::move(f));
  }
}

void read_scalars(hid_t file, const std::string& path, WellLayout& L) {
  if (!h5::has_link(file, "scalars")) return;
  Handle g(H5Gopen2(file, "scalars", H5P_DEFAULT));
  if (!h5::has_attr(g, "field_names")) return;
  for (const auto& name : field_names(g, path, "scalars")) {
    if (!h5::has_link(g, name)) missing(path, "dataset 'scalars/" + name + "' listed in field_names");
    Handle d(H5Dopen2(g, name.c_str(), H5P_DEFAULT));
    WellScalar s;
    s.name = name;
    double values = 1;
    for (auto n : h5::dataset_shape(d)) {
      s.shape.push_back(int64_t(n));
      values *= double(n);
    }
    if (values > kMaxFrameValues)
      throw InputError(path, "scalars/" + name, "at most 2^28 values", count_text(values));
    s.sample_varying = h5::read_bool_attr(d, "sample_varying").value_or(false);
    s.time_varying = h5::read_bool_attr(d, "time_varying").value_or(false);
    const std::string t = type_name(d);
    if (t == "non-numeric") throw InputError(path, "scalars/" + name, "a numeric dataset", t);
    L.scalars.push_back(std::move(s));
  }
}

// Reads a mask of booleans (h5py's enum) or numbers as 0/1 bytes.
std::vector<uint8_t> read_mask(hid_t d, hsize_t n) {
  std::vector<uint8_t> out(n);
  if (!n) return out;
  Handle t(H5Dget_type(d));
  if (H5Tget_class(t) == H5T_ENUM || (H5Tget_class(t) == H5T_INTEGER && H5Tget_size(t) == 1)) {
    h5::check(H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()), "read mask");
    for (auto& v : out) v = v ? 1 : 0;
  } else {
    std::vector<double> v(n);
    h5::check(H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()), "read mask");
    for (hsize_t i = 0; i < n; ++i) out[i] = v[i] != 0.0;
  }
  return out;
}

void read_boundaries(hid_t file, const std::string& path, WellLayout& L) {
  if (!h5::has_link(file, "boundary_conditions")) missing(path, "group 'boundary_conditions'");
  Handle bg(H5Gopen2(file, "boundary_conditions", H5P_DEFAULT));
  H5G_info_t info;
  if (H5Gget_info(bg, &info) < 0)
    throw InputError(path + ": group 'boundary_conditions' cannot be read (a corrupted file?)");
  for (hsize_t i = 0; i < info.nlinks; ++i) {
    const ssize_t len = H5Lget_name_by_idx(bg, ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
    // A corrupted group can claim more links than it has (2^64: one failed lookup after another).
    if (len < 0)
      throw InputError(path + ": group 'boundary_conditions' claims " + std::to_string(info.nlinks) +
                       " members, member " + std::to_string(i) + " cannot be read (a corrupted file?)");
    std::string name(size_t(len), '\0');
    H5Lget_name_by_idx(bg, ".", H5_INDEX_NAME, H5_ITER_INC, i, name.data(), name.size() + 1, H5P_DEFAULT);
    H5O_info_t oinfo;
    if (H5Oget_info_by_name(bg, name.c_str(), &oinfo, H5P_DEFAULT) < 0 || oinfo.type != H5O_TYPE_GROUP)
      continue;
    Handle b(H5Gopen2(bg, name.c_str(), H5P_DEFAULT));
    auto type = h5::read_string_attr(b, "bc_type");
    auto assoc = h5::read_string_list_attr(b, "associated_dims");
    if (!type) missing(path, "attribute 'boundary_conditions/" + name + "/@bc_type'");
    if (!assoc) missing(path, "attribute 'boundary_conditions/" + name + "/@associated_dims'");
    WellBoundary bc;
    bc.name = name;
    bc.type = lower(*type);
    // h5py stores associated_dims = "x" as one string: The Well iterates it character by character.
    if (assoc->size() == 1 && assoc->front().size() > 1) {
      for (char c : assoc->front()) bc.dims.emplace_back(1, c);
    } else {
      bc.dims = *assoc;
    }
    bc.fields = h5::read_string_list_attr(b, "associated_fields").value_or(std::vector<std::string>{});
    for (const auto& d : bc.dims) {
      bool known = false;
      for (const auto& a : L.axes) known = known || a.name == d;
      if (!known)
        throw InputError(path, "boundary_conditions/" + name + "/@associated_dims", "spatial dimension names",
                         "'" + d + "'");
    }
    if (h5::has_link(b, "mask")) {
      Handle m(H5Dopen2(b, "mask", H5P_DEFAULT));
      hsize_t n = 1;
      double values = 1;
      for (auto s : h5::dataset_shape(m)) {
        bc.mask_shape.push_back(int64_t(s));
        n *= s;
        values *= double(s);
      }
      if (bc.mask_shape.size() != bc.dims.size())
        throw InputError(path, "boundary_conditions/" + name + "/mask",
                         std::to_string(bc.dims.size()) + " dimensions (associated_dims)",
                         std::to_string(bc.mask_shape.size()));
      if (values > kMaxFrameValues)
        throw InputError(path, "boundary_conditions/" + name + "/mask", "at most 2^28 values",
                         count_text(values));
      bc.mask = read_mask(m, n);
    }
    L.boundaries.push_back(std::move(bc));
  }
  // Each axis side, as The Well's reader decides it: a side covered by a group is open unless a
  // group says otherwise; wall needs its mask set on the whole side, open/periodic on any of it.
  for (auto& ax : L.axes) {
    bool covered = false;
    std::string lo, hi;
    for (const auto& bc : L.boundaries) {
      const auto it = std::find(bc.dims.begin(), bc.dims.end(), ax.name);
      if (it == bc.dims.end()) continue;
      covered = true;
      if (bc.mask_shape.empty()) {
        lo = hi = bc.type;
        continue;
      }
      const size_t axis = size_t(it - bc.dims.begin());
      const bool wall = bc.type == "wall";
      for (int side = 0; side < 2; ++side) {
        bool any = false, all = true;
        // Walk the mask's entries whose index along `axis` is 0 (side 0) or last (side 1).
        const int64_t n_axis = bc.mask_shape[axis];
        int64_t inner = 1;
        for (size_t k = axis + 1; k < bc.mask_shape.size(); ++k) inner *= bc.mask_shape[k];
        const int64_t total = int64_t(bc.mask.size());
        const int64_t idx = side == 0 ? 0 : n_axis - 1;
        for (int64_t e = 0; e < total && n_axis > 0; ++e) {
          if ((e / inner) % n_axis != idx) continue;
          any = any || bc.mask[size_t(e)];
          all = all && bc.mask[size_t(e)];
        }
        if (n_axis > 0 && (wall ? all : any)) (side == 0 ? lo : hi) = bc.type;
      }
    }
    if (!covered) continue;
    ax.bc_lower = lo.empty() ? "open" : lo;
    ax.bc_upper = hi.empty() ? "open" : hi;
    ax.bc_type = ax.bc_lower == ax.bc_upper ? ax.bc_lower : ax.bc_lower + "/" + ax.bc_upper;
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
  if (dims < 1 || dims > 3) throw InputError(path, "@n_spatial_dims", "1, 2 or 3", std::to_string(dims));
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
    L.times = read_coords(t, path, "time");
    L.n_steps = int64_t(L.times.size());
  }
  for (const auto& axis : *spatial) {
    if (!h5::has_link(dg, axis)) missing(path, "dataset 'dimensions/" + axis + "'");
    Handle a(H5Dopen2(dg, axis.c_str(), H5P_DEFAULT));
    WellAxis ax;
    ax.name = axis;
    ax.coords = read_coords(a, path, axis);
    ax.size = int64_t(ax.coords.size());
    L.axes.push_back(std::move(ax));
  }

  read_boundaries(f, path, L);
  read_scalars(f, path, L);
  for (int order = 0; order <= 2; ++order) read_fields(f, path, order, L.axes, L);
  if (L.fields.empty()) missing(path, "fields (t0_fields/t1_fields/t2_fields list none)");
  double values = double(L.channels());  // one state (every field at one step), as read_state reads it
  for (const auto& ax : L.axes) values *= double(ax.size);
  if (values > kMaxFrameValues)
    throw InputError(path + ": one frame of the " + std::to_string(L.channels()) + " channels holds " +
                     count_text(values) + ", more than the 2^28 LEAP reads (a corrupted file?)");
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
  hsize_t n = 1;
  for (auto c : count) n *= c;
  std::vector<float> stored(n);
  if (rank) {
    h5::check(H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr),
              "select frame");
    Handle mspace(H5Screate_simple(1, &n, nullptr));
    h5::check(H5Dread(d, H5T_NATIVE_FLOAT, mspace, fspace, H5P_DEFAULT, stored.data()), "read " + name);
  } else {
    h5::check(H5Dread(d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, stored.data()), "read " + name);
  }
  bool broadcast = false;
  for (bool v : fld->dim_varying) broadcast = broadcast || !v;
  if (!broadcast) return stored;
  // Tile along the axes the field does not vary along: stored stride 0 there.
  const int dims = layout_.n_spatial_dims();
  const int64_t nc = fld->components();
  std::vector<int64_t> size(static_cast<size_t>(dims)), sstride(static_cast<size_t>(dims));
  int64_t cells = 1, s = nc;
  for (int a = dims - 1; a >= 0; --a) {
    size[size_t(a)] = layout_.axes[size_t(a)].size;
    sstride[size_t(a)] = fld->dim_varying[size_t(a)] ? s : 0;
    if (fld->dim_varying[size_t(a)]) s *= layout_.axes[size_t(a)].size;
    cells *= layout_.axes[size_t(a)].size;
  }
  std::vector<float> out(size_t(cells * nc));
  for (int64_t i = 0; i < cells; ++i) {
    int64_t rest = i, off = 0;
    for (int a = dims - 1; a >= 0; --a) {
      off += (rest % size[size_t(a)]) * sstride[size_t(a)];
      rest /= size[size_t(a)];
    }
    for (int64_t c = 0; c < nc; ++c) out[size_t(i * nc + c)] = stored[size_t(off + c)];
  }
  return out;
}

std::vector<double> WellFile::read_scalar(const std::string& name) const {
  const WellScalar* sc = nullptr;
  for (const auto& s : layout_.scalars)
    if (s.name == name) sc = &s;
  if (!sc) throw InputError(path_ + ": no scalar '" + name + "'");
  Handle g(H5Gopen2(impl_->file, "scalars", H5P_DEFAULT));
  Handle d(H5Dopen2(g, name.c_str(), H5P_DEFAULT));
  size_t n = 1;
  for (auto v : sc->shape) n *= size_t(v);
  std::vector<double> out(n);
  h5::check(H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()), "read scalar " + name);
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

std::string layout_difference(const WellLayout& a, const WellLayout& b) {
  auto grid = [](const WellLayout& L) {
    std::string g;
    for (const auto& x : L.axes) g += (g.empty() ? "" : " x ") + x.name + "=" + std::to_string(x.size);
    return g;
  };
  auto join = [](const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
    return s;
  };
  if (a.dataset_name != b.dataset_name)
    return "dataset_name '" + a.dataset_name + "' vs '" + b.dataset_name + "'";
  if (a.n_spatial_dims() != b.n_spatial_dims())
    return "n_spatial_dims " + std::to_string(a.n_spatial_dims()) + " vs " +
           std::to_string(b.n_spatial_dims());
  if (grid(a) != grid(b)) return "grid " + grid(a) + " vs " + grid(b);
  if (a.channel_names() != b.channel_names())
    return "fields (" + join(a.channel_names()) + ") vs (" + join(b.channel_names()) + ")";
  return "";
}

std::string describe(const WellLayout& L, const std::string& path) {
  std::ostringstream s;
  s << "file:          " << path << "\n";
  s << "dataset:       " << L.dataset_name << " (" << L.grid_type << ", " << L.n_spatial_dims() << "-D)\n";
  s << "trajectories:  " << L.n_trajectories << "\n";
  s << "frames:        " << L.n_steps;
  if (L.times.size() >= 2)
    s << " (t = " << L.times.front() << " .. " << L.times.back() << ", dt = " << (L.times[1] - L.times[0])
      << ")";
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
    s << "  " << f.name << "  order " << f.order
      << (f.order == 0   ? " (scalar)"
          : f.order == 1 ? " (vector)"
                         : " (tensor)")
      << "  shape [";
    for (size_t i = 0; i < f.shape.size(); ++i) s << (i ? ", " : "") << f.shape[i];
    s << "]  " << f.dtype;
    if (!f.time_varying) s << "  constant in time (a constant channel)";
    if (!f.sample_varying) s << "  same for every trajectory";
    bool all = true;
    for (bool v : f.dim_varying) all = all && v;
    if (!all) {
      s << "  varies along:";
      for (size_t a = 0; a < f.dim_varying.size(); ++a)
        if (f.dim_varying[a]) s << " " << L.axes[a].name;
    }
    s << "\n";
  }
  if (!L.scalars.empty()) {
    s << "scalars:       " << L.scalars.size() << " (not model channels)\n";
    for (const auto& sc : L.scalars) {
      s << "  " << sc.name << "  shape [";
      for (size_t i = 0; i < sc.shape.size(); ++i) s << (i ? ", " : "") << sc.shape[i];
      s << "]" << (sc.time_varying ? "  time-varying" : "  constant in time")
        << (sc.sample_varying ? "  per trajectory" : "") << "\n";
    }
  }
  if (!L.boundaries.empty()) {
    s << "boundary groups: " << L.boundaries.size() << "\n";
    for (const auto& bc : L.boundaries) {
      s << "  " << bc.name << "  " << bc.type << " on";
      for (const auto& d : bc.dims) s << " " << d;
      if (bc.mask_shape.empty()) {
        s << "  (no mask: whole axes)";
      } else {
        int64_t set = 0;
        for (auto v : bc.mask) set += v;
        s << "  mask [";
        for (size_t i = 0; i < bc.mask_shape.size(); ++i) s << (i ? ", " : "") << bc.mask_shape[i];
        s << "], " << set << " set";
      }
      s << "\n";
    }
  }
  return s.str();
}

}  // namespace leap::data
