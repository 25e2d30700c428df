// The runtime half of the C API: leap_runtime handles over leap::plugin::Runtime.
#include <algorithm>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "c_api_errors.h"
#include "handle_table.h"
#include "leap/leap.h"
#include "leap/plugin/collective_error.h"
#include "leap/plugin/runtime.h"

namespace {

using leap::plugin::Runtime;

// A runtime and what the C API remembers about it.
struct RuntimeHandle {
  std::unique_ptr<Runtime> runtime;
  std::string config;
  leap::plugin::LeapOutcome last;
  leap::plugin::LeapRecord record;  // of the last attempt
  bool leapt = false;
  bool advances = false;  // an advance function was set
};

static_assert(int(leap::plugin::LeapVerdict::check) == LEAP_REJECTED_CHECK &&
                  int(leap::plugin::LeapVerdict::admissibility) == LEAP_REJECTED_ADMISSIBILITY &&
                  int(leap::plugin::LeapVerdict::not_finite) == LEAP_REJECTED_NOT_FINITE &&
                  int(leap::plugin::LeapVerdict::emulator_failed) == LEAP_REJECTED_EMULATOR,
              "leap_verdict follows leap::plugin::LeapVerdict");

// theta and ntheta checked on every rank together, as a vector.
std::vector<double> theta_of(const Runtime& r, const double* theta, int ntheta, std::string problem) {
  if (problem.empty() && ntheta < 0)
    problem = "argument 'ntheta': expected a count >= 0, found " + std::to_string(ntheta);
  else if (problem.empty() && ntheta > 0 && !theta)
    problem = "argument 'theta': expected " + std::to_string(ntheta) + " values, found NULL";
  leap::plugin::agree_on_input_error(r.communicator(), problem);
  return std::vector<double>(theta, theta + (ntheta > 0 ? ntheta : 0));
}

leap::capi::HandleTable<RuntimeHandle>& runtimes() {
  static leap::capi::HandleTable<RuntimeHandle> table("leap_runtime");
  return table;
}

Runtime& runtime(leap_runtime h) {
  return *runtimes().get(h, "h").runtime;
}

// A C API call: errors caught, kept for leap_last_error() and named after the function.
template <class F>
int api(const char* fn, F&& f) {
  return leap::capi::named(fn, std::forward<F>(f));
}

int create(const char* fn, MPI_Comm comm, const char* config, leap_runtime* out) {
  return api(fn, [&] {
    if (comm == MPI_COMM_NULL)
      throw leap::InputError("argument 'comm': expected a communicator, found MPI_COMM_NULL");
    std::string problem;
    if (!config)
      problem = "argument 'config': expected the path of a YAML file, found NULL";
    else if (!out)
      problem = "argument 'out': expected a pointer to a leap_runtime, found NULL";
    leap::plugin::agree_on_input_error(comm, problem);
    auto handle = std::make_unique<RuntimeHandle>();
    handle->runtime = std::make_unique<Runtime>(comm, std::string(config));
    handle->config = config;
    *out = runtimes().add(std::move(handle));
  });
}

}  // namespace

