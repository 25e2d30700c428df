#include "hdf5_util.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "leap/error.h"

namespace leap::data::h5 {

void Handle::reset() {
  if (id_ < 0) return;
  switch (H5Iget_type(id_)) {
    case H5I_FILE: H5Fclose(id_); break;
    case H5I_GROUP: H5Gclose(id_); break;
    case H5I_DATASET: H5Dclose(id_); break;
    case H5I_DATASPACE: H5Sclose(id_); break;
    case H5I_DATATYPE: H5Tclose(id_); break;
    case H5I_ATTR: H5Aclose(id_); break;
    case H5I_GENPROP_LST: H5Pclose(id_); break;
    default: break;
  }
  id_ = H5I_INVALID_HID;
}

QuietErrors::QuietErrors() {
  H5Eget_auto2(H5E_DEFAULT, &func_, &data_);
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}
QuietErrors::~QuietErrors() { H5Eset_auto2(H5E_DEFAULT, func_, data_); }

void check(herr_t status, const std::string& what) {
  if (status < 0) throw Error("HDF5: " + what + " failed");
}
hid_t check_id(hid_t id, const std::string& what) {
  if (id < 0) throw Error("HDF5: " + what + " failed");
  return id;
}

bool has_attr(hid_t obj, const char* name) { return H5Aexists(obj, name) > 0; }

bool has_link(hid_t loc, const std::string& name) {
  QuietErrors quiet;
  return H5Lexists(loc, name.c_str(), H5P_DEFAULT) > 0;
}

namespace {

// An attribute holds a few values (names, sizes, flags): one claiming more than 2^20 elements, or
// 2^26 bytes, is a corrupted file, refused before memory is allocated for it.
void check_attr_size(hid_t obj, const char* name, hssize_t n, size_t element_size) {
  if (n <= (hssize_t(1) << 20) && size_t(n) * element_size <= (size_t(1) << 26)) return;
  std::string file(1024, '\0');
  const ssize_t len = H5Fget_name(obj, file.data(), file.size());
  file.resize(len > 0 ? std::min(size_t(len), file.size() - 1) : 0);
  throw InputError(file.empty() ? "HDF5 file" : file, std::string("@") + name,
                   "an attribute of at most 2^20 elements and 64 MiB",
                   std::to_string(n) + " elements of " + std::to_string(element_size) + " bytes");
}

// Reads every element of a string-typed attribute (fixed or variable length).
std::optional<std::vector<std::string>> read_strings(hid_t obj, const char* name) {
  if (!has_attr(obj, name)) return std::nullopt;
  Handle attr(H5Aopen(obj, name, H5P_DEFAULT));
  if (!attr.valid()) return std::nullopt;
  Handle type(H5Aget_type(attr));
  if (H5Tget_class(type) != H5T_STRING) return std::nullopt;
  Handle space(H5Aget_space(attr));
  const hssize_t n = H5Sget_simple_extent_npoints(space);
  std::vector<std::string> out;
  if (n <= 0) return out;
  check_attr_size(obj, name, n, H5Tis_variable_str(type) > 0 ? sizeof(char*) : H5Tget_size(type));
  if (H5Tis_variable_str(type) > 0) {
    Handle mem(H5Tcopy(H5T_C_S1));
    H5Tset_size(mem, H5T_VARIABLE);
    H5Tset_cset(mem, H5Tget_cset(type));
    std::vector<char*> buf(n, nullptr);
    if (H5Aread(attr, mem, buf.data()) < 0) return std::nullopt;
    for (auto* p : buf) out.emplace_back(p ? p : "");
    H5Dvlen_reclaim(mem, space, H5P_DEFAULT, buf.data());
  } else {
    const size_t len = H5Tget_size(type);
    std::vector<char> buf(len * n + 1, '\0');
    if (H5Aread(attr, type, buf.data()) < 0) return std::nullopt;
    for (hssize_t i = 0; i < n; ++i) {
      const char* s = buf.data() + i * len;
      out.emplace_back(s, strnlen(s, len));
    }
  }
  return out;
}

std::optional<std::vector<double>> read_numbers(hid_t obj, const char* name) {
  if (!has_attr(obj, name)) return std::nullopt;
  Handle attr(H5Aopen(obj, name, H5P_DEFAULT));
  if (!attr.valid()) return std::nullopt;
  Handle type(H5Aget_type(attr));
  Handle space(H5Aget_space(attr));
  const hssize_t n = H5Sget_simple_extent_npoints(space);
  const H5T_class_t cls = H5Tget_class(type);
  if (n > 0) check_attr_size(obj, name, n, std::max(sizeof(double), H5Tget_size(type)));
  std::vector<double> out(n > 0 ? n : 0);
  if (n <= 0) return out;
  if (cls == H5T_INTEGER || cls == H5T_FLOAT) {
    if (H5Aread(attr, H5T_NATIVE_DOUBLE, out.data()) < 0) return std::nullopt;
    return out;
  }
  if (cls == H5T_ENUM) {  // numpy booleans written by h5py
    const size_t sz = H5Tget_size(type);
    std::vector<unsigned char> raw(sz * n);
    if (H5Aread(attr, type, raw.data()) < 0) return std::nullopt;
    for (hssize_t i = 0; i < n; ++i) {
      long long v = 0;
      std::memcpy(&v, raw.data() + i * sz, sz < sizeof(v) ? sz : sizeof(v));
      out[i] = double(v);
    }
    return out;
  }
  return std::nullopt;
}

Handle string_type() {
  Handle t(H5Tcopy(H5T_C_S1));
  H5Tset_size(t, H5T_VARIABLE);
  H5Tset_cset(t, H5T_CSET_UTF8);
  return t;
}

void write_attr(hid_t obj, const char* name, hid_t type, hid_t space, const void* data) {
  if (has_attr(obj, name)) H5Adelete(obj, name);
  Handle attr(check_id(H5Acreate2(obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT),
                       std::string("create attribute ") + name));
  if (H5Sget_simple_extent_type(space) == H5S_SIMPLE && H5Sget_simple_extent_npoints(space) == 0) return;
  check(H5Awrite(attr, type, data), std::string("write attribute ") + name);
}

}  // namespace

std::optional<std::string> read_string_attr(hid_t obj, const char* name) {
  auto v = read_strings(obj, name);
  if (!v || v->size() != 1) return std::nullopt;
  return (*v)[0];
}
std::optional<std::vector<std::string>> read_string_list_attr(hid_t obj, const char* name) {
  return read_strings(obj, name);
}
std::optional<double> read_number_attr(hid_t obj, const char* name) {
  auto v = read_numbers(obj, name);
  if (!v || v->size() != 1) return std::nullopt;
  return (*v)[0];
}
std::optional<std::vector<double>> read_number_list_attr(hid_t obj, const char* name) {
  return read_numbers(obj, name);
}
std::optional<bool> read_bool_attr(hid_t obj, const char* name) {
  auto v = read_number_attr(obj, name);
  if (!v) return std::nullopt;
  return *v != 0.0;
}

Handle bool_type() {
  Handle t(H5Tenum_create(H5T_NATIVE_INT8));
  int8_t f = 0, tr = 1;
  H5Tenum_insert(t, "FALSE", &f);
  H5Tenum_insert(t, "TRUE", &tr);
  return t;
}

void write_string_attr(hid_t obj, const char* name, const std::string& value) {
  Handle type = string_type();
  Handle space(H5Screate(H5S_SCALAR));
  const char* p = value.c_str();
  write_attr(obj, name, type, space, &p);
}

void write_string_list_attr(hid_t obj, const char* name, const std::vector<std::string>& values) {
  Handle type = string_type();
  hsize_t n = values.size();
  Handle space(H5Screate_simple(1, &n, nullptr));
  std::vector<const char*> ptrs;
  for (const auto& v : values) ptrs.push_back(v.c_str());
  write_attr(obj, name, type, space, ptrs.data());
}

void write_double_attr(hid_t obj, const char* name, double value) {
  Handle space(H5Screate(H5S_SCALAR));
  write_attr(obj, name, H5T_NATIVE_DOUBLE, space, &value);
}

void write_int_attr(hid_t obj, const char* name, int64_t value) {
  Handle space(H5Screate(H5S_SCALAR));
  write_attr(obj, name, H5T_NATIVE_INT64, space, &value);
}

void write_bool_attr(hid_t obj, const char* name, bool value) {
  Handle type = bool_type();
  Handle space(H5Screate(H5S_SCALAR));
  int8_t v = value ? 1 : 0;
  write_attr(obj, name, type, space, &v);
}

void write_bool_list_attr(hid_t obj, const char* name, const std::vector<bool>& values) {
  Handle type = bool_type();
  hsize_t n = values.size();
  Handle space(H5Screate_simple(1, &n, nullptr));
  std::vector<int8_t> v(values.begin(), values.end());
  write_attr(obj, name, type, space, v.data());
}

std::vector<hsize_t> dataset_shape(hid_t dset) {
  Handle space(H5Dget_space(dset));
  const int rank = H5Sget_simple_extent_ndims(space);
  std::vector<hsize_t> dims(rank > 0 ? rank : 0);
  if (rank > 0) H5Sget_simple_extent_dims(space, dims.data(), nullptr);
  return dims;
}

}  // namespace leap::data::h5
