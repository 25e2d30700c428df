// libFuzzer harness: the C API's argument and call-order checks (leap.h). The input is a program:
// each step's first byte chooses a call, the next bytes its arguments, drawn to be hostile: NULL
// pointers, negative, zero and huge sizes and counts, handles that were destroyed, were never made
// or belong to the other kind, bad strings and configs, MPI_COMM_NULL and bogus Fortran
// communicators, calls out of order. Every call must return (LEAP_OK or an error code with a
// message), never crash, hang, leak or corrupt memory. Buffers passed are always as large as the
// arguments say (the API cannot check a buffer's length); the runtime uses the oracle emulator over
// a small dataset written once, or kind none. Everything a program made is destroyed at its end.
#include <mpi.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include "fuzz_common.h"
#include "leap/leap.h"
#include "oracle_dataset.h"

namespace {

namespace fs = std::filesystem;

constexpr int64_t kBuffer = 1 << 16;  // floats in each block / full-field buffer

struct Setup {
  fs::path dir;
  std::vector<std::string> configs;  // prepared configs, some of them bad
};

Setup& setup() {
  static Setup s;
  return s;
}

void write_text(const fs::path& p, const std::string& text) {
  std::ofstream(p) << text;
}

void finalize_mpi() {
  std::error_code ec;
  fs::remove_all(setup().dir, ec);
  int done = 0;
  MPI_Finalized(&done);
  if (!done) MPI_Finalize();
}

// What this program made and what the harness knows of it (to size the buffers it passes).
struct RuntimeState {
  int handle = 0;
  bool live = false;
  int64_t channels = 0, cells = 0;
};
struct ExchangeState {
  int handle = 0;
  bool live = false;
  int64_t block = 0, full = 0;  // floats a block and the full field hold
};

int advance_ok(void*, int, float*) { return 0; }
int advance_fails(void*, int, float*) { return 3; }
int admissible_yes(void*, const float*, int* ok) {
  if (ok) *ok = 1;
  return 0;
}
int admissible_no(void*, const float*, int* ok) {
  if (ok) *ok = 0;
  return 0;
}

class Program {
 public:
  explicit Program(leap::fuzz::Bytes& in) : in_(in), block_(kBuffer, 1.0f), full_(kBuffer, 1.0f) {}
  ~Program() {
    for (auto& r : runtimes_)
      if (r.live) leap_runtime_destroy(r.handle);
    for (auto& e : exchanges_)
      if (e.live) leap_exchange_destroy(e.handle);
  }

