// Private helpers over the HDF5 C API: RAII handles and the attribute encodings The Well uses
// (h5py conventions: variable-length UTF-8 strings, numpy booleans as an int8 enum FALSE/TRUE).
#pragma once

#include <hdf5.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace leap::data::h5 {

// Owns an hid_t and closes it with the matching H5*close.
class Handle {
 public:
  Handle() = default;
  explicit Handle(hid_t id) : id_(id) {}
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  Handle(Handle&& o) noexcept : id_(o.id_) { o.id_ = H5I_INVALID_HID; }
  Handle& operator=(Handle&& o) noexcept {
    if (this != &o) {
      reset();
      id_ = o.id_;
      o.id_ = H5I_INVALID_HID;
    }
    return *this;
  }
  ~Handle() { reset(); }
  void reset();
  // Gives the identifier up without closing it (a parallel file whose close is collective, on a
  // rank that failed alone: closing would wait for ranks that never come).
  void release() { id_ = H5I_INVALID_HID; }
  hid_t get() const { return id_; }
  operator hid_t() const { return id_; }
  bool valid() const { return id_ >= 0; }

 private:
  hid_t id_ = H5I_INVALID_HID;
};

// Silences HDF5's automatic error stack printing while alive (we report errors ourselves).
class QuietErrors {
 public:
  QuietErrors();
  ~QuietErrors();
  QuietErrors(const QuietErrors&) = delete;
  QuietErrors& operator=(const QuietErrors&) = delete;

 private:
  H5E_auto2_t func_ = nullptr;
  void* data_ = nullptr;
};

bool has_attr(hid_t obj, const char* name);
bool has_link(hid_t loc, const std::string& name);

// Readers return nullopt when the attribute is absent or not of a readable kind.
std::optional<std::string> read_string_attr(hid_t obj, const char* name);
std::optional<std::vector<std::string>> read_string_list_attr(hid_t obj, const char* name);
std::optional<double> read_number_attr(hid_t obj, const char* name);
std::optional<std::vector<double>> read_number_list_attr(hid_t obj, const char* name);
std::optional<bool> read_bool_attr(hid_t obj, const char* name);

void write_string_attr(hid_t obj, const char* name, const std::string& value);
void write_string_list_attr(hid_t obj, const char* name, const std::vector<std::string>& values);
void write_double_attr(hid_t obj, const char* name, double value);
void write_int_attr(hid_t obj, const char* name, int64_t value);
void write_bool_attr(hid_t obj, const char* name, bool value);
void write_bool_list_attr(hid_t obj, const char* name, const std::vector<bool>& values);

// The h5py boolean type: enum over int8 with FALSE = 0, TRUE = 1.
Handle bool_type();

// Dataset shape (empty for scalars).
std::vector<hsize_t> dataset_shape(hid_t dset);

// Throws leap::Error with `what` and the HDF5 error when status < 0.
void check(herr_t status, const std::string& what);
hid_t check_id(hid_t id, const std::string& what);

}  // namespace leap::data::h5
