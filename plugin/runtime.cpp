// Runtime: config, emulator, state description, observe / leap / record (see runtime.h).
#include "leap/plugin/runtime.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <exception>
#include <functional>
#include <utility>

#include "leap/config/load.h"
#include "leap/error.h"
#include "leap/plugin/collective_error.h"
#include "leap/plugin/frame_recorder.h"
#include "mpi_check.h"
#include "owned_comm.h"

namespace leap::plugin {
namespace {

constexpr int kEmulatorRank = 0;

// The config, read on every rank (a failure on any rank fails all).
RuntimeConfig read_config(MPI_Comm comm, const std::string& path) {
  RuntimeConfig cfg;
  std::exception_ptr failure;
  try {
    cfg = config::load_config<RuntimeConfig>(path);
  } catch (...) {
    failure = std::current_exception();
  }
  agree_on_failure(comm, failure);
  agree_on_same_input(comm, config::to_yaml(cfg), path);
  return cfg;
}

// The config's emulator ranks.
EmulatorRanks emulator_ranks(const RuntimeEmulatorConfig& e) {
  if (e.per_node) return EmulatorRanks::one_per_node();
  EmulatorRanks r;
  r.ranks.assign(e.ranks.begin(), e.ranks.end());
  return r;
}

// The emulator the config names, on the emulator ranks (null elsewhere, and for kind none); emulator
// rank k samples with seed + k.
std::shared_ptr<Emulator> load_emulator(MPI_Comm comm, const RuntimeConfig& cfg, const std::string& path) {
  const EmulatorPlacement place = emulator_placement(comm, emulator_ranks(cfg.emulator));
  std::shared_ptr<Emulator> emulator;
  std::exception_ptr failure;
  if (place.is_emulator && cfg.emulator.kind != "none") {
    const auto& e = cfg.emulator;
    try {
      try {
        if (e.kind == "latent_diffusion") {
          LatentDiffusionOptions o;
          o.context = e.context;
          o.device = e.device;
          o.seed = e.seed + place.index;
          o.bf16 = e.precision == "bf16";
          o.cuda_graph = e.cuda_graph;
          emulator = std::make_shared<LatentDiffusionEmulator>(e.autoencoder, e.checkpoint, o);
        } else {
          auto oracle =
              std::make_shared<TrajectoryOracle>(e.dataset, e.trajectory, e.context > 0 ? e.context : 1);
          std::vector<OracleFault> faults;
          for (const auto& f : e.faults) faults.push_back(OracleFault::parse(f, path + ": emulator.faults"));
          oracle->set_faults(std::move(faults));
          emulator = oracle;
        }
      } catch (const InputError& x) {
        throw InputError(path + ": emulator (kind " + e.kind + "): " + x.what());
      } catch (const std::exception& x) {
        throw Error(path + ": emulator (kind " + e.kind + "): " + x.what());
      }
    } catch (...) {
      failure = std::current_exception();
    }
  }
  agree_on_failure(comm, failure);
  return emulator;
}

// The channel-name suffixes of a field of `components` components on a grid of `dims` axes: none
// (scalar), _x _y (_z) (vector), _xx _xy ... (tensor, row-major), as The Well names them.
std::vector<std::string> component_suffixes(int64_t components, int dims) {
  if (components == 1) return {""};
  const char* axes[] = {"_x", "_y", "_z"};
  std::vector<std::string> s;
  if (components == dims) {
    for (int a = 0; a < dims; ++a) s.push_back(axes[a]);
  } else {
    for (int a = 0; a < dims; ++a)
      for (int b = 0; b < dims; ++b) s.push_back(std::string(axes[a]) + (axes[b] + 1));
  }
  return s;
}

}  // namespace

struct Runtime::Impl {
  struct Field {
    std::string name;
    int64_t components = 1;
  };

  OwnedComm comm;
  int rank = 0;
  std::string config_name;
  RuntimeConfig cfg;
  std::shared_ptr<Emulator> emulator;  // on the emulator rank
  bool has_emulator = false;           // on every rank
  int64_t context_frames = 0;
  int64_t theta_count = -1;  // values a leap's theta must hold (-1: any)

  std::vector<Field> fields;
  bool box_set = false;
  std::vector<int64_t> grid{0, 0};
  data::Block block{{0, 0}, {0, 0}};
  BlockLayout layout = BlockLayout::cxy;

