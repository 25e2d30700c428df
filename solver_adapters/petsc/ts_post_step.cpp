// LeapTSAttach: LEAP in an existing PETSc program by one line (see leap/petsc/leap_petsc.h and
// docs/ts_post_step.md). A TS monitor observes every state; a post-step, chained after the
// program's own, leaps: it writes the emulated state into the solution vector and moves the TS's
// time and step number forward, and the TS restarts its integrator from there.
//
// Where this sits in PETSc 3.18's TSSolve loop (src/ts/interface/ts.c):
//
//   while (!ts->reason) {
//     TSMonitor(ts, steps, ptime, U)     <- LeapMonitor: observe (skipped when already observed)
//     TSPreStep(ts)
//     TSStep(ts)                         steps++; reason set when steps >= max_steps or
//                                        ptime >= max_time
//     TSPostEvaluate; TSEventHandler; TSTrajectorySet
//     TSPostStep(ts)                     <- LeapPostStep: program's post-step, observe, maybe leap
//   }                                       (TSPostStep restarts the step when U changed)
//   TSMonitor(ts, steps, ptime, U)       <- LeapMonitor: observe if not yet; end of solve
//
// The post-step observes the state the step produced (the leap's context must end there), so the
// monitor at the top of the next iteration sees an already observed (step, time) and skips it; after
// an accepted leap it sees the emulated state (a new step and time) and observes it: every state
// the TS reaches is observed exactly once. TSStep decides termination before the post-step runs, so
// a leap must leave a step to take: it never reaches max_steps and never lands within half a frame
// of max_time; the final step is the solver's, and TSSolve ends on the same step as without LEAP.
#include <petsc/private/tsimpl.h>
#include <petscdmda.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "adapter_support.h"
#include "coarse_ts.h"
#include "leap/error.h"
#include "leap/petsc/dmda_layout.h"
#include "leap/petsc/leap_petsc.h"
#include "leap/plugin/runtime.h"
#include "leap/util/fault_injection.h"
#include "leap_log_events.h"
#include "policy_options.h"
#include "ts_state_solver.h"

namespace {

using leap::petsc::AgreeOnProblem;
using leap::petsc::JsonString;

constexpr const char* kComposeName = "LeapTSContext";
constexpr size_t kMaxRejectionsListed = 1000;

enum Mode : PetscInt { kOff = 0, kRecord = 1, kHybrid = 2 };
const char* const kModeNames[] = {"off", "record", "hybrid"};

struct Events {
  leap::petsc::LeapPhaseEvents phases;
};

// LEAP's log events, shared with every LEAP route (leap_log_events.h). This route times gather,
// emulate and scatter around its own calls; the emulator's encode, sample and decode nest in them.
PetscErrorCode GetEvents(Events* out) {
  PetscFunctionBeginUser;
  PetscCall(leap::petsc::LeapGetPhaseEvents(&out->phases));
  PetscFunctionReturn(0);
}

// Everything LeapTSAttach installs on a TS; owned by the PetscContainer composed on it.
struct Context {
  // ---- the attachment
  bool attached = false;
  Mode mode = kOff;
  Events events;
  DM da = nullptr;  // referenced while attached
  std::string config;
  std::vector<double> theta;
  std::string summary_path;
  std::unique_ptr<leap::plugin::Runtime> runtime;
  // Solver guidance (-leap_guidance coarse|coarse_only): the program's integrator on its DMDA coarsened
  // -leap_coarse_factor times (coarse_ts.h); its integrator is made at the first leap, from the TS as the
  // program has set it up by then.
  std::unique_ptr<leap::petsc::CoarseTS> coarse;
  bool recording = false;
  PetscErrorCode (*previous_poststep)(TS) = nullptr;  // the program's post-step, chained
  PetscInt dim = 2, nx = 0, ny = 0, nz = 1, dof = 0, xs = 0, ys = 0, zs = 0, xm = 0, ym = 0, zm = 1;
  std::vector<std::string> fields;
  PetscObjectId checked_vec = 0;  // the solution vector whose layout was last checked
  std::vector<float> block;       // this rank's box, [(z)][y][x][dof] (the DMDA's own order)

  // ---- the frames
  bool have_last = false;  // a state was observed since attachment or the last accepted leap
  PetscInt last_step = -1;
  PetscReal last_time = 0;
  PetscReal frame_dt = 0;  // the spacing of the observed frames
  PetscInt run = 0;        // consecutive frames, frame_dt apart, ending at the last observed one
  PetscReal time = 0;      // the TS's time at the last callback (for the summary)
  PetscInt step = 0;

