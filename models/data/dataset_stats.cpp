#include "leap/data/dataset_stats.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <fstream>

#include "leap/config/yaml_writer.h"
#include "leap/data/well_file.h"
#include "leap/error.h"
#include "leap/util/atomic_file.h"

namespace leap::data {

const FieldStats* DatasetStats::field(const std::string& name) const {
  for (const auto& f : fields)
    if (f.name == name) return &f;
  return nullptr;
}

std::vector<double> DatasetStats::channel_mean() const {
  std::vector<double> out;
  for (const auto& f : fields) out.insert(out.end(), f.mean.begin(), f.mean.end());
  return out;
}

std::vector<double> DatasetStats::channel_std() const {
  std::vector<double> out;
  for (const auto& f : fields) out.insert(out.end(), f.std.begin(), f.std.end());
  return out;
}

namespace {

// Sums for one pass: per channel, over values and over frame-to-frame deltas.
struct Sums {
  std::vector<double> n, s, s2, dn, ds, ds2;
  explicit Sums(size_t c) : n(c), s(c), s2(c), dn(c), ds(c), ds2(c) {}
  void allreduce(MPI_Comm comm) {
    for (auto* v : {&n, &s, &s2, &dn, &ds, &ds2})
      MPI_Allreduce(MPI_IN_PLACE, v->data(), int(v->size()), MPI_DOUBLE, MPI_SUM, comm);
  }
};

// Visits every (file, trajectory) assigned to this rank: f(frames[t][channel][cell]).
template <class F>
void for_each_trajectory(MPI_Comm comm, const std::vector<std::string>& files, F&& f) {
  int rank = 0, size = 1;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  int64_t k = 0;
  for (const auto& path : files) {
    WellFile file(path);
    for (int64_t t = 0; t < file.layout().n_trajectories; ++t, ++k) {
      if (k % size != rank) continue;
      std::vector<std::vector<float>> frames;
      for (int64_t s = 0; s < file.layout().n_steps; ++s) frames.push_back(file.read_state(t, s));
      f(frames);
    }
  }
}

}  // namespace

DatasetStats pool_stats(const std::vector<DatasetStats>& parts, const std::vector<double>& weights,
                        const std::vector<double>& delta_weights) {
  if (parts.empty() || parts.size() != weights.size() || parts.size() != delta_weights.size())
    throw Error("pool_stats: one weight and one delta weight per part");
  if (parts.size() == 1) return parts.front();
  DatasetStats out = parts.front();
  double W = 0, DW = 0;
  for (size_t p = 0; p < parts.size(); ++p) {
    W += weights[p];
    DW += delta_weights[p];
  }
  for (size_t k = 0; k < out.fields.size(); ++k) {
    FieldStats& f = out.fields[k];
    const size_t C = size_t(f.components);
    std::vector<double> m(C), m2(C), r2(C), dm(C), dm2(C), dr2(C);
    for (size_t p = 0; p < parts.size(); ++p) {
      const FieldStats* g = parts[p].field(f.name);
      if (!g || g->components != f.components)
        throw InputError("the datasets' statistics differ: field '" + f.name +
                         "' is missing or has other components");
      const double w = W > 0 ? weights[p] / W : 1.0 / double(parts.size());
      const double dw = DW > 0 ? delta_weights[p] / DW : 1.0 / double(parts.size());
      for (size_t c = 0; c < C; ++c) {
        m[c] += w * g->mean[c];
        m2[c] += w * (g->std[c] * g->std[c] + g->mean[c] * g->mean[c]);
        r2[c] += w * g->rms[c] * g->rms[c];
        dm[c] += dw * g->mean_delta[c];
        dm2[c] += dw * (g->std_delta[c] * g->std_delta[c] + g->mean_delta[c] * g->mean_delta[c]);
        dr2[c] += dw * g->rms_delta[c] * g->rms_delta[c];
      }
    }
    for (size_t c = 0; c < C; ++c) {
      f.mean[c] = m[c];
      f.std[c] = std::sqrt(std::max(0.0, m2[c] - m[c] * m[c]));
      f.rms[c] = std::sqrt(r2[c]);
      f.mean_delta[c] = dm[c];
      f.std_delta[c] = std::sqrt(std::max(0.0, dm2[c] - dm[c] * dm[c]));
      f.rms_delta[c] = std::sqrt(dr2[c]);
    }
  }
  return out;
}

DatasetStats compute_stats(MPI_Comm comm, const std::vector<std::string>& files) {
  if (files.empty()) throw InputError("statistics: no files given");
  WellLayout L = WellFile(files.front()).layout();
  const size_t C = size_t(L.channels());
  int64_t cells = 1;
  for (const auto& a : L.axes) cells *= a.size;
  for (const auto& p : files) {
    const WellFile other_file(p);
    const auto& other = other_file.layout();
    if (other.channel_names() != L.channel_names() || other.channels() != L.channels())
      throw InputError(p + ": fields differ from " + files.front() + "; a dataset's files must share fields");
  }

  Sums first(C);
  for_each_trajectory(comm, files, [&](const std::vector<std::vector<float>>& frames) {
    for (size_t t = 0; t < frames.size(); ++t)
      for (size_t c = 0; c < C; ++c)
        for (int64_t i = 0; i < cells; ++i) {
          const double x = frames[t][c * cells + i];
          first.n[c] += 1;
          first.s[c] += x;
          first.s2[c] += x * x;
          if (t > 0) {
            const double d = x - frames[t - 1][c * cells + i];
            first.dn[c] += 1;
            first.ds[c] += d;
            first.ds2[c] += d * d;
          }
        }
  });
  first.allreduce(comm);
  std::vector<double> mean(C), dmean(C);
  for (size_t c = 0; c < C; ++c) {
    mean[c] = first.n[c] ? first.s[c] / first.n[c] : 0.0;
    dmean[c] = first.dn[c] ? first.ds[c] / first.dn[c] : 0.0;
  }
  Sums second(C);  // centred sums for the standard deviations
  for_each_trajectory(comm, files, [&](const std::vector<std::vector<float>>& frames) {
    for (size_t t = 0; t < frames.size(); ++t)
      for (size_t c = 0; c < C; ++c)
        for (int64_t i = 0; i < cells; ++i) {
          const double x = frames[t][c * cells + i] - mean[c];
          second.s2[c] += x * x;
          if (t > 0) {
            const double d = double(frames[t][c * cells + i]) - frames[t - 1][c * cells + i] - dmean[c];
            second.ds2[c] += d * d;
          }
        }
  });
  second.allreduce(comm);

  DatasetStats out;
  size_t c = 0;
  for (const auto& f : L.fields) {
    FieldStats fs;
    fs.name = f.name;
    fs.components = int(f.components());
    for (int k = 0; k < fs.components; ++k, ++c) {
      const double n = first.n[c] > 0 ? first.n[c] : 1, dn = first.dn[c] > 0 ? first.dn[c] : 1;
      fs.mean.push_back(mean[c]);
      fs.std.push_back(std::sqrt(second.s2[c] / n));
      fs.rms.push_back(std::sqrt(first.s2[c] / n));
      fs.mean_delta.push_back(dmean[c]);
      fs.std_delta.push_back(std::sqrt(second.ds2[c] / dn));
      fs.rms_delta.push_back(std::sqrt(first.ds2[c] / dn));
    }
    out.fields.push_back(std::move(fs));
  }
  return out;
}

namespace {

const char* kKeys[] = {"mean", "std", "rms", "mean_delta", "std_delta", "rms_delta"};

std::vector<double>& member(FieldStats& f, int k) {
  switch (k) {
    case 0:
      return f.mean;
    case 1:
      return f.std;
    case 2:
      return f.rms;
    case 3:
      return f.mean_delta;
    case 4:
      return f.std_delta;
    default:
      return f.rms_delta;
  }
}

}  // namespace

void write_stats_yaml(const std::string& path, const DatasetStats& stats) {
  config::YamlValue out = config::YamlValue::map();
  for (int k = 0; k < 6; ++k) {
    config::YamlValue& section = out.set(kKeys[k], config::YamlValue::map());
    for (const auto& f : stats.fields) {
      const auto& v = member(const_cast<FieldStats&>(f), k);
      section.set(f.name, f.components == 1 ? config::YamlValue::number(v[0]) : config::yaml_list(v));
    }
  }
  util::write_file_atomic(path, config::render_yaml(out));
}

DatasetStats read_stats_yaml(const std::string& path) {
  YAML::Node root;
  try {
    std::ifstream in(path);
    if (!in) throw InputError(path + ": cannot read the statistics file (missing or unreadable)");
    root = YAML::Load(in);
  } catch (const YAML::Exception& e) {
    throw InputError(path + ": not valid YAML: " + e.msg);
  }
  if (!root.IsMap() || !root["mean"] || !root["mean"].IsMap())
    throw InputError(path, "mean", "a mapping of field -> value", "none");
  DatasetStats out;
  for (const auto& kv : root["mean"]) {
    FieldStats f;
    f.name = kv.first.as<std::string>();
    f.components = kv.second.IsSequence() ? int(kv.second.size()) : 1;
    out.fields.push_back(f);
  }
  for (int k = 0; k < 6; ++k) {
    YAML::Node section = root[kKeys[k]];
    if (!section || !section.IsMap()) {
      if (k == 4) {  // std_delta is absent from some Well files: derive it from rms and mean
        for (auto& f : out.fields)
          for (int c = 0; c < f.components; ++c)
            f.std_delta.push_back(std::sqrt(
                std::max(0.0, f.rms_delta[c] * f.rms_delta[c] - f.mean_delta[c] * f.mean_delta[c])));
        continue;
      }
      throw InputError(path, kKeys[k], "a mapping of field -> value", "none");
    }
    for (auto& f : out.fields) {
      YAML::Node v = section[f.name];
      const std::string key = std::string(kKeys[k]) + "." + f.name;
      if (!v) throw InputError(path, key, "a value", "none");
      try {
        if (f.components == 1) {
          member(f, k).push_back(v.IsSequence() ? v[0].as<double>() : v.as<double>());
        } else {
          if (!v.IsSequence() || int(v.size()) != f.components)
            throw InputError(path, key, "a list of " + std::to_string(f.components) + " numbers",
                             "another shape");
          for (const auto& x : v) member(f, k).push_back(x.as<double>());
        }
      } catch (const YAML::Exception&) {
        throw InputError(path, key, "numbers", "'" + config::dump_yaml(v) + "'");
      }
    }
  }
  return out;
}

}  // namespace leap::data