  // One call; returns which (0..27).
  int step() {
    const int op = in_.u8() % 28;
    switch (op) {
      case 0: runtime_create(false); break;
      case 1: runtime_create(true); break;
      case 2: {
        RuntimeState* r = nullptr;
        const int h = runtime_handle(&r);
        static const char* names[] = {"a", "v", "", "a", "v_x", "x\xff"};
        const int pick = in_.u8() % 7;
        const int comps = in_.u8() % 4 == 0 ? in_.hostile_int() : 1 + in_.u8() % 2;
        if (leap_runtime_add_field(h, pick == 6 ? nullptr : names[pick], comps) == LEAP_OK && r)
          r->channels += comps;
        break;
      }
      case 3: {
        RuntimeState* r = nullptr;
        const int h = runtime_handle(&r);
        int a[6];
        box(a);
        if (leap_runtime_set_box(h, a[0], a[1], a[2], a[3], a[4], a[5]) == LEAP_OK && r)
          r->cells = int64_t(a[4]) * int64_t(a[5]);
        break;
      }
      case 4: {
        const int h = runtime_handle();
        leap_runtime_set_layout(h, layout());
        break;
      }
      case 5: leap_runtime_setup(runtime_handle()); break;
      case 6: {
        int frames = 0;
        const int h = runtime_handle();
        leap_runtime_context_frames(h, in_.u8() % 4 ? &frames : nullptr);
        break;
      }
      case 7: {
        int ready = 0;
        const int h = runtime_handle();
        leap_runtime_context_ready(h, in_.u8() % 4 ? &ready : nullptr);
        break;
      }
      case 8: {
        RuntimeState* r = nullptr;
        const int h = runtime_handle(&r);
        static const double times[] = {0.0, 0.25, 1e300, -1.0, std::numeric_limits<double>::quiet_NaN(),
                                       std::numeric_limits<double>::infinity()};
        time_ += 0.25;
        const uint8_t t = in_.u8();
        float* block = runtime_block(r);
        leap_runtime_observe(h, block, t % 8 < 6 ? times[t % 8] + time_ : time_);
        break;
      }
      case 9: {
        RuntimeState* r = nullptr;
        const int h = runtime_handle(&r);
        int accepted = 0;
        double spread = 0;
        const int frames = in_.u8() % 2 ? 1 + in_.u8() % 3 : in_.hostile_int();
        const int nt = theta_count();
        const double* th = theta(nt);
        float* block = runtime_block(r);
        const uint8_t p = in_.u8();
        leap_runtime_leap(h, frames, th, nt, block, p % 8 ? &accepted : nullptr, p & 8 ? &spread : nullptr);
        break;
      }
      case 10: {
        int finite = 0, suppressed = 0;
        const int h = runtime_handle();
        const uint8_t p = in_.u8();
        leap_runtime_last_leap(h, p & 1 ? &finite : nullptr, p & 2 ? &suppressed : nullptr);
        break;
      }
      case 11: {
        const int h = runtime_handle();
        const uint8_t p = in_.u8();
        leap_advance_fn adv = p % 3 == 0 ? nullptr : p % 3 == 1 ? advance_ok : advance_fails;
        leap_admissible_fn adm = (p / 3) % 3 == 0 ? nullptr : (p / 3) % 3 == 1 ? admissible_yes : admissible_no;
        leap_runtime_set_solver(h, adv, adm, nullptr);
        break;
      }
      case 12: {
        int due = 0, frames = 0;
        const int h = runtime_handle();
        const uint8_t p = in_.u8();
        const int left = p % 2 ? int(in_.u8() % 20) : in_.hostile_int();
        leap_runtime_due(h, left, p & 2 ? &due : nullptr, p & 4 ? &frames : nullptr);
        break;
      }
      case 13: {
        RuntimeState* r = nullptr;
        const int h = runtime_handle(&r);
        int frames = 0, verdict = 0;
        const int nt = theta_count();
        const double* th = theta(nt);
        float* block = runtime_block(r);
        const uint8_t p = in_.u8();
        leap_runtime_attempt(h, th, nt, block, p & 1 ? &frames : nullptr, p & 2 ? &verdict : nullptr);
        break;
      }
      case 14: {
        int checked = 0, next = 0;
        double vrmse = 0;
        const int h = runtime_handle();
        const uint8_t p = in_.u8();
        leap_runtime_last_attempt(h, p & 1 ? &checked : nullptr, p & 2 ? &vrmse : nullptr,
                                  p & 4 ? &next : nullptr);
        break;
      }
      case 15: {
        int length = 0;
        const int h = runtime_handle();
        const uint8_t p = in_.u8();
        const int size = p & 1 ? int(in_.u8()) : in_.hostile_int();
        // A buffer is passed only as long as `size` says (NULL otherwise).
        char* buf = (p & 2) && size <= int(text_.size()) ? text_.data() : nullptr;
        leap_runtime_policy_summary(h, buf, size, p & 4 ? &length : nullptr);
        break;
      }
      case 16: {
        const int h = runtime_handle();
        leap_runtime_record(h, in_.hostile_int());
        break;
      }
      case 17: {
        RuntimeState* r = nullptr;
        const int h = runtime_handle(&r);
        leap_runtime_destroy(h);
        if (r) r->live = false;  // the handle is gone even when destroy fails
        break;
      }
      case 18:
      case 19:
      case 20: exchange_create(); break;
      case 21: {
        const int h = exchange_handle();
        leap_exchange_set_layout(h, layout());
        break;
      }
      case 22: {
        int flag = 0;
        const int h = exchange_handle();
        leap_exchange_is_emulator(h, in_.u8() % 4 ? &flag : nullptr);
        break;
      }
      case 23:
      case 24: {
        ExchangeState* e = nullptr;
        const int h = exchange_handle(&e);
        const uint8_t p = in_.u8();
        float* block = (p & 1) && e && e->block <= kBuffer ? block_.data() : nullptr;
        float* full = (p & 2) && e && e->full <= kBuffer ? full_.data() : nullptr;
        if (p & 4)
          leap_exchange_gather(h, block, full);
        else
          leap_exchange_scatter(h, full, block);
        break;
      }
      case 25: {
        ExchangeState* e = nullptr;
        const int h = exchange_handle(&e);
        leap_exchange_destroy(h);
        if (e) e->live = false;
        break;
      }
      case 26: {
        const uint8_t p = in_.u8();
        const int size = p & 1 ? int(in_.u8()) : in_.hostile_int();
        leap_last_error_copy((p & 2) && size <= int(text_.size()) ? text_.data() : nullptr, size);
        break;
      }
      default:
        if (in_.u8() % 2) {  // observations for the next leap: sizes, NULLs, cells and noise hostile
          const int h = runtime_handle();
          const uint8_t p = in_.u8();
          const int n = p & 1 ? int(in_.u8() % 5) : in_.hostile_int();
          for (int k = 0; k < 4; ++k) cells_[size_t(k)] = in_.hostile_int();
          const int* c = (p & 2) && n <= 4 ? cells_.data() : nullptr;
          const double noise = p & 4 ? 0.1 : p & 8 ? -1.0 : std::nan("");
          leap_runtime_observe_points(h, n, c, c, c, (p & 16) ? c : nullptr,
                                      (p & 32) && n <= 4 ? theta_f_.data() : nullptr, noise);
          break;
        }
        (void)leap_version();
        (void)leap_cuda_available();
        if (!leap_last_error()) leap::fuzz::fail("leap_last_error returned NULL");
        break;
    }
    return op;
  }

