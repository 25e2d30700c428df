// The state-exchange half of the C API: leap_exchange handles over leap::plugin::StateExchange.
#include <string>
#include <utility>

#include "c_api_errors.h"
#include "handle_table.h"
#include "leap/leap.h"
#include "leap/plugin/collective_error.h"
#include "leap/plugin/state_exchange.h"

namespace {

using leap::plugin::StateExchange;

leap::capi::HandleTable<StateExchange>& exchanges() {
  static leap::capi::HandleTable<StateExchange> table("leap_exchange");
  return table;
}

// A C API call: errors caught, kept for leap_last_error() and named after the function.
template <class F>
int api(const char* fn, F&& f) {
  return leap::capi::named(fn, std::forward<F>(f));
}

int create(const char* fn, MPI_Comm comm, int nx, int ny, int x0, int y0, int xm, int ym, int channels,
           int emulators, leap_exchange* out) {
  return api(fn, [&] {
    if (comm == MPI_COMM_NULL)
      throw leap::InputError("argument 'comm': expected a communicator, found MPI_COMM_NULL");
    std::string problem;
    if (!out)
      problem = "argument 'out': expected a pointer to a leap_exchange, found NULL";
    else if (emulators != LEAP_EMULATORS_ROOT && emulators != LEAP_EMULATORS_PER_NODE)
      problem =
          "argument 'emulators': expected LEAP_EMULATORS_ROOT (0) or LEAP_EMULATORS_PER_NODE (1), found " +
          std::to_string(emulators);
    leap::plugin::agree_on_input_error(comm, problem);
    leap::plugin::ExchangeOptions options;
    if (emulators == LEAP_EMULATORS_PER_NODE) options.emulators = leap::plugin::EmulatorRanks::one_per_node();
    leap::data::Block block;
    block.start = {x0, y0};
    block.count = {xm, ym};
    *out = exchanges().add(std::make_unique<StateExchange>(comm, std::vector<int64_t>{nx, ny}, block,
                                                           channels, std::move(options)));
  });
}

}  // namespace

extern "C" {

int leap_exchange_create(MPI_Comm comm, int nx, int ny, int x0, int y0, int xm, int ym, int channels,
                         leap_exchange* out) {
  return create("leap_exchange_create", comm, nx, ny, x0, y0, xm, ym, channels, LEAP_EMULATORS_ROOT, out);
}

int leap_exchange_create_f(MPI_Fint fcomm, int nx, int ny, int x0, int y0, int xm, int ym, int channels,
                           leap_exchange* out) {
  MPI_Comm comm = MPI_COMM_NULL;
  if (const int rc = api("leap_exchange_create_f", [&] { comm = leap::capi::comm_from_fortran(fcomm); }))
    return rc;
  return create("leap_exchange_create_f", comm, nx, ny, x0, y0, xm, ym, channels, LEAP_EMULATORS_ROOT, out);
}

int leap_exchange_create_placed(MPI_Comm comm, int nx, int ny, int x0, int y0, int xm, int ym, int channels,
                                int emulators, leap_exchange* out) {
  return create("leap_exchange_create_placed", comm, nx, ny, x0, y0, xm, ym, channels, emulators, out);
}

int leap_exchange_create_placed_f(MPI_Fint fcomm, int nx, int ny, int x0, int y0, int xm, int ym,
                                  int channels, int emulators, leap_exchange* out) {
  MPI_Comm comm = MPI_COMM_NULL;
  if (const int rc =
          api("leap_exchange_create_placed_f", [&] { comm = leap::capi::comm_from_fortran(fcomm); }))
    return rc;
  return create("leap_exchange_create_placed_f", comm, nx, ny, x0, y0, xm, ym, channels, emulators, out);
}

int leap_exchange_set_layout(leap_exchange h, int layout) {
  return api("leap_exchange_set_layout", [&] {
    StateExchange& x = exchanges().get(h, "h");
    if (layout < LEAP_LAYOUT_CXY || layout > LEAP_LAYOUT_CYX)
      throw leap::InputError(
          "argument 'layout': expected LEAP_LAYOUT_CXY, _XYC, _YXC or _CYX (0..3), found " +
          std::to_string(layout));
    x.set_layout(leap::plugin::BlockLayout(layout));
  });
}

int leap_exchange_is_emulator(leap_exchange h, int* flag) {
  return api("leap_exchange_is_emulator", [&] {
    StateExchange& x = exchanges().get(h, "h");
    if (!flag) throw leap::InputError("argument 'flag': expected a pointer to an int, found NULL");
    *flag = x.is_emulator() ? 1 : 0;
  });
}

int leap_exchange_gather(leap_exchange h, const float* block, float* full) {
  return api("leap_exchange_gather", [&] { exchanges().get(h, "h").gather(block, full); });
}

int leap_exchange_scatter(leap_exchange h, const float* full, float* block) {
  return api("leap_exchange_scatter", [&] { exchanges().get(h, "h").scatter(full, block); });
}

int leap_exchange_destroy(leap_exchange h) {
  return api("leap_exchange_destroy", [&] {
    if (h != 0) exchanges().remove(h, "h");
  });
}

}  // extern "C"
