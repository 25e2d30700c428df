// The runtime half of the C API: leap_runtime handles over leap::plugin::Runtime.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "c_api_errors.h"
#include "collective_error.h"
#include "handle_table.h"
#include "leap/leap.h"
#include "leap/plugin/runtime.h"

namespace {

using leap::plugin::Runtime;

// A runtime and what the C API remembers about it.
struct RuntimeHandle {
  std::unique_ptr<Runtime> runtime;
  leap::plugin::LeapOutcome last;
  bool leapt = false;
};

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
    *out = runtimes().add(std::move(handle));
  });
}

}  // namespace

extern "C" {

int leap_runtime_create(MPI_Comm comm, const char* config, leap_runtime* out) {
  return create("leap_runtime_create", comm, config, out);
}

int leap_runtime_create_f(MPI_Fint fcomm, const char* config, leap_runtime* out) {
  return create("leap_runtime_create_f", MPI_Comm_f2c(fcomm), config, out);
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
  return api("leap_runtime_setup", [&] { runtime(h).setup(); });
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
    std::string problem;
    if (ntheta < 0)
      problem = "argument 'ntheta': expected a count >= 0, found " + std::to_string(ntheta);
    else if (ntheta > 0 && !theta)
      problem = "argument 'theta': expected " + std::to_string(ntheta) + " values, found NULL";
    else if (!accepted)
      problem = "argument 'accepted': expected a pointer to an int, found NULL";
    leap::plugin::agree_on_input_error(r.communicator(), problem);
    const std::vector<double> th(theta, theta + (ntheta > 0 ? ntheta : 0));
    const leap::plugin::LeapOutcome o = r.leap(th, frames, block);
    handle.last = o;
    handle.leapt = true;
    *accepted = o.accepted ? 1 : 0;
    if (spread) *spread = o.spread;
  });
}

int leap_runtime_last_leap(leap_runtime h, int* finite, int* suppressed) {
  return api("leap_runtime_last_leap", [&] {
    const RuntimeHandle& handle = runtimes().get(h, "h");
    if (finite) *finite = handle.leapt && handle.last.finite ? 1 : 0;
    if (suppressed) *suppressed = handle.leapt && handle.last.suppressed ? 1 : 0;
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