  bool setup_done = false;
  bool finished = false;
  bool recording = false;
  std::unique_ptr<HybridController> controller;  // after setup, with an emulator
  HybridController::PhaseHook phase_hook;
  std::unique_ptr<FrameRecorder> recorder;  // once recording was switched on after setup
  HybridStats own_stats;                    // without an emulator
  RuntimeSolver solver;                     // the caller's (set_solver)
  LeapPolicy policy;                        // from cfg.leap (init)
  bool count_observation = false;           // the next observation is one solver frame after the last
  int64_t coarse_factor = 0;                // the route's coarse solver's grid (set_coarse_grid; 0: none)
  data::Block coarse_block;                 // this rank's box of it
  int64_t frame = 0;                        // frames since the first observation (solver and leapt)

  int64_t channels() const {
    int64_t c = 0;
    for (const auto& f : fields) c += f.components;
    return c;
  }
  int dims() const { return int(grid.size()); }
  int64_t cells() const { return block.cells(); }
  int64_t block_size() const { return channels() * cells(); }

  // "" or why a collective call cannot run now (the same on every rank).
  std::string state_problem(const char* call, bool needs_setup) const {
    if (finished) return std::string(call) + ": the runtime is finished";
    if (needs_setup && !setup_done)
      return std::string(call) + ": call setup() first (the state is not set up)";
    return "";
  }

  // Why a leap cannot be made now ("" when it can); `buffer` checks the caller's output argument.
  std::string leap_problem(const std::vector<double>& theta, int64_t frames,
                           const std::function<std::string()>& buffer) const {
    const Impl& m = *this;
    std::string problem = m.state_problem("leap", true);
    if (problem.empty() && !m.has_emulator)
      problem = "leap: no emulator (" + m.config_name + ": emulator.kind is none)";
    if (problem.empty() && frames < 1)
      problem = "leap: argument 'frames': expected a number of frames >= 1, found " + std::to_string(frames);
    if (problem.empty() && m.theta_count >= 0 && int64_t(theta.size()) != m.theta_count)
      problem = "leap: argument 'theta': expected " + std::to_string(m.theta_count) +
                " values (the emulator's conditioning parameters), found " + std::to_string(theta.size());
    if (problem.empty()) problem = buffer();
    if (problem.empty() && !m.controller->ready())
      problem = "leap: the context is not ready: a leap needs " + std::to_string(m.context_frames) +
                " observed frames since setup or the last accepted leap, " +
                std::to_string(m.controller->context_size()) + " observed";
    return problem;
  }

  std::string block_problem(const char* call, const float* data) const {
    if (!data && block_size() > 0)
      return std::string(call) + ": argument 'block': expected " + std::to_string(block_size()) +
             " floats (this rank's box), found NULL";
    return "";
  }

  std::string fields_problem(const char* call, const FieldBlocks& blocks) const {
    if (blocks.size() != fields.size())
      return std::string(call) + ": expected " + std::to_string(fields.size()) + " field blocks, found " +
             std::to_string(blocks.size());
    const int64_t cells = this->cells();
    for (size_t f = 0; f < fields.size(); ++f)
      if (int64_t(blocks[f].size()) != cells * fields[f].components)
        return std::string(call) + ": field '" + fields[f].name + "' has " +
               std::to_string(blocks[f].size()) + " values on this rank, expected " +
               std::to_string(cells * fields[f].components);
    return "";
  }

  // Calls f(element of channel c0 + q of cell n in the block's layout, n * k + q) for every cell n
  // of The Well's order [x][y](z) over the box and every component q of a k-component field.
  template <class F>
  void for_each_element(int64_t c0, int64_t k, F&& f) const {
    const int64_t xm = block.count[0], ym = block.count[1], zm = dims() == 3 ? block.count[2] : 1;
    const auto s = block_strides(layout, channels(), xm, ym, zm);
    int64_t n = 0;
    for (int64_t i = 0; i < xm; ++i)
      for (int64_t j = 0; j < ym; ++j)
        for (int64_t l = 0; l < zm; ++l, ++n)
          for (int64_t q = 0; q < k; ++q)
            f(size_t((c0 + q) * s[0] + i * s[1] + j * s[2] + l * s[3]), size_t(n * k + q));
  }