  // ---- what happened
  LeapTSStats stats{};
  std::vector<std::string> rejections;  // "step N: why"
  bool warned_unsupported = false;
};

bool SameSpacing(PetscReal a, PetscReal b, PetscReal t) {
  return std::abs(a - b) <= std::max<PetscReal>(1e-6 * std::abs(b), 64 * PETSC_MACHINE_EPSILON * std::abs(t));
}

// The runtime's counters and times into c->stats.
void RefreshStats(Context* c) {
  if (!c->runtime) return;
  const leap::plugin::HybridStats s = c->runtime->stats();
  c->stats.gather_seconds = PetscReal(s.gather_seconds);
  c->stats.emulate_seconds = PetscReal(s.emulate_seconds);
  c->stats.scatter_seconds = PetscReal(s.scatter_seconds);
  c->stats.trajectories_recorded = PetscInt(c->runtime->trajectories_recorded());
  c->stats.frame_dt = c->frame_dt;
}

std::string SummaryJson(const Context* c, int ranks) {
  const LeapTSStats& s = c->stats;
  std::ostringstream j;
  j.precision(17);
  j << "{\n";
  j << "  \"route\": \"LeapTSAttach\",\n";
  j << "  \"mode\": " << JsonString(kModeNames[c->mode]) << ",\n";
  j << "  \"config\": " << JsonString(c->config) << ",\n";
  j << "  \"ranks\": " << ranks << ",\n";
  j << "  \"grid\": [" << c->nx << ", " << c->ny << (c->dim == 3 ? ", " + std::to_string(c->nz) : "")
    << "],\n";
  j << "  \"fields\": [";
  for (size_t i = 0; i < c->fields.size(); ++i) j << (i ? ", " : "") << JsonString(c->fields[i]);
  j << "],\n";
  if (c->runtime) {
    const auto& p = c->runtime->policy();
    j << "  \"leap_frames\": " << p.options().leap_frames << ",\n";
    j << "  \"solver_frames\": " << p.options().solver_frames << ",\n";
    j << "  \"policy\": " << p.summary().dump() << ",\n";
  }
  j << "  \"context\": " << (c->runtime ? c->runtime->context_frames() : 0) << ",\n";
  j << "  \"frame_dt\": " << double(c->frame_dt) << ",\n";
  j << "  \"time\": " << double(c->time) << ",\n";
  j << "  \"step\": " << c->step << ",\n";
  j << "  \"observations\": " << s.observations << ",\n";
  j << "  \"steps_solver\": " << s.steps_solver << ",\n";
  j << "  \"steps_emulated\": " << s.steps_emulated << ",\n";
  j << "  \"leaps\": " << s.leaps << ",\n";
  j << "  \"leaps_accepted\": " << s.leaps_accepted << ",\n";
  j << "  \"leaps_rejected\": " << s.leaps_rejected << ",\n";
  j << "  \"emulator_failures\": " << s.emulator_failures << ",\n";
  j << "  \"context_restarts\": " << s.context_restarts << ",\n";
  j << "  \"trajectories_recorded\": " << s.trajectories_recorded << ",\n";
  j << "  \"rejections\": [";
  for (size_t i = 0; i < c->rejections.size(); ++i) j << (i ? ", " : "") << JsonString(c->rejections[i]);
  j << "],\n";
  const leap::plugin::HybridStats h = c->runtime ? c->runtime->stats() : leap::plugin::HybridStats{};
  j << "  \"seconds\": {\"gather\": " << s.gather_seconds << ", \"emulate\": " << s.emulate_seconds
    << ", \"scatter\": " << s.scatter_seconds << ", \"coarse\": " << h.coarse_seconds << "},\n";
  j << "  \"coarse_frames\": " << h.coarse_frames << "\n";
  j << "}\n";
  return j.str();
}

// Collective over `comm`: rank 0 writes -leap_summary (nothing without one); PetscInfo the counters.
PetscErrorCode Report(Context* c, MPI_Comm comm, PetscObject obj) {
  PetscMPIInt rank, size;
  std::string problem;
  PetscFunctionBeginUser;
  RefreshStats(c);
  const LeapTSStats& s = c->stats;
  PetscCall(PetscInfo(
      obj,
      "LEAP: %s: %" PetscInt_FMT " states observed, %" PetscInt_FMT " solver steps, %" PetscInt_FMT
      " emulated; leaps %" PetscInt_FMT " accepted, %" PetscInt_FMT " refused; %" PetscInt_FMT
      " context restarts; %" PetscInt_FMT " trajectories recorded; seconds gather %g emulate %g scatter %g\n",
      kModeNames[c->mode], s.observations, s.steps_solver, s.steps_emulated, s.leaps_accepted,
      s.leaps_rejected, s.context_restarts, s.trajectories_recorded, double(s.gather_seconds),
      double(s.emulate_seconds), double(s.scatter_seconds)));
  if (c->summary_path.empty()) PetscFunctionReturn(0);
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCallMPI(MPI_Comm_size(comm, &size));
  if (rank == 0) {
    std::ofstream f(c->summary_path, std::ios::trunc);
    f << SummaryJson(c, int(size));
    f.close();
    if (!f) problem = "-leap_summary " + c->summary_path + ": cannot write the file";
  }
  PetscCall(AgreeOnProblem(comm, &problem));
  PetscCheck(problem.empty(), comm, PETSC_ERR_FILE_WRITE, "LEAP: %s", problem.c_str());
  PetscFunctionReturn(0);
}

// Finishes the runtime (the recording's stats.yaml), writes the summary and releases the runtime
// and the DM. Collective. Does not touch the TS (also called while it is being destroyed).
PetscErrorCode Finish(Context* c, PetscObject obj) {
  PetscFunctionBeginUser;
  if (!c->attached) PetscFunctionReturn(0);
  c->attached = false;
  if (c->runtime) {
    const MPI_Comm comm = c->runtime->communicator();
    std::string failure;
    MPI_Comm error_comm = comm;  // where the failure is reported: this rank alone unless agreed
    try {
      c->runtime->finish();
    } catch (const std::exception& e) {
      failure = e.what();
      error_comm = leap::petsc::ErrorComm(comm, e);
    }
    RefreshStats(c);
    const PetscErrorCode report = Report(c, comm, obj);
    c->runtime.reset();
    PetscCall(DMDestroy(&c->da));
    if (c->coarse) PetscCall(c->coarse->Destroy());
    c->coarse.reset();
    PetscCall(report);
    PetscCheck(failure.empty(), error_comm, PETSC_ERR_LIB, "LEAP: finishing the recording: %s",
               failure.c_str());
  }
  PetscCall(DMDestroy(&c->da));
  if (c->coarse) PetscCall(c->coarse->Destroy());
  c->coarse.reset();
  PetscFunctionReturn(0);
}

// The container's destroy callback (TSDestroy): finishes and frees the context.
PetscErrorCode DestroyContext(void* p) {
  std::unique_ptr<Context> owned(static_cast<Context*>(p));
  PetscFunctionBeginUser;
  PetscCall(Finish(owned.get(), nullptr));
  PetscFunctionReturn(0);
}

PetscErrorCode GetContext(TS ts, Context** out) {
  PetscContainer container = nullptr;
  PetscFunctionBeginUser;
  *out = nullptr;
  PetscCall(PetscObjectQuery((PetscObject)ts, kComposeName, (PetscObject*)&container));
  if (container) PetscCall(PetscContainerGetPointer(container, (void**)out));
  PetscFunctionReturn(0);
}

// Observes the state `u` at (step, t) unless it was the last one observed. Collective.
PetscErrorCode Observe(Context* c, TS ts, PetscInt step, PetscReal t, Vec u) {
  MPI_Comm comm = PetscObjectComm((PetscObject)ts);
  PetscObjectId id;
  PetscFunctionBeginUser;
  if (step < 0) PetscFunctionReturn(0);  // TSMonitor's call for an interpolated final state
  if (c->have_last && step == c->last_step && t == c->last_time) PetscFunctionReturn(0);
  // Frames must be one step of one size apart; elsewhere the context restarts.
  bool consecutive = false;
  if (c->have_last && step == c->last_step + 1) {
    const PetscReal gap = t - c->last_time;
    if (gap > 0 && c->frame_dt <= 0) {
      c->frame_dt = gap;
      consecutive = true;
    } else if (gap > 0 && SameSpacing(gap, c->frame_dt, t)) {
      consecutive = true;
    } else if (gap > 0) {
      PetscCall(PetscInfo(ts,
                          "LEAP: step %" PetscInt_FMT " was of size %g, the frames so far were %g apart: the "
                          "emulator's context restarts with frames of %g\n",
                          step, double(gap), double(c->frame_dt), double(gap)));
      c->frame_dt = gap;
    }
  }
  if (!consecutive) {
    if (c->have_last) {
      ++c->stats.context_restarts;
      if (c->recording) {  // the recorded trajectory ends where the spacing breaks
        try {
          c->runtime->record(false);
          c->runtime->record(true);
        } catch (const std::exception& e) {
          SETERRQ(leap::petsc::ErrorComm(comm, e), PETSC_ERR_LIB, "LEAP: %s", e.what());
        }
      }
    }
    c->run = 0;
  }
  // The solution vector must be a global vector of the DMDA (checked once per vector).
  PetscCall(PetscObjectGetId((PetscObject)u, &id));
  if (id != c->checked_vec) {
    PetscInt n, N;
    PetscCall(VecGetLocalSize(u, &n));
    PetscCall(VecGetSize(u, &N));
    PetscBool ok = (n == c->dof * c->xm * c->ym * c->zm && N == c->dof * c->nx * c->ny * c->nz) ? PETSC_TRUE
                                                                                                : PETSC_FALSE;
    PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &ok, 1, MPIU_BOOL, MPI_LAND, comm));
    PetscCheck(ok, comm, PETSC_ERR_ARG_INCOMP,
               "LEAP: the TS's solution vector (%" PetscInt_FMT
               " entries) is not a global vector of the DMDA "
               "given to LeapTSAttach (%" PetscInt_FMT " x %" PetscInt_FMT " x %" PetscInt_FMT
               " cells, %" PetscInt_FMT " dofs)",
               N, c->nx, c->ny, c->nz, c->dof);
    c->checked_vec = id;
  }
  PetscCall(PetscLogEventBegin(c->events.phases.gather, ts, 0, 0, 0));
  PetscCall(leap::petsc::DMDABlockFromVec(u, &c->block));  // [(z)][y][x][dof]: the runtime's yxc, as it is
  std::string failure;
  MPI_Comm error_comm = comm;
  try {
    c->runtime->observe(c->block.data(), double(t));
  } catch (const std::exception& e) {
    failure = e.what();
    error_comm = leap::petsc::ErrorComm(comm, e);
  }
  PetscCall(PetscLogEventEnd(c->events.phases.gather, ts, 0, 0, 0));
  PetscCheck(failure.empty(), error_comm, PETSC_ERR_LIB, "LEAP: observing step %" PetscInt_FMT ": %s", step,
             failure.c_str());
  ++c->run;
  ++c->stats.observations;
  c->have_last = true;
  c->last_step = step;
  c->last_time = t;
  PetscFunctionReturn(0);
}