 private:
  MPI_Comm comm() {
    switch (in_.u8() % 4) {
      case 0: return MPI_COMM_SELF;
      case 1: return MPI_COMM_NULL;
      default: return MPI_COMM_WORLD;
    }
  }
  MPI_Fint fcomm() {
    switch (in_.u8() % 4) {
      case 0: return MPI_Comm_c2f(MPI_COMM_WORLD);
      case 1: return MPI_Comm_c2f(MPI_COMM_SELF);
      case 2: return MPI_Comm_c2f(MPI_COMM_NULL);
      default: return in_.hostile_int();
    }
  }

  void runtime_create(bool fortran) {
    const auto& configs = setup().configs;
    const size_t c = in_.u8() % (configs.size() + 1);
    const char* config = c == configs.size() ? nullptr : configs[c].c_str();
    leap_runtime h = 0;
    leap_runtime* out = in_.u8() % 8 ? &h : nullptr;
    int rc;
    if (fortran) {
      const MPI_Fint f = fcomm();
      rc = leap_runtime_create_f(f, config, out);
    } else {
      const MPI_Comm cm = comm();
      rc = leap_runtime_create(cm, config, out);
    }
    if (rc == LEAP_OK) {
      if (h <= 0) leap::fuzz::fail("leap_runtime_create gave a handle <= 0");
      runtimes_.push_back({h, true, 0, 0});
    }
  }

  void exchange_create() {
    int a[6];
    box(a);
    const int channels = in_.u8() % 2 ? 1 + in_.u8() % 3 : in_.hostile_int();
    const uint8_t how = in_.u8();
    leap_exchange h = 0;
    leap_exchange* out = how & 8 ? nullptr : &h;
    const int emulators = how & 16 ? in_.hostile_int() : (how >> 5) & 1;
    const MPI_Comm cm = how % 2 == 0 ? comm() : MPI_COMM_NULL;
    const MPI_Fint f = how % 2 == 1 ? fcomm() : 0;
    // A valid grid whose full field (nx * ny * channels floats) LEAP must hold is allocated, as in a
    // real run of that size: past 2^26 floats it would pass the fuzzer's memory limit, so such a grid
    // is not asked for. Larger products than an MPI count (2^31 - 1) are asked for: they are refused.
    const double field = double(a[0]) * a[1] * channels;  // three ints: may overflow int64
    if (a[0] > 0 && a[1] > 0 && channels > 0 && field > double(1 << 26) && field <= 2147483647.0) return;
    int rc;
    if (how % 4 == 0)
      rc = leap_exchange_create(cm, a[0], a[1], a[2], a[3], a[4], a[5], channels, out);
    else if (how % 4 == 1)
      rc = leap_exchange_create_f(f, a[0], a[1], a[2], a[3], a[4], a[5], channels, out);
    else if (how % 4 == 2)
      rc = leap_exchange_create_placed(cm, a[0], a[1], a[2], a[3], a[4], a[5], channels, emulators, out);
    else
      rc = leap_exchange_create_placed_f(f, a[0], a[1], a[2], a[3], a[4], a[5], channels, emulators, out);
    if (rc == LEAP_OK) {
      if (h <= 0) leap::fuzz::fail("leap_exchange_create gave a handle <= 0");
      exchanges_.push_back({h, true, int64_t(channels) * a[4] * a[5], int64_t(channels) * a[0] * a[1]});
    }
  }

  // nx, ny, x0, y0, xm, ym: the whole 12 x 10 grid (the oracle's), a sane small box, or hostile.
  void box(int* a) {
    const uint8_t k = in_.u8() % 4;
    const int sane[6] = {leap::test::kOracleNx, leap::test::kOracleNy, 0, 0, leap::test::kOracleNx,
                         leap::test::kOracleNy};
    for (int i = 0; i < 6; ++i) a[i] = sane[i];
    if (k == 1)
      for (int i = 0; i < 6; ++i) a[i] = int(in_.u8() % 16);
    else if (k == 2) {
      const int i = in_.u8() % 6;
      a[i] = in_.hostile_int();
    }
    else if (k == 3)
      for (int i = 0; i < 6; ++i) a[i] = in_.hostile_int();
  }