  FieldBlocks split(const float* data) const {
    FieldBlocks out(fields.size());
    int64_t c0 = 0;
    for (size_t f = 0; f < fields.size(); ++f) {
      const int64_t k = fields[f].components;
      out[f].resize(size_t(k * cells()));
      for_each_element(c0, k, [&](size_t e, size_t v) { out[f][v] = data[e]; });
      c0 += k;
    }
    return out;
  }

  void join(const FieldBlocks& in, float* data) const {
    int64_t c0 = 0;
    for (size_t f = 0; f < fields.size(); ++f) {
      const int64_t k = fields[f].components;
      for_each_element(c0, k, [&](size_t e, size_t v) { data[e] = in[f][v]; });
      c0 += k;
    }
  }

  std::vector<std::string> channel_names() const {
    std::vector<std::string> names;
    for (const auto& f : fields)
      for (const auto& s : component_suffixes(f.components, dims())) names.push_back(f.name + s);
    return names;
  }

  // "" or why leap.conserve / leap.conserve_scaled do not name channels of the state, each once;
  // otherwise the conserved channels in `out`.
  std::string conserved_problem(std::vector<ConservedChannel>* out) const {
    const auto names = channel_names();
    std::string list;
    for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
    for (const bool scaled : {false, true}) {
      const char* key = scaled ? "leap.conserve_scaled" : "leap.conserve";
      for (const auto& name : scaled ? cfg.leap.conserve_scaled : cfg.leap.conserve) {
        const auto it = std::find(names.begin(), names.end(), name);
        if (it == names.end())
          return InputError(config_name, key, "channels of the state (" + list + ")", "'" + name + "'")
              .what();
        const int64_t c = int64_t(it - names.begin());
        for (const auto& k : *out)
          if (k.channel == c)
            return InputError(config_name, key, "each channel once in leap.conserve and leap.conserve_scaled",
                              "'" + name + "' twice")
                .what();
        out->push_back({c, scaled});
      }
    }
    return "";
  }

  // "" or why the policy's solver guidance cannot run: it needs the route's coarse solver, whose grid
  // the route gives with set_coarse_grid (the C and Fortran API never do).
  std::string guidance_problem() const {
    const LeapPolicyOptions& p = cfg.leap.policy;
    if (p.guidance == "off") return "";
    if (coarse_factor == 0)
      return InputError(config_name, "leap.guidance",
                        "off: solver guidance needs a coarse copy of the caller's solver, which only the "
                        "routes with a coarse solver (LeapAttachment, the TS type leap, LeapTSAttach) "
                        "have; this runtime was given none",
                        "'" + p.guidance + "'")
          .what();
    if (coarse_factor != p.coarse_factor)
      return InputError(config_name, "leap.coarse_factor",
                        std::to_string(coarse_factor) + " (the factor of the caller's coarse solver's grid)",
                        std::to_string(p.coarse_factor))
          .what();
    return "";
  }

  // Collective (after setup): the recorder for the state as described.
  std::unique_ptr<FrameRecorder> open_recorder() const {
    const RuntimeRecordConfig& r = cfg.record;
    if (r.dir.empty())
      throw InputError(config_name, "record.dir",
                       "a dataset directory to record into (recording was switched on)", "nothing");
    data::WellLayout L;
    L.dataset_name = r.dataset_name;
    const std::string boundary[3] = {r.x_boundary, r.y_boundary, r.z_boundary};
    const double length[3] = {r.length_x, r.length_y, r.length_z};
    for (int a = 0; a < dims(); ++a) {
      data::WellAxis axis{std::string(1, "xyz"[a]), grid[size_t(a)], {}, boundary[a]};
      for (int64_t i = 0; i < grid[size_t(a)]; ++i)
        axis.coords.push_back((double(i) + 0.5) * length[a] / double(grid[size_t(a)]));
      L.axes.push_back(axis);
    }
    for (const auto& f : fields) {
      data::WellField w;
      w.name = f.name;
      w.order = f.components == 1 ? 0 : f.components == dims() ? 1 : 2;
      w.dim_varying.assign(size_t(dims()), true);
      L.fields.push_back(w);
    }
    for (const auto& p : r.parameters) L.parameters.emplace_back(p.name, p.value);
    RecorderOptions o;
    o.dir = r.dir;
    o.name = r.name;
    o.frames_per_trajectory = r.frames_per_trajectory;
    o.valid_every = r.valid_every;
    return std::make_unique<FrameRecorder>(comm.get(), std::move(L), block, std::move(o));
  }

