#include "system_bench.h"

#include <mpi.h>
#include <petscts.h>

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <functional>
#include <iomanip>
#include <memory>
#include <sstream>

#include "case_solvers.h"
#include "leap/error.h"
#include "leap/log.h"
#include "leap/petsc/ts_attach.h"
#include "leap/plugin/emulator.h"
#include "leap/plugin/frame_recorder.h"
#include "leap/plugin/state_exchange.h"
#include "model_bench.h"

namespace leap::cli {

namespace {

constexpr const char* kHybridMethod =
    "production driver (LeapAttachment::Run, trajectory oracle) + measured model leaps";

void petsc_check(PetscErrorCode ierr, const std::string& what) {
  if (ierr) throw Error("leap bench: PETSc error " + std::to_string(int(ierr)) + " while " + what);
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n == 0 ? 0.0 : n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// The slowest rank's seconds for fn, started together after a barrier.
double timed_collective(const std::function<void()>& fn) {
  MPI_Barrier(MPI_COMM_WORLD);
  const double t0 = MPI_Wtime();
  fn();
  double dt = MPI_Wtime() - t0, slowest = 0;
  MPI_Allreduce(&dt, &slowest, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
  return slowest;
}

// The S x S case of hybrid-small.yaml (its euler2d section, the held-out seed); for euler3d the
// S x S x S periodic octant case of examples/euler3d/generate-small.yaml.
std::unique_ptr<petsc::FluidSolver> make_solver(const SystemBenchOptions& o, int size) {
  GenerateConfig g;
  g.case_name = o.case_name;
  g.euler3d.nx = g.euler3d.ny = g.euler3d.nz = size;
  g.euler3d.initial_condition = "octants";
  g.euler3d.seed = 1000;
  g.euler2d.nx = size;
  g.euler2d.ny = size;
  g.euler2d.gamma = 1.4;
  g.euler2d.boundary = "periodic";
  g.euler2d.limiter = "mc";
  g.euler2d.cfl = 0.4;
  g.euler2d.initial_condition = "quadrants";
  g.euler2d.seed = 1000;
  return make_case_solver(MPI_COMM_WORLD, g, {}, "leap bench");
}

// Channels of the solver's state as the hybrid controller exchanges it (The Well's fields).
int64_t channel_count(const petsc::FluidSolver& s) {
  const int64_t D = int64_t(s.axes().size());
  int64_t C = 0;
  for (const auto& f : s.well_fields()) C += f.order == 0 ? 1 : f.order == 1 ? D : D * D;
  return C;
}

struct ExchangeTimes {
  double gather_ms = 0, scatter_ms = 0, mbytes = 0;
};

ExchangeTimes time_exchange(const petsc::FluidSolver& s, int size, const SystemBenchOptions& o) {
  data::Block block;
  petsc_check(s.GetBlock(&block), "reading the block layout");
  const int64_t C = channel_count(s);
  plugin::ExchangeOptions eo;
  eo.layout = plugin::BlockLayout::xyc;  // as the hybrid controller packs the solver's fields
  std::vector<int64_t> grid;
  for (const auto& a : s.axes()) grid.push_back(a.size);
  plugin::StateExchange exchange(MPI_COMM_WORLD, grid, block, C, eo);
  std::vector<float> local(size_t(exchange.block_size()), 1.0f), full;
  if (exchange.is_emulator()) full.assign(size_t(exchange.full_size()), 1.0f);
  float* full_ptr = exchange.is_emulator() ? full.data() : nullptr;
  std::vector<double> g, sc;
  for (int i = 0; i < o.warmup + o.iters; ++i) {
    const double tg = timed_collective([&] { exchange.gather(local.data(), full_ptr); });
    const double ts = timed_collective([&] { exchange.scatter(full_ptr, local.data()); });
    if (i < o.warmup) continue;
    g.push_back(tg);
    sc.push_back(ts);
  }
  return {1e3 * median(g), 1e3 * median(sc), 4.0 * double(exchange.full_size()) / 1e6};
}

struct SolverTimes {
  double ms_per_frame = 0, steps_per_frame = 0, cell_updates_per_s = 0;
};

SolverTimes time_solver(petsc::FluidSolver& s, int size, const SystemBenchOptions& o) {
  const auto advance = [&](int frames) {
    const PetscReal t = s.time();
    for (int k = 1; k <= frames; ++k)
      petsc_check(s.Advance(t + PetscReal(k) * o.frame_interval), "advancing the solver");
  };
  if (o.warmup > 0) advance(o.warmup);
  PetscInt n0 = 0, n1 = 0;
  petsc_check(TSGetStepNumber(s.ts(), &n0), "reading the step number");
  const double wall = timed_collective([&] { advance(o.iters); });
  petsc_check(TSGetStepNumber(s.ts(), &n1), "reading the step number");
  SolverTimes r;
  r.ms_per_frame = 1e3 * wall / o.iters;
  r.steps_per_frame = double(n1 - n0) / o.iters;
  double cells = 1;
  for (const auto& a : s.axes()) cells *= double(a.size);
  r.cell_updates_per_s = wall > 0 ? cells * double(n1 - n0) / wall : 0.0;
  return r;
}

// The hybrid horizon of `leap hybrid`, run by its production driver (LeapAttachment::Run: the leap
// policy's schedule, the gathers, the leaps' injection and conservation, the solver frames) with the
// trajectory oracle as its emulator: the solver-only run of the same case is recorded first (its
// frames are what the oracle hands back), then the hybrid run is timed. The oracle's own seconds are
// reported so that the model's measured leap can stand in for them.
struct HybridRun {
  double solver_only_ms = 0, driver_ms = 0, oracle_ms = 0;
  nlohmann::json policy;  // the run's decisions (LeapPolicy::summary)
  int64_t leaps_accepted = 0, solver_frames = 0, observations = 0;
};

HybridRun run_hybrid(const SystemBenchOptions& o, int size) {
  namespace fs = std::filesystem;
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  HybridRun out;
  std::string dir;
  if (rank == 0) {
    dir = (fs::temp_directory_path() /
           ("leap_bench_oracle_" + std::to_string(::getpid()) + "_" + std::to_string(size)))
              .string();
    fs::remove_all(dir);
  }
  int len = int(dir.size());
  MPI_Bcast(&len, 1, MPI_INT, 0, MPI_COMM_WORLD);
  dir.resize(size_t(len));
  MPI_Bcast(dir.data(), len, MPI_CHAR, 0, MPI_COMM_WORLD);
  const auto end_time = [&](const petsc::FluidSolver& s) {
    return s.time() + PetscReal(o.frames) * o.frame_interval;
  };
  std::string file;
  {  // the solver-only run, recorded (the recording is not timed: the frames are copied aside first)
    auto s = make_solver(o, size);
    data::Block block;
    petsc_check(s->GetBlock(&block), "reading the block layout");
    data::WellLayout layout;
    layout.dataset_name = s->dataset_name();
    layout.axes = s->axes();
    layout.fields = s->well_fields();
    layout.parameters = s->parameters();
    plugin::RecorderOptions ro;
    ro.dir = dir;
    ro.name = "solver";
    ro.frames_per_trajectory = o.frames + 1;
    plugin::FrameRecorder recorder(MPI_COMM_WORLD, layout, block, ro);
    const auto record = [&] {
      std::vector<std::vector<float>> fields;
      for (const auto& f : s->well_fields()) {
        fields.emplace_back();
        petsc_check(s->ExtractWellField(f.name, &fields.back()), "reading the state");
      }
      recorder.add(fields, double(s->time()));
    };
    record();
    const PetscReal t0 = s->time();
    double wall = 0;
    for (int64_t k = 1; k <= o.frames; ++k) {
      wall += timed_collective(
          [&] { petsc_check(s->Advance(t0 + PetscReal(k) * o.frame_interval), "advancing the solver"); });
      record();
    }
    recorder.finish();
    out.solver_only_ms = 1e3 * wall;
    if (rank == 0) file = recorder.files().at(0);
  }
  {  // the hybrid run, by the production driver
    auto s = make_solver(o, size);
    petsc::LeapAttachOptions h;
    h.mode = "hybrid";
    h.leap_frames = PetscInt(o.leap_frames);
    h.solver_frames = PetscInt(o.solver_frames);
    h.frame_interval = o.frame_interval;
    h.members = PetscInt(o.members);
    if (rank == 0) h.emulator = std::make_shared<plugin::TrajectoryOracle>(file, 0, o.context);
    std::unique_ptr<petsc::LeapAttachment> a;
    petsc_check(petsc::LeapAttachCreate(s.get(), h, &a), "attaching the hybrid driver");
    const PetscReal t_end = end_time(*s);
    out.driver_ms = 1e3 * timed_collective([&] { petsc_check(a->Run(t_end), "running the hybrid driver"); });
    out.oracle_ms = 1e3 * a->stats().emulate_seconds;
    out.policy = a->policy().summary();
    out.leaps_accepted = a->policy().accepted();
    out.solver_frames = a->stats().frames_solved;
    out.observations = a->stats().observations;
  }
  MPI_Barrier(MPI_COMM_WORLD);
  if (rank == 0) fs::remove_all(dir);
  return out;
}

bool has(const std::vector<std::string>& parts, const char* part) {
  return std::find(parts.begin(), parts.end(), part) != parts.end();
}

}  // namespace

std::string system_bench_size_problem(int size, const std::string& case_name) {
  return leap_resolution_problem(size, case_name == "euler3d" ? 3 : 2);
}

nlohmann::json run_system_bench(const SystemBenchOptions& o) {
  int rank = 0, ranks = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &ranks);
  if (o.case_name != "euler2d" && o.case_name != "euler3d")
    throw InputError("leap bench: --case must be euler2d or euler3d, found '" + o.case_name + "'");
  for (int size : o.sizes)
    if (const std::string why = system_bench_size_problem(size, o.case_name); !why.empty())
      throw InputError("leap bench: --sizes: expected " + why);
  if (o.sizes.empty()) throw InputError("leap bench: --sizes: expected at least one grid side");
  const bool exchange = has(o.parts, "exchange"), solver = has(o.parts, "solver"),
             hybrid = has(o.parts, "hybrid");
  if (hybrid) check_bench_device(o.device);

  nlohmann::json out;
  const bool three_d = o.case_name == "euler3d";
  out["system"] = {{"case", o.case_name},
                   {"ranks", ranks},
                   {"sizes", o.sizes},
                   {"initial_condition", std::string(three_d ? "octants" : "quadrants") +
                                             ", seed 1000, periodic, gamma 1.4, MC limiter, CFL 0.4"},
                   {"frame_interval", o.frame_interval},
                   {"warmup", o.warmup},
                   {"iters", o.iters}};
  if (hybrid)
    out["system"]["hybrid"] = {
        {"frames", o.frames},   {"leap_frames", o.leap_frames}, {"solver_frames", o.solver_frames},
        {"context", o.context}, {"members", o.members},         {"scale", o.scale},
        {"device", o.device}};
  nlohmann::json results = nlohmann::json::array();
  for (int size : o.sizes) {
    auto s = make_solver(o, size);
    const int dims = int(s->axes().size());
    const double cells = dims == 3 ? double(size) * size * size : double(size) * size;
    // The leap's models see the solver's channels and parameters (its own and one flag per axis).
    const int fields = int(channel_count(*s)), params = int(s->parameters().size()) + dims;
    ExchangeTimes ex;
    if (exchange || hybrid) {
      if (o.progress && rank == 0) spdlog::info("bench: exchange at {}^{} on {} ranks", size, dims, ranks);
      ex = time_exchange(*s, size, o);
      if (exchange)
        results.push_back({{"part", "exchange"},
                           {"size", size},
                           {"channels", channel_count(*s)},
                           {"dims", dims},
                           {"mbytes", ex.mbytes},
                           {"ms_gather", ex.gather_ms},
                           {"ms_scatter", ex.scatter_ms},
                           {"gbytes_per_s_gather", ex.mbytes / ex.gather_ms},
                           {"gbytes_per_s_scatter", ex.mbytes / ex.scatter_ms}});
    }
    SolverTimes sv;
    if (solver || hybrid) {
      if (o.progress && rank == 0)
        spdlog::info("bench: solver at {}^{}, {} + {} frames", size, dims, o.warmup, o.iters);
      sv = time_solver(*s, size, o);
      if (solver)
        results.push_back({{"part", "solver"},
                           {"size", size},
                           {"frames", o.iters},
                           {"ms_per_frame", sv.ms_per_frame},
                           {"steps_per_frame", sv.steps_per_frame},
                           {"cell_updates_per_s", sv.cell_updates_per_s},
                           {"cell_updates_per_s_per_rank", sv.cell_updates_per_s / ranks},
                           {"ms_per_step", sv.ms_per_frame / std::max(1.0, sv.steps_per_frame)},
                           {"cells", cells},
                           {"dims", dims}});
    }
    s.reset();
    if (!hybrid) continue;
    if (o.progress && rank == 0)
      spdlog::info("bench: hybrid driver at {}^{}, {} frames", size, dims, o.frames);
    const HybridRun run = run_hybrid(o, size);
    if (!out["system"]["hybrid"].contains("schedule"))
      out["system"]["hybrid"]["schedule"] = {{"solver_frames", run.solver_frames},
                                             {"leaps", run.leaps_accepted},
                                             {"emulated_frames", int64_t(o.frames) - run.solver_frames},
                                             {"gathers", run.observations},
                                             {"scatters", run.leaps_accepted}};
    nlohmann::json r{{"part", "hybrid"}, {"size", size}, {"dims", dims}};
    r["method"] = kHybridMethod;
    r["policy"] = run.policy;
    if (rank == 0) {
      if (o.progress)
        spdlog::info("bench: emulator leap at {}^{} on {} ({} scale)", size, dims, o.device, o.scale);
      LeapBenchOptions lo;
      lo.scale = o.scale;
      lo.device = o.device;
      lo.spatial_dims = dims;
      lo.fields = fields;
      lo.param_features = params;
      lo.resolution = size;
      lo.context = o.context;
      lo.frames = o.leap_frames;
      lo.members = o.members;
      lo.warmup = std::max(1, std::min(o.warmup, 2));
      lo.iters = o.iters;
      nlohmann::json leap;
      try {
        leap = time_emulator_leap(lo);
      } catch (const std::exception& e) {
        leap = {{"skipped", e.what()}};
      }
      r["leap"] = leap;
      const double solver_only = run.solver_only_ms;
      r["ms_solver_only"] = solver_only;
      r["ms_per_solver_frame"] = sv.ms_per_frame;
      r["ms_gather"] = ex.gather_ms;
      r["ms_scatter"] = ex.scatter_ms;
      r["ms_driver_with_oracle"] = run.driver_ms;
      r["ms_oracle"] = run.oracle_ms;
      if (leap.contains("skipped")) {
        r["skipped"] = "the leap: " + leap["skipped"].get<std::string>();
      } else {
        const double ms_leap = leap["ms_per_leap"].get<double>();
        // The driver's measured wall with the model's measured leaps in place of the oracle's.
        const double total = run.driver_ms - run.oracle_ms + double(run.leaps_accepted) * ms_leap;
        r["ms_per_leap"] = ms_leap;
        r["ms_hybrid"] = total;
        r["speedup"] = total > 0 ? solver_only / total : 0.0;
        // The leap against the solver frames it replaces.
        r["leap_vs_solver_frames"] = ms_leap / (double(o.leap_frames) * sv.ms_per_frame);
      }
    }
    MPI_Barrier(MPI_COMM_WORLD);
    results.push_back(r);
  }
  out["results"] = results;
  return rank == 0 ? out : nlohmann::json::object();
}

std::string system_bench_table(const nlohmann::json& j) {
  std::ostringstream s;
  const auto& sys = j["system"];
  s << sys["case"].get<std::string>() << " on " << sys["ranks"].get<int>() << " rank(s)";
  if (sys.contains("hybrid") && sys["hybrid"].contains("schedule")) {
    const auto& h = sys["hybrid"];
    s << " | hybrid: " << h["frames"] << " frames, leaps of " << h["leap_frames"] << " after "
      << h["solver_frames"] << " solver frames (" << h["schedule"]["solver_frames"] << " solver frames, "
      << h["schedule"]["leaps"] << " leaps), emulator " << h["scale"].get<std::string>() << " on "
      << h["device"].get<std::string>();
  }
  s << "\n"
    << std::left << std::setw(10) << "part" << std::setw(8) << "size"
    << "result\n";
  for (const auto& r : j["results"]) {
    const std::string part = r["part"];
    s << std::setw(10) << part << std::setw(8)
      << (std::to_string(r["size"].get<int>()) + "^" + std::to_string(r.value("dims", 2)));
    std::ostringstream v;
    v << std::fixed << std::setprecision(2);
    if (r.contains("skipped") && part != "hybrid") {
      v << "- (" << r["skipped"].get<std::string>() << ")";
    } else if (part == "exchange") {
      v << "gather " << r["ms_gather"].get<double>() << " ms (" << r["gbytes_per_s_gather"].get<double>()
        << " GB/s), scatter " << r["ms_scatter"].get<double>() << " ms ("
        << r["gbytes_per_s_scatter"].get<double>() << " GB/s) of " << r["mbytes"].get<double>() << " MB";
    } else if (part == "solver") {
      v << r["ms_per_frame"].get<double>() << " ms/frame, " << std::setprecision(1)
        << r["steps_per_frame"].get<double>() << " steps/frame, " << std::setprecision(2)
        << r["cell_updates_per_s"].get<double>() / 1e6 << " M cell updates/s ("
        << r["cell_updates_per_s_per_rank"].get<double>() / 1e6 << " M per rank)";
    } else if (r.contains("skipped")) {
      v << "solver-only " << r["ms_solver_only"].get<double>() / 1e3 << " s; hybrid - ("
        << r["skipped"].get<std::string>() << ")";
    } else {
      const auto& l = r["leap"];
      v << "solver-only " << r["ms_solver_only"].get<double>() / 1e3 << " s, hybrid (driver + model leaps) "
        << r["ms_hybrid"].get<double>() / 1e3 << " s, speed-up " << r["speedup"].get<double>() << "; leap "
        << std::setprecision(1) << l["ms_per_leap"].get<double>() << " ms (encode "
        << l["ms_encode"].get<double>() << ", sample " << l["ms_sample"].get<double>() << ", decode "
        << l["ms_decode"].get<double>() << "); guided by " << l["guided_points"].get<int64_t>() << " points "
        << l["ms_per_guided_leap"].get<double>() << " ms (x" << std::setprecision(2)
        << l["guided_overhead"].get<double>() << ")";
    }
    s << v.str() << "\n";
  }
  return s.str();
}

}  // namespace leap::cli
