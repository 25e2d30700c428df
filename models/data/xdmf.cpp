#include "leap/data/xdmf.h"

#include <array>
#include <charconv>
#include <filesystem>
#include <sstream>
#include <vector>

#include "hdf5_util.h"
#include "leap/data/well_file.h"
#include "leap/error.h"
#include "leap/util/atomic_file.h"

namespace leap::data {

using h5::Handle;

namespace {

std::string xml_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// Text inside an XML comment: "--" may not appear there.
std::string comment_text(std::string s) {
  for (size_t at = s.find("--"); at != std::string::npos; at = s.find("--", at)) s.replace(at, 2, "- -");
  return s;
}

template <class T>
std::string join(const std::vector<T>& v) {
  std::ostringstream s;
  for (size_t i = 0; i < v.size(); ++i) s << (i ? " " : "") << v[i];
  return s.str();
}

// Shortest text that reads back to the same value at the dataset's precision (LEAP's times are
// float32: 0.35, not 0.3499999940395355).
std::string number(double v, size_t precision) {
  std::array<char, 64> buf{};
  const auto r = precision == 4 ? std::to_chars(buf.data(), buf.data() + buf.size(), float(v))
                                : std::to_chars(buf.data(), buf.data() + buf.size(), v);
  return std::string(buf.data(), r.ptr);
}

// A dataset of the file as XDMF sees it: its path, shape and number type.
struct Stored {
  std::string path;  // "/t0_fields/density"
  std::vector<hsize_t> shape;
  std::string number_type;  // Float, Int, UInt, Char, UChar
  size_t precision = 4;     // bytes
};

Stored stored(hid_t file, const std::string& path, const std::string& h5_path) {
  Handle d(H5Dopen2(file, path.c_str(), H5P_DEFAULT));
  if (!d.valid()) throw InputError(h5_path + ": no dataset '" + path + "'");
  Stored s;
  s.path = path;
  s.shape = h5::dataset_shape(d);
  Handle t(H5Dget_type(d));
  s.precision = H5Tget_size(t);
  switch (H5Tget_class(t)) {
    case H5T_FLOAT:
      s.number_type = "Float";
      break;
    case H5T_INTEGER: {
      const bool u = H5Tget_sign(t) == H5T_SGN_NONE;
      s.number_type = s.precision == 1 ? (u ? "UChar" : "Char") : (u ? "UInt" : "Int");
      break;
    }
    default:
      throw InputError(h5_path, path, "a numeric dataset", "another type");
  }
  return s;
}

// <DataItem> reading the whole dataset.
std::string whole(const Stored& s, const std::string& file) {
  return "<DataItem Dimensions=\"" + join(s.shape) + "\" NumberType=\"" + s.number_type + "\" Precision=\"" +
         std::to_string(s.precision) + "\" Format=\"HDF\">" + xml_escape(file) + ":" + xml_escape(s.path) +
         "</DataItem>";
}

// <DataItem ItemType="HyperSlab"> selecting start/count (stride 1) of the dataset, shaped `dims`
// (as many values as the count selects; ParaView's XDMF Reader wants the grid's rank here, not the
// dataset's).
std::string slab(const Stored& s, const std::string& file, const std::vector<hsize_t>& start,
                 const std::vector<hsize_t>& count, const std::string& dims, const std::string& indent) {
  const std::vector<hsize_t> stride(start.size(), 1);
  return "<DataItem ItemType=\"HyperSlab\" Dimensions=\"" + dims + "\" Type=\"HyperSlab\">\n" + indent +
         "  <DataItem Dimensions=\"3 " + std::to_string(start.size()) + "\" Format=\"XML\">" + join(start) +
         " " + join(stride) + " " + join(count) + "</DataItem>\n" + indent + "  " + whole(s, file) + "\n" +
         indent + "</DataItem>";
}

// One coordinate axis of trajectory k: 1-D, or row k of a [trajectory, n] dataset.
std::string coordinate(const Stored& s, const std::string& file, hsize_t k, const std::string& indent) {
  if (s.shape.size() == 1) return whole(s, file);
  const hsize_t row = s.shape[0] > k ? k : 0;
  return slab(s, file, {row, 0}, {1, s.shape[1]}, std::to_string(s.shape[1]), indent);
}

std::vector<double> read_all(hid_t file, const Stored& s) {
  Handle d(H5Dopen2(file, s.path.c_str(), H5P_DEFAULT));
  hsize_t n = 1;
  for (auto v : s.shape) n *= v;
  std::vector<double> out(n);
  if (n)
    h5::check(H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()), "read " + s.path);
  return out;
}

}  // namespace

std::string xdmf_path_for(const std::string& h5_path) {
  return std::filesystem::path(h5_path).replace_extension(".xdmf").string();
}