// Whether a leap may be attempted now (the same answer on every rank).
PetscErrorCode CanLeap(Context* c, TS ts, PetscBool* can) {
  PetscFunctionBeginUser;
  *can = PETSC_FALSE;
  if (ts->reason != TS_CONVERGED_ITERATING) PetscFunctionReturn(0);  // TSStep ended the solve
  if (ts->event || ts->tspan || ts->forward_solve) {
    if (!c->warned_unsupported)
      PetscCall(PetscInfo(ts, "LEAP: no leaps on a TS with events, time spans or forward sensitivities\n"));
    c->warned_unsupported = true;
    PetscFunctionReturn(0);
  }
  if (c->frame_dt <= 0 || !c->runtime->context_ready() || c->run < c->runtime->context_frames())
    PetscFunctionReturn(0);
  if (!SameSpacing(ts->time_step, c->frame_dt, 0)) PetscFunctionReturn(0);  // the next step changes size
  // A leap of L frames must leave the last step to the solver: steps + L < max_steps and
  // ptime + (L + 1/2) dt < max_time.
  const int64_t by_steps = int64_t(ts->max_steps) - int64_t(ts->steps) - 1;
  const double room = double((ts->max_time - ts->ptime) / c->frame_dt) - 0.5;
  const int64_t by_time = room > 1e15 ? int64_t(1e15) : int64_t(std::ceil(room)) - 1;
  *can = c->runtime->due(std::max<int64_t>(0, std::min(by_steps, by_time))) ? PETSC_TRUE : PETSC_FALSE;
  PetscFunctionReturn(0);
}