extern "C" {

int leap_runtime_create(MPI_Comm comm, const char* config, leap_runtime* out) {
  return create("leap_runtime_create", comm, config, out);
}

int leap_runtime_create_f(MPI_Fint fcomm, const char* config, leap_runtime* out) {
  MPI_Comm comm = MPI_COMM_NULL;
  if (const int rc = api("leap_runtime_create_f", [&] { comm = leap::capi::comm_from_fortran(fcomm); }))
    return rc;
  return create("leap_runtime_create_f", comm, config, out);
}

int leap_runtime_add_field(leap_runtime h, const char* name, int components) {
  return api("leap_runtime_add_field", [&] {
    Runtime& r = runtime(h);
    if (!name) throw leap::InputError("argument 'name': expected a field name, found NULL");
    r.add_field(name, components);
  });
}

int leap_runtime_set_box(leap_runtime h, int nx, int ny, int x0, int y0, int xm, int ym) {
  return api("leap_runtime_set_box", [&] { runtime(h).set_box(nx, ny, x0, y0, xm, ym); });
}

int leap_runtime_set_box_3d(leap_runtime h, int nx, int ny, int nz, int x0, int y0, int z0, int xm, int ym,
                            int zm) {
  return api("leap_runtime_set_box_3d", [&] { runtime(h).set_box_3d(nx, ny, nz, x0, y0, z0, xm, ym, zm); });
}

int leap_runtime_set_layout(leap_runtime h, int layout) {
  return api("leap_runtime_set_layout", [&] {
    Runtime& r = runtime(h);
    if (layout < LEAP_LAYOUT_CXY || layout > LEAP_LAYOUT_CYX)
      throw leap::InputError(
          "argument 'layout': expected LEAP_LAYOUT_CXY, _XYC, _YXC or _CYX (0..3), found " +
          std::to_string(layout));
    r.set_layout(leap::plugin::BlockLayout(layout));
  });
}

int leap_runtime_setup(leap_runtime h) {
  return api("leap_runtime_setup", [&] {
    RuntimeHandle& handle = runtimes().get(h, "h");
    const int64_t every = handle.runtime->config().leap.policy.check_every;
    std::string problem;
    if (every > 0 && !handle.advances)
      problem = leap::InputError(handle.config, "leap.check_every",
                                 "0 unless your solver can advance: check mode needs an advance function "
                                 "(leap_runtime_set_solver before leap_runtime_setup)",
                                 std::to_string(every))
                    .what();
    leap::plugin::agree_on_input_error(handle.runtime->communicator(), problem);
    handle.runtime->setup();
  });
}

int leap_runtime_context_frames(leap_runtime h, int* frames) {
  return api("leap_runtime_context_frames", [&] {
    Runtime& r = runtime(h);
    if (!frames) throw leap::InputError("argument 'frames': expected a pointer to an int, found NULL");
    *frames = int(r.context_frames());
  });
}

int leap_runtime_context_ready(leap_runtime h, int* ready) {
  return api("leap_runtime_context_ready", [&] {
    Runtime& r = runtime(h);
    if (!ready) throw leap::InputError("argument 'ready': expected a pointer to an int, found NULL");
    *ready = r.context_ready() ? 1 : 0;
  });
}

int leap_runtime_observe(leap_runtime h, const float* block, double time) {
  return api("leap_runtime_observe", [&] { runtime(h).observe(block, time); });
}

int leap_runtime_leap(leap_runtime h, int frames, const double* theta, int ntheta, float* block,
                      int* accepted, double* spread) {
  return api("leap_runtime_leap", [&] {
    RuntimeHandle& handle = runtimes().get(h, "h");
    Runtime& r = *handle.runtime;
    const std::vector<double> th = theta_of(
        r, theta, ntheta, accepted ? "" : "argument 'accepted': expected a pointer to an int, found NULL");
    const leap::plugin::LeapOutcome o = r.leap(th, frames, block);
    handle.last = o;
    handle.record = r.policy().records().back();
    handle.leapt = true;
    *accepted = o.accepted ? 1 : 0;
    if (spread) *spread = o.spread;
  });
}

int leap_runtime_observe_points(leap_runtime h, int n, const int* channel, const int* i, const int* j,
                                const int* k, const float* values, double noise_std) {
  return api("leap_runtime_observe_points", [&] {
    Runtime& r = runtime(h);
    std::string problem;  // agreed by every rank before the collective part
    if (n < 0)
      problem = "argument 'n': expected a number of points >= 0, found " + std::to_string(n);
    else if (n > 0 && (!channel || !i || !j || !values))
      problem = "arguments 'channel', 'i', 'j', 'values': expected " + std::to_string(n) +
                " values each, found NULL";
    else if (n > 0 && r.grid().size() == 3 && !k)
      problem = "argument 'k': expected the " + std::to_string(n) + " z indices of the points (a 3-D grid), found NULL";
    leap::plugin::agree_on_input_error(r.communicator(), problem);
    std::vector<leap::models::SensorPoint> points;
    std::vector<float> v;
    for (int p = 0; p < n; ++p) {
      points.push_back({channel[p], i[p], j[p], k ? k[p] : 0});
      v.push_back(values[p]);
    }
    r.observe_points(points, v, noise_std);
  });
}

int leap_runtime_last_leap(leap_runtime h, int* finite, int* suppressed) {
  return api("leap_runtime_last_leap", [&] {
    const RuntimeHandle& handle = runtimes().get(h, "h");
    if (finite) *finite = handle.leapt && handle.last.finite ? 1 : 0;
    if (suppressed) *suppressed = handle.leapt && handle.last.suppressed ? 1 : 0;
  });
}

int leap_runtime_set_solver(leap_runtime h, leap_advance_fn advance, leap_admissible_fn admissible,
                            void* ctx) {
  return api("leap_runtime_set_solver", [&] {
    RuntimeHandle& handle = runtimes().get(h, "h");
    leap::plugin::RuntimeSolver s;
    if (advance)
      s.advance = [advance, ctx](int64_t frames, float* block) {
        const int rc = advance(ctx, int(frames), block);
        if (rc != 0) throw leap::Error("the advance function returned " + std::to_string(rc));
      };
    if (admissible)
      s.admissible = [admissible, ctx](const float* block, std::string*) {
        int ok = 1;
        const int rc = admissible(ctx, block, &ok);
        if (rc != 0) throw leap::Error("the admissible function returned " + std::to_string(rc));
        return ok != 0;
      };
    handle.runtime->set_solver(std::move(s));
    handle.advances = advance != nullptr;
  });
}

int leap_runtime_due(leap_runtime h, int frames_left, int* due, int* frames) {
  return api("leap_runtime_due", [&] {
    const Runtime& r = runtime(h);
    if (!due) throw leap::InputError("argument 'due': expected a pointer to an int, found NULL");
    *due = r.due(frames_left) ? 1 : 0;
    if (frames) *frames = int(r.policy().leap_frames());
  });
}

int leap_runtime_attempt(leap_runtime h, const double* theta, int ntheta, float* block, int* frames,
                         int* verdict) {
  return api("leap_runtime_attempt", [&] {
    RuntimeHandle& handle = runtimes().get(h, "h");
    Runtime& r = *handle.runtime;
    const leap::plugin::LeapRecord& rec = r.attempt(theta_of(r, theta, ntheta, ""), block);
    handle.record = rec;
    handle.leapt = true;
    handle.last.accepted = rec.accepted();
    handle.last.finite = rec.verdict != leap::plugin::LeapVerdict::not_finite;
    handle.last.suppressed = rec.verdict == leap::plugin::LeapVerdict::spread;
    if (frames) *frames = rec.advanced() ? int(rec.frames) : 0;
    if (verdict) *verdict = int(rec.verdict);
  });
}

int leap_runtime_last_attempt(leap_runtime h, int* checked, double* vrmse, int* next_frames) {
  return api("leap_runtime_last_attempt", [&] {
    const RuntimeHandle& handle = runtimes().get(h, "h");
    if (checked) *checked = handle.leapt && handle.record.checked ? 1 : 0;
    if (vrmse) *vrmse = handle.leapt ? handle.record.check_vrmse : 0;
    if (next_frames) *next_frames = handle.leapt ? int(handle.record.next_frames) : 0;
  });
}

int leap_runtime_policy_summary(leap_runtime h, char* buf, int size, int* length) {
  return api("leap_runtime_policy_summary", [&] {
    const std::string json = runtime(h).policy().summary().dump();
    if (buf && size > 0) {
      const size_t n = std::min(json.size(), size_t(size - 1));
      json.copy(buf, n);
      buf[n] = '\0';
    }
    if (length) *length = int(json.size());
  });
}

int leap_runtime_record(leap_runtime h, int on) {
  return api("leap_runtime_record", [&] { runtime(h).record(on != 0); });
}

int leap_runtime_destroy(leap_runtime h) {
  return api("leap_runtime_destroy", [&] {
    if (h == 0) return;
    std::unique_ptr<RuntimeHandle> handle = runtimes().remove(h, "h");
    handle->runtime->finish();
  });
}

}  // extern "C"