std::string xdmf_text(const std::string& h5_path) {
  const WellFile wf(h5_path);  // checks the schema
  const WellLayout& L = wf.layout();
  const std::string file = std::filesystem::path(h5_path).filename().string();
  Handle f;
  {
    h5::QuietErrors quiet;
    f = Handle(H5Fopen(h5_path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
  }
  if (!f.valid()) throw InputError(h5_path + ": cannot open the HDF5 file");

  const int dims = L.n_spatial_dims();
  const Stored time = stored(f, "/dimensions/time", h5_path);
  const std::vector<double> times = read_all(f, time);
  const hsize_t n_steps = time.shape.back();
  std::vector<Stored> axes;  // The Well's order: x, y(, z)
  std::vector<hsize_t> sizes;
  for (const auto& a : L.axes) {
    axes.push_back(stored(f, "/dimensions/" + a.name, h5_path));
    sizes.push_back(axes.back().shape.back());
  }

  // One scalar attribute per field, or per component of a vector/tensor field.
  struct Attr {
    std::string name;
    Stored data;
    bool per_trajectory, per_step;
    std::vector<hsize_t> component;  // trailing indices for vector/tensor components
  };
  std::vector<Attr> attrs;
  std::vector<std::string> left_out;
  for (const auto& fld : L.fields) {
    bool everywhere = true;
    for (bool v : fld.dim_varying) everywhere = everywhere && v;
    if (!everywhere) {
      left_out.push_back(fld.name);
      continue;
    }
    const Stored s = stored(f, "/t" + std::to_string(fld.order) + "_fields/" + fld.name, h5_path);
    if (fld.order == 0) {
      attrs.push_back({fld.name, s, fld.sample_varying, fld.time_varying, {}});
    } else if (fld.order == 1) {
      for (int a = 0; a < dims; ++a)
        attrs.push_back(
            {fld.name + "_" + L.axes[size_t(a)].name, s, fld.sample_varying, fld.time_varying, {hsize_t(a)}});
    } else {
      for (int a = 0; a < dims; ++a)
        for (int b = 0; b < dims; ++b)
          attrs.push_back({fld.name + "_" + L.axes[size_t(a)].name + L.axes[size_t(b)].name,
                           s,
                           fld.sample_varying,
                           fld.time_varying,
                           {hsize_t(a), hsize_t(b)}});
    }
  }

  // XDMF order: dimensions slowest first; coordinates fastest first (see xdmf.h).
  const std::string topology = dims == 3 ? "3DRectMesh" : "2DRectMesh";
  const std::string geometry = dims == 3 ? "VXVYVZ" : "VXVY";
  const std::string topo_dims = dims == 1 ? "1 " + std::to_string(sizes[0]) : join(sizes);

  std::ostringstream x;
  x << "<?xml version=\"1.0\" ?>\n"
    << "<!-- Written by LEAP: " << comment_text(file) << " (The Well's schema) for ParaView and VisIt.\n"
    << "     Grid dimensions are slowest first ("
    << (dims == 1   ? "1 x"
        : dims == 2 ? "x y"
                    : "x y z")
    << "), coordinates fastest first: ParaView's X axis is the file's last axis. -->\n";
  for (const auto& name : left_out)
    x << "<!-- Field " << comment_text(name) << " is constant along an axis (dim_varying): left out. -->\n";
  x << "<Xdmf Version=\"3.0\">\n"
    << "  <Domain Name=\"" << xml_escape(L.dataset_name) << "\">\n";
  for (hsize_t k = 0; k < hsize_t(L.n_trajectories); ++k) {
    x << "    <Grid Name=\"trajectory_" << k << "\" GridType=\"Collection\" CollectionType=\"Temporal\">\n";
    for (hsize_t s = 0; s < n_steps; ++s) {
      const std::string in = "        ";
      // Time: row k of a [trajectory, time] dataset, else the one row.
      const double t = times[size_t((time.shape.size() == 2 && time.shape[0] > k ? k : 0) * n_steps + s)];
      x << "      <Grid Name=\"trajectory_" << k << "_step_" << s << "\" GridType=\"Uniform\">\n"
        << in << "<Time Value=\"" << number(t, time.precision) << "\"/>\n"
        << in << "<Topology TopologyType=\"" << topology << "\" Dimensions=\"" << topo_dims << "\"/>\n"
        << in << "<Geometry GeometryType=\"" << geometry << "\">\n";
      for (int a = dims - 1; a >= 0; --a)
        x << in << "  " << coordinate(axes[size_t(a)], file, k, in + "  ") << "\n";
      if (dims == 1)
        x << in
          << "  <DataItem Dimensions=\"1\" NumberType=\"Float\" Precision=\"4\" "
             "Format=\"XML\">0</DataItem>\n";
      x << in << "</Geometry>\n";
      for (const auto& at : attrs) {
        std::vector<hsize_t> start, count;
        if (at.per_trajectory) {
          start.push_back(k);
          count.push_back(1);
        }
        if (at.per_step) {
          start.push_back(s);
          count.push_back(1);
        }
        for (int a = 0; a < dims; ++a) {
          start.push_back(0);
          count.push_back(sizes[size_t(a)]);
        }
        for (auto c : at.component) {
          start.push_back(c);
          count.push_back(1);
        }
        if (start.size() != at.data.shape.size())
          throw InputError(h5_path, at.data.path, std::to_string(start.size()) + " dimensions",
                           std::to_string(at.data.shape.size()));
        x << in << "<Attribute Name=\"" << xml_escape(at.name)
          << "\" AttributeType=\"Scalar\" Center=\"Node\">\n"
          << in << "  " << slab(at.data, file, start, count, topo_dims, in + "  ") << "\n"
          << in << "</Attribute>\n";
      }
      x << "      </Grid>\n";
    }
    x << "    </Grid>\n";
  }
  x << "  </Domain>\n</Xdmf>\n";
  return x.str();
}

std::string write_xdmf(const std::string& h5_path) {
  const std::string out = xdmf_path_for(h5_path);
  util::write_file_atomic(out, xdmf_text(h5_path));
  return out;
}

}  // namespace leap::data