// Check mode: the program's TS takes `frames` steps of frame_dt from the state in its solution
// vector (TSStep: no monitor, no post-step), then its time, step number and step size are put back
// (the leap policy restores the state itself).
PetscErrorCode CheckSteps(Context* c, TS ts, int64_t frames) {
  const PetscReal t = ts->ptime, dt = ts->time_step, prev = ts->ptime_prev;
  const PetscInt steps = ts->steps;
  PetscFunctionBeginUser;
  PetscCall(TSRestartStep(ts));
  for (int64_t k = 0; k < frames; ++k) {
    PetscCall(TSStep(ts));
    PetscCheck(ts->reason >= 0, PetscObjectComm((PetscObject)ts), PETSC_ERR_NOT_CONVERGED,
               "LEAP: the TS failed (reason %d) in a check's solver steps", int(ts->reason));
  }
  c->stats.steps_checked += PetscInt(frames);
  ts->ptime = t;
  ts->time_step = dt;
  ts->ptime_prev = prev;
  ts->steps = steps;
  ts->reason = TS_CONVERGED_ITERATING;
  PetscCall(TSRestartStep(ts));
  PetscFunctionReturn(0);
}

// The coarse TS's integrator (solver guidance): the program's TS type and method (TSRKGetType, ...) as
// the program has set them up by its first leap, its nonlinear solver's options under the program's
// prefix, steps of the factor times the frames' spacing. Collective.
PetscErrorCode CreateCoarseIntegrator(Context* c, TS ts) {
  TSType type = nullptr;
  leap::petsc::IntegratorSpec spec;
  PetscFunctionBeginUser;
  PetscCall(TSGetType(ts, &type));
  spec.type = type;
  spec.method_from = ts;
  spec.snes_from_options = ts->usessnes == PETSC_TRUE;
  PetscCall(c->coarse->CreateIntegrator(ts, c->frame_dt * PetscReal(c->coarse->factor()), spec));
  PetscFunctionReturn(0);
}

