#include "system_bench.h"

#include <mpi.h>
#include <petscts.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <iomanip>
#include <memory>
#include <sstream>

#include "case_solvers.h"
#include "leap/error.h"
#include "leap/log.h"
#include "leap/plugin/state_exchange.h"
#include "model_bench.h"

namespace leap::cli {

namespace {

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

// The S x S case of hybrid-small.yaml (its euler2d section, the held-out seed).
std::unique_ptr<petsc::FluidSolver> make_solver(const SystemBenchOptions& o, int size) {
  GenerateConfig g;
  g.case_name = o.case_name;
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
  plugin::StateExchange exchange(MPI_COMM_WORLD, {size, size}, block, C, eo);
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
  r.cell_updates_per_s = wall > 0 ? double(size) * size * double(n1 - n0) / wall : 0.0;
  return r;
}

// LeapAttachment::Run's schedule with every leap accepted: solver frames, leaps and gathers
// (one at the start, one after every solver frame and every leap).
struct Schedule {
  int64_t solver_frames = 0, leaps = 0, gathers = 1;
};
Schedule hybrid_schedule(const SystemBenchOptions& o) {
  Schedule s;
  int64_t frame = 0, since_leap = 0, observed = 1;
  while (frame < o.frames) {
    if (observed >= o.context && since_leap >= o.solver_frames && frame + o.leap_frames <= o.frames) {
      ++s.leaps;
      frame += o.leap_frames;
      since_leap = 0;
      observed = 1;
      ++s.gathers;
      continue;
    }
    ++frame;
    ++since_leap;
    ++observed;
    ++s.solver_frames;
    ++s.gathers;
  }
  return s;
}

bool has(const std::vector<std::string>& parts, const char* part) {
  return std::find(parts.begin(), parts.end(), part) != parts.end();
}

}  // namespace

std::string system_bench_size_problem(int size) {
  return leap_resolution_problem(size);
}

nlohmann::json run_system_bench(const SystemBenchOptions& o) {
  int rank = 0, ranks = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &ranks);
  if (o.case_name != "euler2d")
    throw InputError("leap bench: --case must be euler2d, found '" + o.case_name + "'");
  for (int size : o.sizes)
    if (const std::string why = system_bench_size_problem(size); !why.empty())
      throw InputError("leap bench: --sizes: expected " + why);
  if (o.sizes.empty()) throw InputError("leap bench: --sizes: expected at least one grid side");
  const bool exchange = has(o.parts, "exchange"), solver = has(o.parts, "solver"),
             hybrid = has(o.parts, "hybrid");
  if (hybrid) check_bench_device(o.device);
  const Schedule plan = hybrid_schedule(o);

  nlohmann::json out;
  out["system"] = {{"case", o.case_name},
                   {"ranks", ranks},
                   {"sizes", o.sizes},
                   {"initial_condition", "quadrants, seed 1000, periodic, gamma 1.4, MC limiter, CFL 0.4"},
                   {"frame_interval", o.frame_interval},
                   {"warmup", o.warmup},
                   {"iters", o.iters}};
  if (hybrid)
    out["system"]["hybrid"] = {{"frames", o.frames},
                               {"leap_frames", o.leap_frames},
                               {"solver_frames", o.solver_frames},
                               {"context", o.context},
                               {"members", o.members},
                               {"scale", o.scale},
                               {"device", o.device},
                               {"schedule",
                                {{"solver_frames", plan.solver_frames},
                                 {"leaps", plan.leaps},
                                 {"emulated_frames", plan.leaps * o.leap_frames},
                                 {"gathers", plan.gathers},
                                 {"scatters", plan.leaps}}}};
  nlohmann::json results = nlohmann::json::array();
  for (int size : o.sizes) {
    const double cells = double(size) * size;
    auto s = make_solver(o, size);
    ExchangeTimes ex;
    if (exchange || hybrid) {
      if (o.progress && rank == 0) spdlog::info("bench: exchange at {}^2 on {} ranks", size, ranks);
      ex = time_exchange(*s, size, o);
      if (exchange)
        results.push_back({{"part", "exchange"},
                           {"size", size},
                           {"channels", channel_count(*s)},
                           {"mbytes", ex.mbytes},
                           {"ms_gather", ex.gather_ms},
                           {"ms_scatter", ex.scatter_ms},
                           {"gbytes_per_s_gather", ex.mbytes / ex.gather_ms},
                           {"gbytes_per_s_scatter", ex.mbytes / ex.scatter_ms}});
    }
    SolverTimes sv;
    if (solver || hybrid) {
      if (o.progress && rank == 0)
        spdlog::info("bench: solver at {}^2, {} + {} frames", size, o.warmup, o.iters);
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
                           {"cells", cells}});
    }
    s.reset();
    if (!hybrid) continue;
    nlohmann::json r{{"part", "hybrid"}, {"size", size}, {"method", "hybrid (composed from measured parts)"}};
    if (rank == 0) {
      if (o.progress) spdlog::info("bench: emulator leap at {}^2 on {} ({} scale)", size, o.device, o.scale);
      LeapBenchOptions lo;
      lo.scale = o.scale;
      lo.device = o.device;
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
      const double solver_only = double(o.frames) * sv.ms_per_frame;
      r["ms_solver_only"] = solver_only;
      r["ms_per_solver_frame"] = sv.ms_per_frame;
      r["ms_gather"] = ex.gather_ms;
      r["ms_scatter"] = ex.scatter_ms;
      if (leap.contains("skipped")) {
        r["skipped"] = "the leap: " + leap["skipped"].get<std::string>();
      } else {
        const double ms_leap = leap["ms_per_leap"].get<double>();
        const double solver_part = double(plan.solver_frames) * sv.ms_per_frame;
        const double gathers = double(plan.gathers) * ex.gather_ms;
        const double leaps = double(plan.leaps) * ms_leap;
        const double scatters = double(plan.leaps) * ex.scatter_ms;
        const double total = solver_part + gathers + leaps + scatters;
        r["ms_per_leap"] = ms_leap;
        r["ms_hybrid"] = total;
        r["ms_hybrid_per_phase"] = {
            {"solver", solver_part}, {"gather", gathers}, {"emulate", leaps}, {"scatter", scatters}};
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
  if (sys.contains("hybrid")) {
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
    s << std::setw(10) << part << std::setw(8) << (std::to_string(r["size"].get<int>()) + "^2");
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
      v << "solver-only " << r["ms_solver_only"].get<double>() / 1e3 << " s, hybrid (composed) "
        << r["ms_hybrid"].get<double>() / 1e3 << " s, speed-up " << r["speedup"].get<double>() << "; leap "
        << std::setprecision(1) << l["ms_per_leap"].get<double>() << " ms (encode "
        << l["ms_encode"].get<double>() << ", sample " << l["ms_sample"].get<double>() << ", decode "
        << l["ms_decode"].get<double>() << ")";
    }
    s << v.str() << "\n";
  }
  return s.str();
}

}  // namespace leap::cli