  // An observation (after the checks): the context (the caller's block goes to the exchange as it
  // is, in its layout), the policy's solver frames, the recording (field blocks, split from the
  // block when `fields` is null).
  void observed(const float* data, const FieldBlocks* fields, double time) {
    if (controller)
      controller->observe(data);
    else
      ++own_stats.observations;
    if (count_observation) {
      policy.solver_frames(1);
      if (controller) controller->record_solver_frames(1);
      ++frame;
    }
    count_observation = true;
    if (recording && recorder) recorder->add(fields ? *fields : split(data), time);
  }

  // One attempt of the policy (after the checks); an attempt that advanced the state ends the
  // context and the recording segment.
  const LeapRecord& run_attempt(const std::vector<double>& theta, LeapSolver& s, int64_t frames) {
    at::Tensor th;
    if (!theta.empty()) {
      th = at::empty({int64_t(theta.size())}, at::kDouble);
      std::copy(theta.begin(), theta.end(), th.data_ptr<double>());
    }
    const LeapRecord& r = policy.attempt(frame, *controller, th, s, frames);
    if (r.advanced()) {
      controller->clear_context();
      if (recorder) recorder->break_segment();
      count_observation = false;  // the caller observes the new state: not a solver frame
      frame += r.frames;
    }
    return r;
  }