// One attempt of the leap policy (collective). It moved the state on (accepted, or a failed check
// whose solver result stands): the solution vector, time and step number are those L steps later and
// the integrator restarts; rejected otherwise: nothing changes.
PetscErrorCode Leap(Context* c, TS ts) {
  MPI_Comm comm = PetscObjectComm((PetscObject)ts);
  const PetscInt L = PetscInt(c->runtime->policy().leap_frames());
  const PetscReal t_new = ts->ptime + PetscReal(L) * c->frame_dt;
  const leap::plugin::LeapRecord* r = nullptr;
  std::string failure, input_error;
  MPI_Comm error_comm = comm;  // where a failure is reported: this rank alone unless agreed
  PetscErrorCode ierr = 0;
  PetscFunctionBeginUser;
  ++c->stats.leaps;
  if (c->coarse && !c->coarse->has_integrator()) PetscCall(CreateCoarseIntegrator(c, ts));
  PetscCall(PetscLogEventBegin(c->events.phases.emulate, ts, 0, 0, 0));
  try {
    leap::petsc::TSStateSolver solver(ts, t_new, [c, ts](int64_t n) { return CheckSteps(c, ts, n); });
    if (c->coarse) {
      // From the current state's time, steps of at most the factor times the frames' spacing (the CFL
      // limit grows with the cell size).
      const PetscReal t0 = ts->ptime, longest = c->frame_dt * PetscReal(c->coarse->factor());
      solver.set_coarse([c, t0, longest](leap::plugin::HybridController& h, int64_t n) {
        c->coarse->Frames(h, t0, c->frame_dt, longest, n);
      });
    }
    r = &c->runtime->attempt(c->theta, solver);
  } catch (const leap::petsc::PetscFailure& e) {
    ierr = e.ierr;
  } catch (const leap::InputError& e) {
    input_error = e.what();
    error_comm = leap::petsc::ErrorComm(comm, e);
  } catch (const std::exception& e) {
    failure = e.what();
    error_comm = leap::petsc::ErrorComm(comm, e);
  }
  PetscCall(PetscLogEventEnd(c->events.phases.emulate, ts, 0, 0, 0));
  PetscCall(ierr);
  PetscCheck(input_error.empty(), error_comm, PETSC_ERR_USER_INPUT,
             "LEAP: the leap at step %" PetscInt_FMT ": %s", ts->steps, input_error.c_str());
  PetscCheck(failure.empty(), error_comm, PETSC_ERR_LIB,
             "LEAP: the leap at step %" PetscInt_FMT " failed: %s", ts->steps, failure.c_str());
  if (r->verdict == leap::plugin::LeapVerdict::emulator_failed) ++c->stats.emulator_failures;
  const std::string why = r->accepted() ? "" : r->reason;
  if (r->checked)
    PetscCall(PetscInfo(ts,
                        "LEAP: check at step %" PetscInt_FMT ": %" PetscInt_FMT
                        " steps, VRMSE %g, next leap %" PetscInt_FMT " steps\n",
                        ts->steps, L, r->check_vrmse, PetscInt(r->next_frames)));
  if (!why.empty()) {
    ++c->stats.leaps_rejected;
    if (c->rejections.size() < kMaxRejectionsListed)
      c->rejections.push_back("step " + std::to_string(ts->steps) + ": " + why);
    PetscCall(PetscInfo(ts, "LEAP: leap rejected at step %" PetscInt_FMT ": %s\n", ts->steps, why.c_str()));
  }
  if (!r->advanced()) PetscFunctionReturn(0);
  if (r->accepted()) {
    ++c->stats.leaps_accepted;
    c->stats.steps_emulated += L;
    PetscCall(PetscInfo(
        ts, "LEAP: leap accepted at step %" PetscInt_FMT ": t %g -> %g, step -> %" PetscInt_FMT "\n",
        ts->steps, double(ts->ptime), double(t_new), ts->steps + L));
  } else {
    c->stats.steps_solver += L;  // the failed check's solver steps stand
  }
  PetscCall(TSSetTime(ts, t_new));
  PetscCall(TSSetStepNumber(ts, ts->steps + L));
  PetscCall(TSRestartStep(ts));  // multistep and FSAL methods must not reuse the pre-leap history
  c->have_last = false;          // the runtime emptied its context: the new state starts a new run
  c->run = 0;
  PetscFunctionReturn(0);
}

PetscErrorCode LeapPostStep(TS ts) {
  Context* c = nullptr;
  PetscFunctionBeginUser;
  PetscCall(GetContext(ts, &c));
  if (!c) PetscFunctionReturn(0);
  if (c->previous_poststep) PetscCall((*c->previous_poststep)(ts));  // the program's own, first
  if (!c->attached || c->mode != kHybrid) PetscFunctionReturn(0);
  try {
    leap::util::fault_point("ts_post_step");
  } catch (const std::exception& e) {
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_LIB, "LEAP: %s", e.what());
  }
  ++c->stats.steps_solver;
  PetscCall(Observe(c, ts, ts->steps, ts->ptime, ts->vec_sol));
  PetscBool can = PETSC_FALSE;
  PetscCall(CanLeap(c, ts, &can));
  if (can) PetscCall(Leap(c, ts));
  c->time = ts->ptime;
  c->step = ts->steps;
  PetscFunctionReturn(0);
}

PetscErrorCode LeapMonitor(TS ts, PetscInt step, PetscReal t, Vec u, void* p) {
  Context* c = static_cast<Context*>(p);
  TSConvergedReason reason;
  PetscFunctionBeginUser;
  if (!c->attached) PetscFunctionReturn(0);
  if (c->mode == kHybrid && ts->poststep != LeapPostStep) {
    // The program set a post-step after LeapTSAttach: chain it and take the slot back.
    PetscCall(PetscInfo(ts, "LEAP: the program replaced LEAP's post-step; LEAP now calls it first\n"));
    c->previous_poststep = ts->poststep;
    PetscCall(TSSetPostStep(ts, LeapPostStep));
  }
  PetscCall(Observe(c, ts, step, t, u));
  if (step >= 0) {
    c->time = t;
    c->step = step;
  }
  PetscCall(TSGetConvergedReason(ts, &reason));
  if (reason != TS_CONVERGED_ITERATING && step >= 0) {  // TSSolve's last monitor call
    PetscCall(Report(c, PetscObjectComm((PetscObject)ts), (PetscObject)ts));
  }
  PetscFunctionReturn(0);
}

struct AttachOptions {
  std::string config;
  Mode mode = kHybrid;
  std::vector<double> theta;
  std::string summary;
};