  // A handle this program made (live or destroyed) or a bogus one.
  int runtime_handle(RuntimeState** state = nullptr) {
    const uint8_t k = in_.u8();
    if (!runtimes_.empty() && k % 8 < 6) {
      RuntimeState& r = runtimes_[k % runtimes_.size()];
      if (state && r.live) *state = &r;
      return r.handle;
    }
    return bogus(k);
  }
  int exchange_handle(ExchangeState** state = nullptr) {
    const uint8_t k = in_.u8();
    if (!exchanges_.empty() && k % 8 < 6) {
      ExchangeState& e = exchanges_[k % exchanges_.size()];
      if (state && e.live) *state = &e;
      return e.handle;
    }
    return bogus(k);
  }
  int bogus(uint8_t k) {
    switch (k % 4) {
      case 0: return 0;
      case 1: return -1;
      case 2: return std::numeric_limits<int>::max();
      default: return 1000000 + in_.u8();
    }
  }

  float* runtime_block(const RuntimeState* r) {
    const bool pass = in_.u8() % 8 != 0;
    if (!pass || !r) return nullptr;
    return r->channels * r->cells <= kBuffer && r->channels >= 0 && r->cells >= 0 ? block_.data() : nullptr;
  }
  int layout() { return in_.u8() % 2 ? int(in_.u8() % 5) : in_.hostile_int(); }
  int theta_count() { return in_.u8() % 2 ? int(in_.u8() % 5) : in_.hostile_int(); }
  const double* theta(int n) {
    if (in_.u8() % 4 == 0 || n > int(theta_.size())) return nullptr;
    return theta_.data();
  }

  leap::fuzz::Bytes& in_;
  std::vector<float> block_, full_;
  std::vector<double> theta_ = std::vector<double>(16, 0.5);
  std::vector<int> cells_ = std::vector<int>(4, 0);
  std::vector<float> theta_f_ = std::vector<float>(4, 0.5f);
  std::string text_ = std::string(256, '\0');
  std::vector<RuntimeState> runtimes_;
  std::vector<ExchangeState> exchanges_;
  double time_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  int provided = 0;
  MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided);
  Setup& s = setup();
  s.dir = fs::temp_directory_path() / ("leap_fuzz_c_api_" + std::to_string(::getpid()));
  fs::create_directories(s.dir);
  const std::string dataset = (s.dir / "oracle.hdf5").string();
  leap::test::write_oracle_dataset(MPI_COMM_SELF, dataset, "fuzz", 0, 0, leap::test::kOracleNx,
                                   leap::test::kOracleNy);
  const std::string oracle = "emulator:\n  kind: oracle\n  dataset: " + dataset + "\n";
  const std::vector<std::pair<std::string, std::string>> texts = {
      {"none.yaml", "emulator: {kind: none}\n"},
      {"oracle1.yaml", oracle + "  context: 1\n"},
      {"oracle2.yaml", oracle + "  context: 2\nleap:\n  members: 2\n  max_spread: 0.5\n"},
      {"checked.yaml", oracle + "  context: 1\nleap:\n  leap_frames: 2\n  check_every: 1\n"},
      {"faults.yaml", oracle + "  context: 1\n  faults: ['1:nan']\n"},
      {"unknown_key.yaml", "emulator: {kind: none}\nno_such_key: 1\n"},
      {"not_yaml.yaml", "emulator: [\n"},
      {"missing_dataset.yaml", "emulator:\n  kind: oracle\n  dataset: " + (s.dir / "absent.hdf5").string() + "\n"},
  };
  for (const auto& [name, text] : texts) {
    write_text(s.dir / name, text);
    s.configs.push_back((s.dir / name).string());
  }
  s.configs.push_back((s.dir / "absent.yaml").string());
  s.configs.push_back(s.dir.string());  // a directory
  s.configs.push_back("");
  std::atexit(finalize_mpi);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  leap::fuzz::Bytes in(data, size);
  Program program(in);
  static const bool trace = std::getenv("LEAP_FUZZ_TRACE") != nullptr;  // each call's outcome, to stderr
  for (int i = 0; i < 48 && !in.empty(); ++i) {
    const int op = program.step();
    if (trace) std::fprintf(stderr, "step %d: op %d: %s\n", i, op, leap_last_error());
  }
  return 0;
}