  void init(MPI_Comm c, RuntimeConfig config, std::shared_ptr<Emulator> emu, const std::string& name) {
    MPI_Comm dup = MPI_COMM_NULL;
    mpi_check(MPI_Comm_dup(c, &dup), "MPI_Comm_dup");
    comm = OwnedComm(dup);
    mpi_check(MPI_Comm_rank(dup, &rank), "MPI_Comm_rank");
    cfg = std::move(config);
    config_name = name;
    policy = LeapPolicy(cfg.leap.policy);
    if (emulator_placement(dup, emulator_ranks(cfg.emulator)).is_emulator) emulator = std::move(emu);
    long long info[3] = {0, 0, -1};  // has an emulator, context frames, theta count
    std::exception_ptr failure;
    if (rank == kEmulatorRank && emulator) {
      try {
        info[0] = 1;
        info[1] = emulator->context_frames();
        if (auto* ld = dynamic_cast<const LatentDiffusionEmulator*>(emulator.get()))
          info[2] = (long long)ld->theta_names().size();
        if (info[1] < 1)
          throw InputError(config_name + ": the emulator needs " + std::to_string(info[1]) +
                           " context frames (expected >= 1)");
      } catch (...) {
        failure = std::current_exception();
      }
    }
    agree_on_failure(dup, failure);
    mpi_check(MPI_Bcast(info, 3, MPI_LONG_LONG, kEmulatorRank, dup), "MPI_Bcast");
    has_emulator = info[0] != 0;
    context_frames = info[1];
    theta_count = info[2];
  }
};

Runtime::Runtime(MPI_Comm comm, const std::string& config_path) : impl_(std::make_unique<Impl>()) {
  if (comm == MPI_COMM_NULL)
    throw InputError("argument 'comm': expected a communicator, found MPI_COMM_NULL");
  RuntimeConfig cfg = read_config(comm, config_path);
  std::shared_ptr<Emulator> emulator = load_emulator(comm, cfg, config_path);
  impl_->init(comm, std::move(cfg), std::move(emulator), config_path);
}

Runtime::Runtime(MPI_Comm comm, RuntimeConfig config, std::shared_ptr<Emulator> emulator,
                 const std::string& config_name)
    : impl_(std::make_unique<Impl>()) {
  if (comm == MPI_COMM_NULL)
    throw InputError("argument 'comm': expected a communicator, found MPI_COMM_NULL");
  impl_->init(comm, std::move(config), std::move(emulator), config_name);
}

Runtime::~Runtime() = default;

void Runtime::add_field(const std::string& name, int64_t components) {
  Impl& m = *impl_;
  if (m.finished) throw InputError("add_field: the runtime is finished");
  if (m.setup_done) throw InputError("add_field: the state is already set up (add fields before setup())");
  if (name.empty() || name.find_first_of("/.") != std::string::npos)
    throw InputError(
        "add_field: argument 'name': expected a non-empty field name without '/' or '.', found '" + name +
        "'");
  for (const auto& f : m.fields)
    if (f.name == name)
      throw InputError("add_field: argument 'name': field '" + name + "' was already added");
  if (components != 1 && components != 2 && components != 3 && components != 4 && components != 9)
    throw InputError(
        "add_field: argument 'components': expected 1 (scalar), 2 or 3 (a vector on a 2-D or 3-D grid) or 4 "
        "or 9 (a tensor), found " +
        std::to_string(components));
  m.fields.push_back({name, components});
}

void Runtime::set_box(int64_t nx, int64_t ny, int64_t x0, int64_t y0, int64_t xm, int64_t ym) {
  set_box_nd("set_box", {nx, ny}, {x0, y0}, {xm, ym});
}

void Runtime::set_box_3d(int64_t nx, int64_t ny, int64_t nz, int64_t x0, int64_t y0, int64_t z0, int64_t xm,
                         int64_t ym, int64_t zm) {
  set_box_nd("set_box_3d", {nx, ny, nz}, {x0, y0, z0}, {xm, ym, zm});
}

void Runtime::set_box_nd(const char* call, const std::vector<int64_t>& n, const std::vector<int64_t>& start,
                         const std::vector<int64_t>& count) {
  Impl& m = *impl_;
  const std::string who = call;
  if (m.finished) throw InputError(who + ": the runtime is finished");
  if (m.setup_done) throw InputError(who + ": the state is already set up (set the box before setup())");
  const auto bad = [&](const std::string& arg, const std::string& expected, int64_t found) {
    return InputError(who + ": argument '" + arg + "': expected " + expected + ", found " +
                      std::to_string(found));
  };
  for (size_t a = 0; a < n.size(); ++a)
    if (n[a] < 1) throw bad(std::string("n") + "xyz"[a], "a grid size >= 1", n[a]);
  for (size_t a = 0; a < n.size(); ++a)
    if (count[a] < 0 || count[a] > n[a])
      throw bad(std::string(1, "xyz"[a]) + "m", "a count in 0.." + std::to_string(n[a]), count[a]);
  for (size_t a = 0; a < n.size(); ++a)
    if (start[a] < 0 || start[a] + count[a] > n[a])
      throw bad(std::string(1, "xyz"[a]) + "0", "a start in 0.." + std::to_string(n[a] - count[a]), start[a]);
  m.grid = n;
  m.block.start = start;
  m.block.count = count;
  m.box_set = true;
}

void Runtime::set_layout(BlockLayout layout) {
  const int l = int(layout);
  if (l < 0 || l > 3)
    throw InputError("set_layout: argument 'layout': expected cxy, xyc, yxc or cyx (0..3), found " +
                     std::to_string(l));
  impl_->layout = layout;
  if (impl_->controller) impl_->controller->set_layout(layout);
}

void Runtime::setup() {
  Impl& m = *impl_;
  const MPI_Comm comm = m.comm.get();
  std::string problem = m.state_problem("setup", false);
  if (problem.empty() && m.setup_done) problem = "setup: the state is already set up";
  if (problem.empty() && m.fields.empty()) problem = "setup: no fields (call add_field first)";
  if (problem.empty() && !m.box_set) problem = "setup: no box (call set_box or set_box_3d first)";
  for (const auto& f : m.fields)
    if (problem.empty() && f.components != 1 && f.components != m.dims() &&
        f.components != m.dims() * m.dims())
      problem = "setup: field '" + f.name + "' has " + std::to_string(f.components) + " components; on a " +
                std::to_string(m.dims()) + "-D grid a field has 1 (scalar), " + std::to_string(m.dims()) +
                " (vector) or " + std::to_string(m.dims() * m.dims()) + " (tensor)";
  agree_on_input_error(comm, problem);

  // The ranks agree on the fields and the grid (rank 0's description is the reference).
  std::string description;
  for (size_t a = 0; a < m.grid.size(); ++a) description += (a ? "x" : "") + std::to_string(m.grid[a]);
  description += ":";
  for (const auto& f : m.fields) description += " " + f.name + "(" + std::to_string(f.components) + ")";
  std::string reference = description;
  int len = int(reference.size());
  mpi_check(MPI_Bcast(&len, 1, MPI_INT, 0, comm), "MPI_Bcast");
  reference.resize(size_t(len));
  mpi_check(MPI_Bcast(reference.data(), len, MPI_CHAR, 0, comm), "MPI_Bcast");
  if (description != reference)
    problem =
        "setup: this rank's grid and fields (" + description + ") differ from rank 0's (" + reference + ")";
  // The fields are the emulator's channels, in its order.
  if (problem.empty() && m.rank == kEmulatorRank && m.emulator) {
    const auto want = m.emulator->channel_names();
    const auto have = m.channel_names();
    if (!want.empty() && want != have) {
      const auto list = [](const std::vector<std::string>& v) {
        std::string s;
        for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
        return "[" + s + "]";
      };
      problem = "setup: the fields give the channels " + list(have) + ", the emulator (" + m.config_name +
                ") works on " + list(want) + " (add the fields in its order, with its names)";
    }
  }
  std::vector<ConservedChannel> conserved;
  if (problem.empty()) problem = m.conserved_problem(&conserved);
  if (problem.empty()) problem = m.guidance_problem();
  agree_on_input_error(comm, problem);

  std::vector<int64_t> components;
  for (const auto& f : m.fields) components.push_back(f.components);
  std::unique_ptr<HybridController> controller;
  if (m.has_emulator) {
    controller = std::make_unique<HybridController>(comm, m.grid, m.block, components, m.emulator,
                                                    m.cfg.leap.members, emulator_ranks(m.cfg.emulator));
    controller->set_conserved(conserved);
    // Collective: refuses, on every rank, a factor that does not divide the grid or boxes that do not
    // tile the coarse grid.
    if (m.coarse_factor > 0) controller->set_coarse_grid(m.coarse_factor, m.coarse_block);
  } else {
    StateExchange check(comm, m.grid, m.block, m.channels());  // the boxes tile the grid
  }
  m.setup_done = true;
  if (m.recording) {
    try {
      m.recorder = m.open_recorder();
    } catch (...) {
      m.setup_done = false;
      throw;
    }
  }
  m.controller = std::move(controller);
  if (m.controller) m.controller->set_layout(m.layout);  // the caller's blocks go to the exchange as they are
  if (m.controller && m.phase_hook) m.controller->set_phase_hook(m.phase_hook);
}

void Runtime::set_phase_hook(HybridController::PhaseHook hook) {
  Impl& m = *impl_;
  m.phase_hook = std::move(hook);
  if (m.controller) m.controller->set_phase_hook(m.phase_hook);
}

void Runtime::observe(const float* block, double time) {
  Impl& m = *impl_;
  std::string problem = m.state_problem("observe", true);
  if (problem.empty()) problem = m.block_problem("observe", block);
  agree_on_input_error(m.comm.get(), problem);
  float none = 0;  // a rank that owns nothing
  m.observed(block ? block : &none, nullptr, time);
}

void Runtime::observe_points(const std::vector<models::SensorPoint>& points, const std::vector<float>& values,
                             double noise_std) {
  Impl& m = *impl_;
  std::string problem = m.state_problem("observe_points", true);
  if (problem.empty() && !m.has_emulator)
    problem = "observe_points: no emulator (" + m.config_name + ": emulator.kind is none)";
  agree_on_input_error(m.comm.get(), problem);
  LeapObservations o;
  o.points = points;
  o.values = values;
  o.noise_std = noise_std;
  o.iterations = int(m.cfg.emulator.guidance_iterations);
  m.controller->set_observations(o);
}

void Runtime::observe(const FieldBlocks& fields, double time) {
  Impl& m = *impl_;
  std::string problem = m.state_problem("observe", true);
  if (problem.empty()) problem = m.fields_problem("observe", fields);
  agree_on_input_error(m.comm.get(), problem);
  std::vector<float> block(size_t(m.block_size()) + 1);
  m.join(fields, block.data());
  m.observed(block.data(), &fields, time);
}

// The caller's block as the policy's LeapSolver: the saved state and the check's reference are
// float copies of it; the caller's functions (set_solver) advance it and judge it.
class Runtime::BlockSolver final : public LeapSolver {
 public:
  // has_state: the block holds the current state (false: an output only, so no check).
  BlockSolver(const Impl& m, float* block, bool has_state = true)
      : m_(m), n_(size_t(m.block_size())), block_(block ? block : &none_), has_state_(has_state) {}
  void save_state() override { saved_.assign(block_, block_ + n_); }
  void restore_state() override { std::copy(saved_.begin(), saved_.end(), block_); }
  void inject(const std::vector<float>& block) override { std::copy(block.begin(), block.end(), block_); }
  bool conserve(std::string*) override { return true; }  // done by the controller (leap.conserve*)
  bool finite() override {
    int ok = std::all_of(block_, block_ + n_, [](float v) { return std::isfinite(v); }) ? 1 : 0;
    mpi_check(MPI_Allreduce(MPI_IN_PLACE, &ok, 1, MPI_INT, MPI_LAND, m_.comm.get()), "MPI_Allreduce");
    return ok != 0;
  }
  bool admissible(std::string* why) override {
    if (!m_.solver.admissible) return true;
    std::string local;
    std::exception_ptr failure;
    try {
      if (!m_.solver.admissible(block_, &local) && local.empty())
        local = "the caller's admissibility check refused the emulated state";
    } catch (...) {
      failure = std::current_exception();
    }
    agree_on_failure(m_.comm.get(), failure);
    *why = first_problem(m_.comm.get(), local);
    return why->empty();
  }
  std::vector<float> solve_reference(int64_t frames) override {
    if (!m_.solver.advance)
      throw InputError("leap: a checked attempt (leap.check_every " +
                       std::to_string(m_.cfg.leap.policy.check_every) +
                       ") needs the caller's solver: set_solver with an advance function");
    if (!has_state_)
      throw InputError(
          "leap: a checked attempt needs the current state (pass it in the fields or the block)");
    reference_ = saved_;
    std::exception_ptr failure;
    try {
      m_.solver.advance(frames, reference_.empty() ? &none_ : reference_.data());
    } catch (...) {
      failure = std::current_exception();
    }
    agree_on_failure(m_.comm.get(), failure);
    return reference_;
  }
  void use_reference() override { std::copy(reference_.begin(), reference_.end(), block_); }
  std::vector<float> state() override { return std::vector<float>(block_, block_ + n_); }