PetscErrorCode ReadOptions(TS ts, const char config[], AttachOptions* o) {
  MPI_Comm comm = PetscObjectComm((PetscObject)ts);
  const char* prefix = nullptr;
  char path[PETSC_MAX_PATH_LEN] = "", mode[64] = "hybrid", summary[PETSC_MAX_PATH_LEN] = "";
  PetscReal theta[64] = {};
  PetscInt ntheta = 64;
  PetscBool set = PETSC_FALSE;
  PetscFunctionBeginUser;
  if (config) PetscCall(PetscStrncpy(path, config, sizeof(path)));
  PetscCall(TSGetOptionsPrefix(ts, &prefix));
  PetscOptionsBegin(comm, prefix, "LEAP options (LeapTSAttach)", "TS");
  PetscCall(PetscOptionsString("-leap_config", "runtime config (YAML; overrides LeapTSAttach's argument)",
                               "LeapTSAttach", path, path, sizeof(path), nullptr));
  PetscCall(PetscOptionsString("-leap_mode", "off, record or hybrid", "LeapTSAttach", mode, mode,
                               sizeof(mode), nullptr));
  PetscCall(PetscOptionsRealArray("-leap_theta", "the emulator's conditioning vector", "LeapTSAttach", theta,
                                  &ntheta, &set));
  PetscCall(PetscOptionsString("-leap_summary", "JSON file of LEAP's counters and times", "LeapTSAttach",
                               summary, summary, sizeof(summary), nullptr));
  PetscOptionsEnd();
  o->config = path;
  o->summary = summary;
  if (set) o->theta.assign(theta, theta + ntheta);
  const std::string m = mode;
  if (m == "off")
    o->mode = kOff;
  else if (m == "record")
    o->mode = kRecord;
  else if (m == "hybrid")
    o->mode = kHybrid;
  else
    SETERRQ(comm, PETSC_ERR_USER_INPUT, "LEAP: -leap_mode: expected off, record or hybrid, found '%s'", mode);
  PetscFunctionReturn(0);
}

PetscErrorCode CheckDA(TS ts, DM da, bool from_ts) {
  MPI_Comm comm = PetscObjectComm((PetscObject)ts);
  PetscBool isda = PETSC_FALSE;
  PetscInt dim = 0;
  DMType type = nullptr;
  PetscFunctionBeginUser;
  PetscCheck(
      da, comm, PETSC_ERR_ARG_NULL,
      "LEAP: LeapTSAttach needs the 2-D or 3-D DMDA of the state (argument da, or TSSetDM before the call)");
  PetscCall(PetscObjectTypeCompare((PetscObject)da, DMDA, &isda));
  if (!isda) {
    PetscCall(DMGetType(da, &type));
    SETERRQ(comm, PETSC_ERR_ARG_WRONG, "LEAP: LeapTSAttach needs a 2-D or 3-D DMDA; the %s is of type %s%s",
            from_ts ? "TS's DM" : "DM given", type ? type : "(none)",
            from_ts ? " (a TS without TSSetDM has a shell DM: pass the DMDA to LeapTSAttach)" : "");
  }
  PetscCall(DMGetDimension(da, &dim));
  PetscCheck(dim == 2 || dim == 3, comm, PETSC_ERR_ARG_WRONG,
             "LEAP: LeapTSAttach needs a 2-D or 3-D DMDA; this DMDA is %" PetscInt_FMT "-D", dim);
  PetscFunctionReturn(0);
}

// Solver guidance: the coarse copy of the program's TS is made on the TS's own DM (which holds the
// program's functions, its DMTS), the DMDA coarsened by DMCoarsen; refuses what DMCoarsen cannot make
// and a TS whose DM is not the DMDA of the state. *block: this rank's box of the coarse grid. Collective.
PetscErrorCode CreateCoarseGrid(TS ts, DM da, const leap::plugin::LeapPolicyOptions& policy,
                                std::unique_ptr<leap::petsc::CoarseTS>* out, leap::data::Block* block) {
  MPI_Comm comm = PetscObjectComm((PetscObject)ts);
  DM dm = nullptr;
  PetscBool isda = PETSC_FALSE;
  PetscInt dim[2], M[2], N[2], P[2], dof[2];
  DMType type = nullptr;
  PetscFunctionBeginUser;
  PetscCall(TSGetDM(ts, &dm));
  PetscCall(PetscObjectTypeCompare((PetscObject)dm, DMDA, &isda));
  if (!isda) PetscCall(DMGetType(dm, &type));
  PetscCheck(
      isda, comm, PETSC_ERR_ARG_WRONG,
      "LEAP: -leap_guidance %s with LeapTSAttach runs the program's functions on its DMDA coarsened "
      "by DMCoarsen: expected the TS's DM to be the DMDA of the state (TSSetDM), found a DM of type %s",
      policy.guidance.c_str(), type ? type : "(none)");
  PetscCall(DMDAGetInfo(dm, &dim[0], &M[0], &N[0], &P[0], nullptr, nullptr, nullptr, &dof[0], nullptr,
                        nullptr, nullptr, nullptr, nullptr));
  PetscCall(DMDAGetInfo(da, &dim[1], &M[1], &N[1], &P[1], nullptr, nullptr, nullptr, &dof[1], nullptr,
                        nullptr, nullptr, nullptr, nullptr));
  PetscCheck(
      dim[0] == dim[1] && M[0] == M[1] && N[0] == N[1] && (dim[0] == 2 || P[0] == P[1]) && dof[0] == dof[1],
      comm, PETSC_ERR_ARG_INCOMP,
      "LEAP: -leap_guidance %s with LeapTSAttach runs the program's functions on its DMDA coarsened "
      "by DMCoarsen: expected the TS's DM to be the DMDA given to LeapTSAttach, found a %" PetscInt_FMT
      " x %" PetscInt_FMT " DMDA of %" PetscInt_FMT " dofs",
      policy.guidance.c_str(), M[0], N[0], dof[0]);
  PetscCall(leap::petsc::CoarseTS::Check(ts, dm, policy.guidance, policy.coarse_factor, "LeapTSAttach"));
  auto coarse = std::make_unique<leap::petsc::CoarseTS>();
  PetscCall(coarse->CreateGrid(ts, dm, PetscInt(policy.coarse_factor), block));
  *out = std::move(coarse);
  PetscFunctionReturn(0);
}