 private:
  const Impl& m_;
  size_t n_;
  float* block_;
  bool has_state_;
  float none_ = 0;  // the block of a rank that owns nothing
  std::vector<float> saved_, reference_;
};

namespace {

LeapOutcome outcome_of(const LeapRecord& r) {
  LeapOutcome o;
  o.accepted = r.accepted();
  o.finite = r.verdict != LeapVerdict::not_finite;
  o.suppressed = r.verdict == LeapVerdict::spread;
  o.spread = r.relative_spread;
  o.absolute_spread = r.spread;
  o.conserved_change = r.conserved_change;
  return o;
}

}  // namespace

LeapOutcome Runtime::leap(const std::vector<double>& theta, int64_t frames, float* block) {
  Impl& m = *impl_;
  agree_on_input_error(m.comm.get(),
                       m.leap_problem(theta, frames, [&] { return m.block_problem("leap", block); }));
  BlockSolver s(m, block);
  return outcome_of(m.run_attempt(theta, s, frames));
}

LeapOutcome Runtime::leap(const std::vector<double>& theta, int64_t frames, FieldBlocks* fields) {
  Impl& m = *impl_;
  // *fields: the current state (in and out), or empty (out only: no check mode).
  agree_on_input_error(m.comm.get(), m.leap_problem(theta, frames, [&]() -> std::string {
    if (!fields) return "leap: argument 'fields': expected a pointer, found NULL";
    return fields->empty() ? "" : m.fields_problem("leap", *fields);
  }));
  std::vector<float> block(size_t(m.block_size()));
  if (!fields->empty()) m.join(*fields, block.data());
  BlockSolver s(m, block.data(), !fields->empty());
  const LeapRecord& r = m.run_attempt(theta, s, frames);
  if (r.advanced()) *fields = m.split(block.data());
  return outcome_of(r);
}

bool Runtime::due(int64_t frames_left) const {
  const Impl& m = *impl_;
  return m.setup_done && !m.finished && m.controller && m.policy.due(m.controller->ready(), frames_left);
}

const LeapRecord& Runtime::attempt(const std::vector<double>& theta, float* block) {
  Impl& m = *impl_;
  agree_on_input_error(m.comm.get(), m.leap_problem(theta, m.policy.leap_frames(),
                                                    [&] { return m.block_problem("attempt", block); }));
  BlockSolver s(m, block);
  return m.run_attempt(theta, s, 0);
}

const LeapRecord& Runtime::attempt(const std::vector<double>& theta, LeapSolver& solver) {
  Impl& m = *impl_;
  agree_on_input_error(m.comm.get(), m.leap_problem(theta, m.policy.leap_frames(), [] { return ""; }));
  return m.run_attempt(theta, solver, 0);
}

const LeapPolicy& Runtime::policy() const {
  return impl_->policy;
}

void Runtime::set_policy(const LeapPolicyOptions& options) {
  Impl& m = *impl_;
  if (m.finished) throw InputError("set_policy: the runtime is finished");
  if (m.setup_done)
    throw InputError("set_policy: the state is already set up (set the policy before setup())");
  const std::string problem = options.problem("leap.");
  if (!problem.empty()) throw InputError("set_policy: " + problem);
  m.cfg.leap.policy = options;
  m.policy = LeapPolicy(options);
}

void Runtime::set_coarse_grid(int64_t factor, const data::Block& coarse_block) {
  Impl& m = *impl_;
  if (m.finished) throw InputError("set_coarse_grid: the runtime is finished");
  if (m.setup_done)
    throw InputError("set_coarse_grid: the state is already set up (give the coarse grid before setup())");
  if (factor < 2)
    throw InputError("set_coarse_grid: argument 'factor': expected a coarsening factor >= 2, found " +
                     std::to_string(factor));
  m.coarse_factor = factor;
  m.coarse_block = coarse_block;
}

void Runtime::set_solver(RuntimeSolver solver) {
  Impl& m = *impl_;
  if (m.finished) throw InputError("set_solver: the runtime is finished");
  if (m.setup_done)
    throw InputError("set_solver: the state is already set up (set the solver before setup())");
  m.solver = std::move(solver);
}

void Runtime::record(bool on) {
  Impl& m = *impl_;
  const MPI_Comm comm = m.comm.get();
  agree_on_input_error(comm, m.state_problem("record", false));
  int v[2] = {on ? 1 : 0, on ? -1 : 0}, r[2] = {0, 0};  // min(on), -max(on)
  mpi_check(MPI_Allreduce(v, r, 2, MPI_INT, MPI_MIN, comm), "MPI_Allreduce");
  if (r[0] != -r[1]) throw InputError("record: the ranks disagree (some switch recording on, some off)");
  if (on == m.recording) return;
  if (on && m.setup_done && !m.recorder) m.recorder = m.open_recorder();
  if (!on && m.recorder) m.recorder->break_segment();
  m.recording = on;
}

void Runtime::finish() {
  Impl& m = *impl_;
  if (m.finished) return;
  m.finished = true;
  m.recording = false;
  if (m.recorder) m.recorder->finish();
}

bool Runtime::is_setup() const {
  return impl_->setup_done;
}
bool Runtime::recording() const {
  return impl_->recording;
}
int64_t Runtime::context_frames() const {
  return impl_->context_frames;
}
bool Runtime::context_ready() const {
  return impl_->controller && impl_->controller->ready();
}
int64_t Runtime::channels() const {
  return impl_->channels();
}
const std::vector<int64_t>& Runtime::grid() const {
  return impl_->grid;
}
int64_t Runtime::block_size() const {
  return impl_->block_size();
}
std::vector<std::string> Runtime::channel_names() const {
  return impl_->channel_names();
}
const RuntimeConfig& Runtime::config() const {
  return impl_->cfg;
}
HybridStats Runtime::stats() const {
  return impl_->controller ? impl_->controller->stats() : impl_->own_stats;
}
int64_t Runtime::trajectories_recorded() const {
  return impl_->recorder ? impl_->recorder->trajectories_written() : 0;
}
std::vector<std::string> Runtime::recorded_files() const {
  return impl_->recorder ? impl_->recorder->files() : std::vector<std::string>{};
}

MPI_Comm Runtime::communicator() const {
  return impl_->comm.get();
}

}  // namespace leap::plugin