// Creates the runtime for `da` and sets it up (collective). Errors leave `c` untouched.
PetscErrorCode CreateRuntime(TS ts, DM da, const AttachOptions& o, Context* c) {
  MPI_Comm comm = PetscObjectComm((PetscObject)ts);
  PetscInt dim, nx, ny, nz, dof, xs, ys, zs, xm, ym, zm;
  std::vector<std::string> fields;
  std::unique_ptr<leap::plugin::Runtime> runtime;
  std::string problem;
  bool recording = false;
  PetscMPIInt rank;
  std::unique_ptr<leap::petsc::CoarseTS> coarse;
  leap::data::Block coarse_block;
  PetscFunctionBeginUser;
  Events hook_events;
  PetscCall(GetEvents(&hook_events));
  PetscCheck(!o.config.empty(), comm, PETSC_ERR_USER_INPUT,
             "LEAP: no runtime config: pass LeapTSAttach a config file (YAML, see runtime_config.h) or give "
             "-leap_config FILE");
  PetscCall(DMDAGetInfo(da, &dim, &nx, &ny, &nz, nullptr, nullptr, nullptr, &dof, nullptr, nullptr, nullptr,
                        nullptr, nullptr));
  PetscCall(DMDAGetCorners(da, &xs, &ys, &zs, &xm, &ym, &zm));
  if (dim == 2) nz = zm = 1, zs = 0;
  PetscCall(leap::petsc::LeapDMDAGetFieldNames(da, &fields));
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (rank == 0 && !o.summary.empty()) {
    const std::filesystem::path dir = std::filesystem::path(o.summary).parent_path();
    std::error_code ec;
    if (!dir.empty() && !std::filesystem::is_directory(dir, ec))
      problem = "-leap_summary " + o.summary + ": no directory " + dir.string();
  }
  PetscCall(AgreeOnProblem(comm, &problem));
  PetscCheck(problem.empty(), comm, PETSC_ERR_USER_INPUT, "LEAP: %s", problem.c_str());
  try {
    runtime = std::make_unique<leap::plugin::Runtime>(comm, o.config);
  } catch (const std::exception& e) {
    SETERRQ(leap::petsc::ErrorComm(comm, e), PETSC_ERR_USER_INPUT, "LEAP: %s", e.what());
  }
  // The leap policy: the config's leap section, overridden by -leap_<name> (one setting, two spellings).
  leap::plugin::LeapPolicyOptions policy = runtime->config().leap.policy;
  {
    const char* prefix = nullptr;
    PetscCall(TSGetOptionsPrefix(ts, &prefix));
    PetscOptionsBegin(comm, prefix, "LEAP leap policy (LeapTSAttach)", "TS");
    PetscCall(leap::petsc::LeapPolicyOptionsRead(PetscOptionsObject, "LeapTSAttach", &policy));
    PetscOptionsEnd();
    const std::string bad = policy.problem("-leap_");
    PetscCheck(bad.empty(), comm, PETSC_ERR_USER_INPUT, "LEAP: %s", bad.c_str());
  }
  if (policy.guidance != "off") PetscCall(CreateCoarseGrid(ts, da, policy, &coarse, &coarse_block));
  try {
    runtime->set_policy(policy);
    if (coarse) runtime->set_coarse_grid(int64_t(coarse->factor()), coarse_block);
    const leap::plugin::RuntimeConfig& cfg = runtime->config();
    if (o.mode == kHybrid && cfg.emulator.kind == "none")
      throw leap::InputError(
          o.config +
          ": -leap_mode hybrid needs an emulator (emulator.kind is none; use -leap_mode record "
          "to record only)");
    if (o.mode == kRecord && cfg.record.dir.empty())
      throw leap::InputError(o.config + ": -leap_mode record needs record.dir (the dataset directory)");
    recording = o.mode == kRecord || !cfg.record.dir.empty();
    for (const auto& f : fields) runtime->add_field(f, 1);
    if (dim == 3)
      runtime->set_box_3d(int64_t(nx), int64_t(ny), int64_t(nz), int64_t(xs), int64_t(ys), int64_t(zs),
                          int64_t(xm), int64_t(ym), int64_t(zm));
    else
      runtime->set_box(int64_t(nx), int64_t(ny), int64_t(xs), int64_t(ys), int64_t(xm), int64_t(ym));
    runtime->set_layout(leap::plugin::BlockLayout::yxc);  // a DMDA's own array: [(z)][y][x][dof]
    if (recording) runtime->record(true);
    {
      // The emulator's phases and the result's scatter: this route logs gather and emulate itself.
      const auto log = leap::petsc::LeapPhaseLogHook(hook_events.phases);
      runtime->set_phase_hook([log](leap::plugin::HybridPhase p, bool begin) {
        if (p != leap::plugin::HybridPhase::gather && p != leap::plugin::HybridPhase::emulate) log(p, begin);
      });
    }
    runtime->setup();
  } catch (const std::exception& e) {
    // Every collective runtime call fails on all ranks together; add_field and set_box are checked
    // locally, on the same description everywhere.
    SETERRQ(leap::petsc::ErrorComm(comm, e), PETSC_ERR_USER_INPUT, "LEAP: %s", e.what());
  }
  c->runtime = std::move(runtime);
  c->coarse = std::move(coarse);
  c->recording = recording;
  c->dim = dim;
  c->nx = nx;
  c->ny = ny;
  c->nz = nz;
  c->dof = dof;
  c->xs = xs;
  c->ys = ys;
  c->zs = zs;
  c->xm = xm;
  c->ym = ym;
  c->zm = zm;
  c->fields = std::move(fields);
  PetscFunctionReturn(0);
}

}  // namespace

extern "C" PetscErrorCode LeapTSAttach(TS ts, DM da, const char config[]) {
  Context* c = nullptr;
  AttachOptions o;
  Events events;
  bool from_ts = false;
  PetscFunctionBeginUser;
  PetscValidHeaderSpecific(ts, TS_CLASSID, 1);
  if (da) PetscValidHeaderSpecific(da, DM_CLASSID, 2);
  if (!da) {
    PetscCall(TSGetDM(ts, &da));
    from_ts = true;
  }
  PetscCall(CheckDA(ts, da, from_ts));
  PetscCall(ReadOptions(ts, config, &o));
  PetscCall(GetEvents(&events));
  PetscCall(GetContext(ts, &c));
  if (c && c->attached) PetscCall(LeapTSDetach(ts));
  // Build the new runtime before touching the TS: a failure leaves the TS as it was.
  Context fresh;
  fresh.mode = o.mode;
  fresh.events = events;
  fresh.config = o.config;
  fresh.theta = o.theta;
  fresh.summary_path = o.summary;
  fresh.stats.mode = o.mode;
  if (o.mode != kOff) {
    PetscCall(CreateRuntime(ts, da, o, &fresh));
    fresh.block.assign(size_t(fresh.dof * fresh.xm * fresh.ym * fresh.zm), 0.0f);
  }
  if (!c) {
    auto owned = std::make_unique<Context>();
    PetscContainer container;
    PetscCall(PetscContainerCreate(PetscObjectComm((PetscObject)ts), &container));
    PetscCall(PetscContainerSetPointer(container, owned.get()));
    PetscCall(PetscContainerSetUserDestroy(container, DestroyContext));
    c = owned.release();  // the container owns it now
    PetscCall(PetscObjectCompose((PetscObject)ts, kComposeName, (PetscObject)container));
    PetscCall(PetscContainerDestroy(&container));
  }
  // The same Context object for the TS's lifetime: the monitor registered with it stays valid.
  const auto previous = c->previous_poststep;
  *c = std::move(fresh);
  if (o.mode == kOff) PetscFunctionReturn(0);
  PetscCall(PetscObjectReference((PetscObject)da));
  c->da = da;
  c->attached = true;
  c->time = ts->ptime;
  c->step = ts->steps;
  PetscCall(TSMonitorSet(ts, LeapMonitor, c, nullptr));  // no duplicate when re-attached
  if (o.mode == kHybrid) {
    c->previous_poststep = ts->poststep == LeapPostStep ? previous : ts->poststep;
    PetscCall(TSSetPostStep(ts, LeapPostStep));
  }
  if (c->coarse)
    PetscCall(PetscInfo(
        ts,
        "LEAP: solver guidance (%s): the program's integrator on its DMDA coarsened by %" PetscInt_FMT "\n",
        c->runtime->policy().options().guidance.c_str(), c->coarse->factor()));
  PetscCall(PetscInfo(ts,
                      "LEAP: attached (%s) with %s: %" PetscInt_FMT " x %" PetscInt_FMT " x %" PetscInt_FMT
                      " grid, %" PetscInt_FMT " fields, leaps of %" PetscInt_FMT " steps after %" PetscInt_FMT
                      " solver steps\n",
                      kModeNames[c->mode], c->config.c_str(), c->nx, c->ny, c->nz, c->dof,
                      PetscInt(c->runtime->policy().options().leap_frames),
                      PetscInt(c->runtime->policy().options().solver_frames)));
  PetscFunctionReturn(0);
}

extern "C" PetscErrorCode LeapTSDetach(TS ts) {
  Context* c = nullptr;
  PetscFunctionBeginUser;
  PetscValidHeaderSpecific(ts, TS_CLASSID, 1);
  PetscCall(GetContext(ts, &c));
  if (!c || !c->attached) PetscFunctionReturn(0);
  if (ts->poststep == LeapPostStep) PetscCall(TSSetPostStep(ts, c->previous_poststep));
  c->previous_poststep = nullptr;
  c->time = ts->ptime;
  c->step = ts->steps;
  PetscCall(Finish(c, (PetscObject)ts));
  PetscFunctionReturn(0);
}

extern "C" PetscErrorCode LeapTSGetStats(TS ts, LeapTSStats* stats) {
  Context* c = nullptr;
  PetscFunctionBeginUser;
  PetscValidHeaderSpecific(ts, TS_CLASSID, 1);
  PetscValidPointer(stats, 2);
  PetscCall(GetContext(ts, &c));
  PetscCheck(c, PetscObjectComm((PetscObject)ts), PETSC_ERR_ARG_WRONGSTATE,
             "LEAP: LeapTSGetStats: LeapTSAttach was not called on this TS");
  RefreshStats(c);
  *stats = c->stats;
  PetscFunctionReturn(0);
}
