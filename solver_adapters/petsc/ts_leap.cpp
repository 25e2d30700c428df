// TS type "leap": the hybrid leap-and-correct loop inside an unmodified PETSc program (see ts_leap.h
// and docs/unmodified_petsc.md).
#include "leap/petsc/ts_leap.h"

#include <ATen/ATen.h>
#include <petsc/private/tsimpl.h>
#include <petscdmda.h>

#include <algorithm>
#include <array>
#include <cmath>
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
#include "leap/petsc/ts_attach.h"
#include "leap/plugin/emulator.h"
#include "leap/plugin/hybrid_controller.h"
#include "leap/plugin/leap_policy.h"
#include "leap/util/fault_injection.h"
#include "leap_log_events.h"
#include "policy_options.h"
#include "ts_state_solver.h"

namespace fs = std::filesystem;

namespace leap::petsc {
namespace {

struct Events {
  LeapPhaseEvents phases;
  PetscLogEvent check = 0, inner = 0;
};

PetscErrorCode GetEvents(Events* out) {
  PetscFunctionBeginUser;
  PetscCall(LeapGetPhaseEvents(&out->phases));
  PetscCall(LeapRegisterEvent("LeapCheck", &out->check));
  PetscCall(LeapRegisterEvent("LeapInnerStep", &out->inner));
  PetscFunctionReturn(0);
}

// -leap_* options of the "leap" TS.
struct Options {
  std::string inner_type;  // empty: beuler when the program set an IFunction, euler otherwise
  plugin::LeapPolicyOptions
      policy;  // -leap_leap_frames, -leap_solver_frames, -leap_max_spread, -leap_check_*
  PetscInt members = 1;
  PetscInt context = 0;  // 0: the emulator's default (1 for the oracle)
  PetscInt seed = 0;
  PetscReal frame_dt = 0;  // 0: the first step's size
  std::string ae, emulator, device = "cpu";
  std::string oracle;
  PetscInt oracle_trajectory = 0;
  PetscReal oracle_tolerance = 1e-4;
  std::vector<std::string> oracle_faults;  // -leap_oracle_faults N:KIND[:ARG],...
  std::vector<PetscReal> theta;
  std::vector<PetscInt> conserve, conserve_scaled;  // dofs whose domain totals a leap keeps
  std::vector<PetscInt> emulator_ranks{0};          // ranks that run the emulator
  PetscBool emulators_per_node = PETSC_FALSE;
  std::string summary;
  bool from_options = false;  // TSSetFromOptions was called: the inner TS reads the options too
};

struct LeapTS {
  Options opt;
  Events events;
  TS inner = nullptr;
  DM inner_dm = nullptr;
  Vec work = nullptr;
  // Solver guidance (-leap_guidance coarse|coarse_only): the program's integrator on its DMDA coarsened
  // -leap_coarse_factor times along every axis, and its state.
  CoarseTS coarse;
  std::unique_ptr<plugin::HybridController> controller;
  std::string emulator_kind;  // "latent diffusion" or "oracle"
  std::vector<float> theta;
  std::vector<std::string> fields;
  std::vector<PetscInt> grid;           // nx, ny(, nz)
  std::vector<ConservedDof> conserved;  // from -leap_conserve and -leap_conserve_scaled
  // Bookkeeping of the current run.
  PetscReal frame_dt = 0;
  PetscInt last_observed_step = -1;
  PetscReal last_observed_time = 0;
  plugin::LeapPolicy policy;  // the decisions of this run (the one leap policy of every route)
  bool last_step_inner = false;
  bool dirty = false;  // the summary changed since it was last written
  TSLeapSummary summary;
};

LeapTS* Data(TS ts) {
  return static_cast<LeapTS*>(ts->data);
}

std::string Joined(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

PetscErrorCode CheckDM(TS ts, DM dm) {
  MPI_Comm comm = PetscObjectComm((PetscObject)ts);
  PetscBool isda = PETSC_FALSE, isshell = PETSC_FALSE;
  PetscInt dim = 0;
  DMType type;
  PetscFunctionBeginUser;
  PetscCall(PetscObjectTypeCompare((PetscObject)dm, DMDA, &isda));
  if (!isda) {
    PetscCall(DMGetType(dm, &type));
    PetscCall(PetscObjectTypeCompare((PetscObject)dm, DMSHELL, &isshell));
    SETERRQ(comm, PETSC_ERR_ARG_WRONG,
            "LEAP: -ts_type leap needs a TS on a 2-D or 3-D DMDA (TSSetDM); this TS's DM is of type %s%s",
            type, isshell ? " (a TS without a DM has a shell DM)" : "");
  }
  PetscCall(DMGetDimension(dm, &dim));
  PetscCheck(dim == 2 || dim == 3, comm, PETSC_ERR_ARG_WRONG,
             "LEAP: -ts_type leap needs a 2-D or 3-D DMDA; this TS's DMDA is %" PetscInt_FMT "-D", dim);
  PetscFunctionReturn(0);
}

// ---------------------------------------------------------------- summary

PetscErrorCode FillTimes(LeapTS* L) {
  PetscFunctionBeginUser;
  if (L->controller) {
    const auto& s = L->controller->stats();
    L->summary.gather_seconds = s.gather_seconds;
    L->summary.emulate_seconds = s.emulate_seconds;
    L->summary.scatter_seconds = s.scatter_seconds;
  }
  L->summary.frame_dt = L->frame_dt;
  PetscFunctionReturn(0);
}

std::string SummaryJson(TS ts, const LeapTS* L) {
  const TSLeapSummary& s = L->summary;
  const Options& o = L->opt;
  std::ostringstream j;
  j.precision(17);
  PetscMPIInt size = 1;
  MPI_Comm_size(PetscObjectComm((PetscObject)ts), &size);
  TSType inner_type = nullptr;
  if (L->inner) TSGetType(L->inner, &inner_type);
  j << "{\n";
  j << "  \"ts_type\": \"leap\",\n";
  j << "  \"inner_ts_type\": " << JsonString(inner_type ? inner_type : "") << ",\n";
  j << "  \"emulator\": " << JsonString(L->emulator_kind) << ",\n";
  if (!o.oracle.empty()) j << "  \"oracle\": " << JsonString(o.oracle) << ",\n";
  if (!o.ae.empty())
    j << "  \"ae\": " << JsonString(o.ae) << ",\n  \"emulator_checkpoint\": " << JsonString(o.emulator)
      << ",\n";
  j << "  \"ranks\": " << size << ",\n";
  j << "  \"emulator_ranks\": " << (L->controller ? L->controller->exchange().emulator_count() : 1) << ",\n";
  j << "  \"grid\": [";
  for (size_t i = 0; i < L->grid.size(); ++i) j << (i ? ", " : "") << L->grid[i];
  j << "],\n";
  j << "  \"fields\": [";
  for (size_t i = 0; i < L->fields.size(); ++i) j << (i ? ", " : "") << JsonString(L->fields[i]);
  j << "],\n";
  j << "  \"leap_frames\": " << o.policy.leap_frames << ",\n";
  j << "  \"solver_frames\": " << o.policy.solver_frames << ",\n";
  j << "  \"members\": " << o.members << ",\n";
  j << "  \"context\": " << (L->controller ? L->controller->context_frames() : 0) << ",\n";
  j << "  \"frame_dt\": " << double(L->frame_dt) << ",\n";
  j << "  \"time\": " << double(ts->ptime) << ",\n";
  j << "  \"steps\": " << s.steps_solver + s.steps_emulated << ",\n";
  j << "  \"steps_solver\": " << s.steps_solver << ",\n";
  j << "  \"steps_emulated\": " << s.steps_emulated << ",\n";
  j << "  \"leaps\": " << s.leaps_accepted + s.leaps_rejected << ",\n";
  j << "  \"leaps_accepted\": " << s.leaps_accepted << ",\n";
  j << "  \"leaps_rejected\": " << s.leaps_rejected << ",\n";
  j << "  \"context_restarts\": " << s.context_restarts << ",\n";
  j << "  \"conserved\": [";
  for (size_t i = 0; i < L->conserved.size(); ++i) {
    const PetscInt d = L->conserved[i].dof;
    j << (i ? ", " : "") << "{\"dof\": " << d << ", \"field\": " << JsonString(L->fields[size_t(d)])
      << ", \"correction\": \"" << (L->conserved[i].multiplicative ? "scale" : "shift")
      << "\", \"max_relative_change\": "
      << (i < s.conserved_max_change.size() ? s.conserved_max_change[i] : 0.0) << "}";
  }
  j << "],\n";
  j << "  \"rejections\": [";
  for (size_t i = 0; i < s.rejections.size(); ++i) j << (i ? ", " : "") << JsonString(s.rejections[i]);
  j << "],\n";
  j << "  \"seconds\": {\"inner_steps\": " << s.inner_seconds << ", \"gather\": " << s.gather_seconds
    << ", \"emulate\": " << s.emulate_seconds << ", \"scatter\": " << s.scatter_seconds
    << ", \"check\": " << s.check_seconds
    << ", \"coarse\": " << (L->controller ? L->controller->stats().coarse_seconds : 0.0) << "},\n";
  j << "  \"coarse_frames\": " << (L->controller ? L->controller->stats().coarse_frames : 0) << ",\n";
  j << "  \"policy\": " << L->policy.summary().dump() << "\n";
  j << "}\n";
  return j.str();
}

// Collective: rank 0 writes -leap_summary; a failure is an error on every rank.
PetscErrorCode WriteSummary(TS ts, LeapTS* L) {
  MPI_Comm comm = PetscObjectComm((PetscObject)ts);
  PetscMPIInt rank;
  std::string problem;
  PetscFunctionBeginUser;
  L->dirty = false;
  if (L->opt.summary.empty()) PetscFunctionReturn(0);
  PetscCall(FillTimes(L));
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (rank == 0) {
    std::ofstream f(L->opt.summary, std::ios::trunc);
    f << SummaryJson(ts, L);
    f.close();
    if (!f) problem = "-leap_summary " + L->opt.summary + ": cannot write the file";
  }
  PetscCall(AgreeOnProblem(comm, &problem));
  PetscCheck(problem.empty(), comm, PETSC_ERR_FILE_WRITE, "LEAP: %s", problem.c_str());
  PetscFunctionReturn(0);
}

// ---------------------------------------------------------------- set-up

// The program's integrator (-leap_inner_ts_type, with the integrator's and its nonlinear solver's
// options under the program's prefix when TSSetFromOptions was called): beuler when the program set an
// IFunction, euler otherwise.
PetscErrorCode IntegratorOf(TS ts, const LeapTS* L, IntegratorSpec* spec) {
  MPI_Comm comm = PetscObjectComm((PetscObject)ts);
  PetscFunctionBeginUser;
  spec->type = L->opt.inner_type;
  if (spec->type.empty()) {
    TSIFunction ifun = nullptr;
    PetscCall(TSGetIFunction(ts, nullptr, &ifun, nullptr));
    spec->type = ifun ? TSBEULER : TSEULER;
  }
  PetscCheck(spec->type != "leap", comm, PETSC_ERR_USER_INPUT,
             "LEAP: -leap_inner_ts_type names the program's own integrator (e.g. rosw, beuler, ssp); it "
             "cannot be leap");
  spec->from_options = L->opt.from_options;
  PetscFunctionReturn(0);
}

// The inner TS: the program's integrator on a clone of its DMDA sharing its DMTS, with the program's
// Jacobian matrices and solution vector.
PetscErrorCode CreateInner(TS ts, LeapTS* L) {
  DM dm;
  IntegratorSpec spec;
  PetscFunctionBeginUser;
  PetscCall(TSGetDM(ts, &dm));
  PetscCall(IntegratorOf(ts, L, &spec));
  // A clone, not the program's DM: TS binds the DM's DMSNES to one TS (the SNES function's context),
  // and the program's TS already holds it. The clone shares the DMTS, hence the program's functions.
  PetscCall(DMClone(dm, &L->inner_dm));
  PetscCall(DMCopyDMTS(dm, L->inner_dm));
  PetscCall(LeapCreateIntegrator(ts, L->inner_dm, ts->vec_sol, ts->time_step, spec, &L->inner));
  PetscFunctionReturn(0);
}

// ---------------------------------------------------------------- solver guidance

// Solver guidance needs a coarse copy of the program's solver, made with DMCoarsen (coarse_ts.h): refuses
// (before anything is built) what DMCoarsen cannot make.
PetscErrorCode CheckCoarsenable(TS ts, const LeapTS* L, DM dm) {
  PetscFunctionBeginUser;
  PetscCall(CoarseTS::Check(ts, dm, L->opt.policy.guidance, L->opt.policy.coarse_factor, "-ts_type leap"));
  PetscFunctionReturn(0);
}

// The coarse copy of the program's solver: its DMDA coarsened by DMCoarsen and the inner TS's integrator
// on it, with a time step -leap_coarse_factor times the program's (the CFL limit grows with the cell
// size); the controller learns the coarse grid. Collective.
PetscErrorCode CreateCoarse(TS ts, LeapTS* L, DM dm) {
  MPI_Comm comm = PetscObjectComm((PetscObject)ts);
  const PetscInt k = PetscInt(L->opt.policy.coarse_factor);
  data::Block block;
  IntegratorSpec spec;
  PetscFunctionBeginUser;
  if (L->opt.policy.guidance == "off") PetscFunctionReturn(0);
  PetscCall(IntegratorOf(ts, L, &spec));
  PetscCall(L->coarse.CreateGrid(ts, dm, k, &block));
  PetscCall(L->coarse.CreateIntegrator(ts, ts->time_step * PetscReal(k), spec));
  try {
    L->controller->set_coarse_grid(int64_t(k), block);
  } catch (const std::exception& e) {
    SETERRQ(ErrorComm(comm, e), PETSC_ERR_ARG_WRONG, "LEAP: %s", e.what());
  }
  PetscFunctionReturn(0);
}

// LeapSolver::run_coarse of the TS type: from the last observed frame restricted to the coarse grid at
// the outer TS's time (the leap's start), `frames` frames of frame_dt, each given to the controller, in
// steps of at most the outer step times the factor. Throws (PetscFailure for a PETSc error).
void CoarseFrames(TS ts, LeapTS* L, plugin::HybridController& c, int64_t frames) {
  L->coarse.Frames(c, ts->ptime, L->frame_dt, ts->time_step * PetscReal(L->opt.policy.coarse_factor), frames);
}

// Loads the emulator on the emulator ranks (-leap_emulator_ranks, rank 0 by default) and builds the
// controller (collective).
// The dofs of -leap_conserve (shifted) and -leap_conserve_scaled (scaled), checked against the DMDA:
// indices of its dofs, each named once. Whether the program conserves their totals (periodic or
// closed boundaries) is the user's knowledge, not LEAP's.
PetscErrorCode SetConserved(MPI_Comm comm, LeapTS* L, PetscInt dof) {
  const Options& o = L->opt;
  PetscFunctionBeginUser;
  L->conserved.clear();
  L->summary.conserved_max_change.clear();
  for (const bool scaled : {false, true}) {
    const char* option = scaled ? "-leap_conserve_scaled" : "-leap_conserve";
    for (const PetscInt d : scaled ? o.conserve_scaled : o.conserve) {
      PetscCheck(d >= 0 && d < dof, comm, PETSC_ERR_USER_INPUT,
                 "LEAP: %s: expected dof indices from 0 to %" PetscInt_FMT " (the DMDA has %" PetscInt_FMT
                 " dofs), found %" PetscInt_FMT,
                 option, dof - 1, dof, d);
      for (const auto& c : L->conserved)
        PetscCheck(c.dof != d, comm, PETSC_ERR_USER_INPUT,
                   "LEAP: %s: dof %" PetscInt_FMT
                   " (%s) is named twice in -leap_conserve and -leap_conserve_scaled",
                   option, d, L->fields[size_t(d)].c_str());
      L->conserved.push_back({d, scaled ? PETSC_TRUE : PETSC_FALSE});
    }
  }
  L->summary.conserved_max_change.assign(L->conserved.size(), 0.0);
  PetscFunctionReturn(0);
}

plugin::EmulatorRanks EmulatorRanksOf(const Options& o) {
  if (o.emulators_per_node) return plugin::EmulatorRanks::one_per_node();
  plugin::EmulatorRanks r;
  r.ranks.assign(o.emulator_ranks.begin(), o.emulator_ranks.end());
  return r;
}

PetscErrorCode CreateController(TS ts, LeapTS* L, DM dm) {
  MPI_Comm comm = PetscObjectComm((PetscObject)ts);
  const Options& o = L->opt;
  PetscInt dim, M, N, P, dof;
  DMBoundaryType bx, by, bz;
  data::Block block;
  std::shared_ptr<plugin::Emulator> emulator;
  std::string problem, note;  // note: a warning the first emulator rank prints
  PetscFunctionBeginUser;
  PetscCall(
      DMDAGetInfo(dm, &dim, &M, &N, &P, nullptr, nullptr, nullptr, &dof, nullptr, &bx, &by, &bz, nullptr));
  PetscCall(LeapDMDAGetFieldNames(dm, &L->fields));
  PetscCall(LeapDMDAGetBlock(dm, &block));
  L->grid = {M, N};
  if (dim == 3) L->grid.push_back(P);
  L->emulator_kind = o.oracle.empty() ? "latent diffusion" : "oracle";
  const plugin::EmulatorRanks placement = EmulatorRanksOf(o);
  const plugin::EmulatorPlacement place = plugin::emulator_placement(comm, placement);
  if (place.is_emulator) {
    try {
      const std::vector<std::pair<std::string, std::string>> files =
          o.oracle.empty() ? std::vector<std::pair<std::string, std::string>>{{"-leap_ae", o.ae},
                                                                              {"-leap_emulator", o.emulator}}
                           : std::vector<std::pair<std::string, std::string>>{{"-leap_oracle", o.oracle}};
      for (const auto& [option, path] : files)
        if (problem.empty() && !fs::is_regular_file(path)) problem = option + " " + path + ": no such file";
      if (!o.summary.empty() && problem.empty()) {
        const fs::path dir = fs::path(o.summary).parent_path();
        if (!dir.empty() && !fs::is_directory(dir))
          problem = "-leap_summary " + o.summary + ": no directory " + dir.string();
      }
      std::vector<std::string> theta_names;
      if (problem.empty()) {
        if (!o.oracle.empty()) {
          auto oracle = std::make_shared<plugin::TrajectoryOracle>(o.oracle, int64_t(o.oracle_trajectory),
                                                                   int64_t(o.context > 0 ? o.context : 1),
                                                                   double(o.oracle_tolerance));
          std::vector<plugin::OracleFault> faults;
          for (const auto& f : o.oracle_faults)
            faults.push_back(plugin::OracleFault::parse(f, "-leap_oracle_faults"));
          oracle->set_faults(std::move(faults));
          emulator = oracle;
        } else {
          plugin::LatentDiffusionOptions lo;
          lo.context = int64_t(o.context);
          lo.device = o.device;
          lo.seed = int64_t(o.seed) + place.index;  // emulator rank k: seed + k
          auto lde = std::make_shared<plugin::LatentDiffusionEmulator>(o.ae, o.emulator, lo);
          theta_names = lde->theta_names();
          if (place.index == 0 && !lde->untrained_context_note().empty())
            note = "warning: -leap_emulator " + o.emulator + ": " + lde->untrained_context_note() + "\n";
          emulator = lde;
        }
        const auto names = emulator->channel_names();
        if (!names.empty() && names.size() != L->fields.size())
          problem = "the emulator works on " + std::to_string(names.size()) +
                    (names.size() == 1 ? " channel (" : " channels (") + Joined(names) + "), the DMDA has " +
                    std::to_string(L->fields.size()) + (L->fields.size() == 1 ? " dof (" : " dofs (") +
                    Joined(L->fields) + ")";
        else if (!names.empty() && names != L->fields)
          problem = "the emulator's channels (" + Joined(names) + ") are not the DMDA's fields (" +
                    Joined(L->fields) + "), in that order";
      }
      // theta: <axis>_periodic from the DMDA, the other parameters from -leap_theta, in order.
      size_t k = 0;
      L->theta.clear();
      for (const auto& name : theta_names) {
        if (!problem.empty()) break;
        if (name == "x_periodic" || name == "y_periodic" || (dim == 3 && name == "z_periodic")) {
          const DMBoundaryType b = name[0] == 'x' ? bx : name[0] == 'y' ? by : bz;
          L->theta.push_back(b == DM_BOUNDARY_PERIODIC ? 1.f : 0.f);
        } else if (k < o.theta.size()) {
          L->theta.push_back(float(o.theta[k++]));
        } else {
          problem = "the emulator is conditioned on " + Joined(theta_names) + "; give the value of " + name +
                    " (and the other parameters, in order) with -leap_theta";
        }
      }
      if (problem.empty() && k < o.theta.size())
        problem = "-leap_theta gives " + std::to_string(o.theta.size()) + " values, the emulator takes " +
                  std::to_string(k) +
                  " (its conditioning: " + (theta_names.empty() ? "none" : Joined(theta_names)) + ")";
    } catch (const std::exception& e) {
      problem = e.what();
    }
  }
  PetscCall(AgreeOnProblem(comm, &problem));
  PetscCheck(problem.empty(), comm, PETSC_ERR_USER_INPUT, "LEAP: %s", problem.c_str());
  if (!note.empty()) PetscCall(PetscFPrintf(PETSC_COMM_SELF, PETSC_STDERR, "LEAP: %s", note.c_str()));
  PetscCall(SetConserved(comm, L, dof));
  try {
    L->controller = std::make_unique<plugin::HybridController>(
        comm, std::vector<int64_t>(L->grid.begin(), L->grid.end()), block,
        std::vector<int64_t>(size_t(dof), 1), emulator, int64_t(o.members), placement);
  } catch (const std::exception& e) {
    SETERRQ(ErrorComm(comm, e), PETSC_ERR_ARG_WRONG, "LEAP: %s", e.what());
  }
  L->controller->set_layout(plugin::BlockLayout::yxc);  // blocks are the DMDA's own arrays
  const Events events = L->events;
  L->controller->set_phase_hook(LeapPhaseLogHook(events.phases));
  PetscFunctionReturn(0);
}

PetscErrorCode TSReset_Leap(TS ts) {
  LeapTS* L = Data(ts);
  PetscFunctionBeginUser;
  if (!L) PetscFunctionReturn(0);
  if (L->dirty) PetscCall(WriteSummary(ts, L));
  L->controller.reset();
  PetscCall(TSDestroy(&L->inner));
  PetscCall(DMDestroy(&L->inner_dm));
  PetscCall(VecDestroy(&L->work));
  PetscCall(L->coarse.Destroy());
  L->frame_dt = 0;
  L->last_observed_step = -1;
  L->last_observed_time = 0;
  L->policy = plugin::LeapPolicy(L->opt.policy);
  L->last_step_inner = false;
  L->summary = TSLeapSummary{};
  PetscFunctionReturn(0);
}

PetscErrorCode TSSetUp_Leap(TS ts) {
  LeapTS* L = Data(ts);
  MPI_Comm comm = PetscObjectComm((PetscObject)ts);
  const Options& o = L->opt;
  DM dm;
  PetscBool none = PETSC_FALSE;
  TSAdaptType adapt_type;
  PetscFunctionBeginUser;
  PetscCall(TSReset_Leap(ts));
  PetscCall(GetEvents(&L->events));
  PetscCall(TSGetDM(ts, &dm));
  PetscCall(CheckDM(ts, dm));
  const bool model = !o.ae.empty() || !o.emulator.empty();
  PetscCheck(
      model || !o.oracle.empty(), comm, PETSC_ERR_USER_INPUT,
      "LEAP: -ts_type leap needs an emulator: -leap_ae AE.ckpt -leap_emulator EMU.ckpt (checkpoints of "
      "`leap train ae` and `leap train emulator`), or -leap_oracle FILE.hdf5 (a recorded trajectory)");
  PetscCheck(!(model && !o.oracle.empty()), comm, PETSC_ERR_USER_INPUT,
             "LEAP: give either -leap_ae and -leap_emulator or -leap_oracle, not both");
  PetscCheck(!model || (!o.ae.empty() && !o.emulator.empty()), comm, PETSC_ERR_USER_INPUT,
             "LEAP: -leap_ae and -leap_emulator go together (the autoencoder and the latent emulator); %s is "
             "missing",
             o.ae.empty() ? "-leap_ae" : "-leap_emulator");
  PetscCheck(!ts->event, comm, PETSC_ERR_SUP,
             "LEAP: -ts_type leap does not support TS events (TSSetEventHandler)");
  PetscCheck(!ts->tspan, comm, PETSC_ERR_SUP,
             "LEAP: -ts_type leap does not support time spans (TSSetTimeSpan)");
  PetscCheck(
      !ts->forward_solve && !ts->adjoint_solve, comm, PETSC_ERR_SUP,
      "LEAP: -ts_type leap does not support forward or adjoint sensitivities (an emulated leap has none)");
  PetscCall(TSAdaptGetType(ts->adapt, &adapt_type));
  PetscCall(PetscObjectTypeCompare((PetscObject)ts->adapt, TSADAPTNONE, &none));
  PetscCheck(none, comm, PETSC_ERR_USER_INPUT,
             "LEAP: -ts_type leap takes steps of one fixed size (a frame of the training data, -ts_dt); "
             "the adaptor must be none (-ts_adapt_type none), not %s",
             adapt_type);
  PetscCall(CheckCoarsenable(ts, L, dm));
  PetscCall(CreateInner(ts, L));
  PetscCall(CreateController(ts, L, dm));
  PetscCall(CreateCoarse(ts, L, dm));
  PetscCall(VecDuplicate(ts->vec_sol, &L->work));
  PetscFunctionReturn(0);
}

PetscErrorCode TSDestroy_Leap(TS ts) {
  PetscFunctionBeginUser;
  PetscCall(TSReset_Leap(ts));
  std::unique_ptr<LeapTS> owned(Data(ts));
  ts->data = nullptr;
  PetscFunctionReturn(0);
}

PetscErrorCode StringOption(PetscOptionItems* PetscOptionsObject, const char* name, const char* text,
                            std::string* value) {
  char buf[PETSC_MAX_PATH_LEN];
  PetscBool set = PETSC_FALSE;
  PetscFunctionBeginUser;
  PetscCall(PetscStrncpy(buf, value->c_str(), sizeof(buf)));
  PetscCall(PetscOptionsString(name, text, "TSLEAP", buf, buf, sizeof(buf), &set));
  if (set) *value = buf;
  PetscFunctionReturn(0);
}

PetscErrorCode IntListOption(PetscOptionItems* PetscOptionsObject, const char* name, const char* text,
                             std::vector<PetscInt>* value) {
  PetscInt v[64], n = 64;
  PetscBool set = PETSC_FALSE;
  PetscFunctionBeginUser;
  PetscCall(PetscOptionsIntArray(name, text, "TSLEAP", v, &n, &set));
  if (set) value->assign(v, v + n);
  PetscFunctionReturn(0);
}

PetscErrorCode TSSetFromOptions_Leap(TS ts, PetscOptionItems* PetscOptionsObject) {
  LeapTS* L = Data(ts);
  Options& o = L->opt;
  MPI_Comm comm = PetscObjectComm((PetscObject)ts);
  char type[256];
  PetscBool set = PETSC_FALSE;
  PetscReal theta[64] = {};
  PetscInt ntheta = 64;
  PetscFunctionBeginUser;
  PetscOptionsHeadBegin(PetscOptionsObject, "LEAP hybrid leap-and-correct options (-ts_type leap)");
  PetscCall(PetscStrncpy(type, o.inner_type.empty() ? TSBEULER : o.inner_type.c_str(), sizeof(type)));
  PetscCall(PetscOptionsFList("-leap_inner_ts_type", "the program's integrator, which takes the solver steps",
                              "TSSetType", TSList, type, type, sizeof(type), &set));
  if (set) o.inner_type = type;
  PetscCall(LeapPolicyOptionsRead(PetscOptionsObject, "TSLEAP", &o.policy));
  PetscCall(PetscOptionsInt("-leap_members", "ensemble members per leap (their mean is taken)", "TSLEAP",
                            o.members, &o.members, nullptr));
  PetscCall(PetscOptionsInt("-leap_context", "observed frames a leap needs (0: the emulator's default)",
                            "TSLEAP", o.context, &o.context, nullptr));
  PetscCall(PetscOptionsReal("-leap_frame_dt", "time between frames (0: the first step's size)", "TSLEAP",
                             o.frame_dt, &o.frame_dt, nullptr));
  PetscCall(StringOption(PetscOptionsObject, "-leap_ae", "autoencoder checkpoint (leap train ae)", &o.ae));
  PetscCall(StringOption(PetscOptionsObject, "-leap_emulator",
                         "latent diffusion emulator checkpoint (leap train emulator)", &o.emulator));
  PetscCall(StringOption(PetscOptionsObject, "-leap_device", "device of the emulator (cpu, cuda, cuda:N)",
                         &o.device));
  PetscCall(PetscOptionsInt("-leap_seed", "seed of the emulator's sampling noise", "TSLEAP", o.seed, &o.seed,
                            nullptr));
  PetscCall(StringOption(PetscOptionsObject, "-leap_oracle",
                         "dataset file whose stored trajectory replaces the emulator (tests the coupling)",
                         &o.oracle));
  PetscCall(PetscOptionsInt("-leap_oracle_trajectory", "trajectory of the -leap_oracle file", "TSLEAP",
                            o.oracle_trajectory, &o.oracle_trajectory, nullptr));
  PetscCall(PetscOptionsReal("-leap_oracle_tolerance",
                             "relative distance at which a state matches a stored frame", "TSLEAP",
                             o.oracle_tolerance, &o.oracle_tolerance, nullptr));
  {
    char* faults[64] = {};
    PetscInt nfaults = 64;
    PetscCall(PetscOptionsStringArray("-leap_oracle_faults",
                                      "faults the oracle injects into its leaps: N:nan, N:negative:DOF, "
                                      "N:spread:A, N:offset:A (N: its leap, from 0)",
                                      "TSLEAP", faults, &nfaults, &set));
    if (set) {
      o.oracle_faults.assign(faults, faults + nfaults);
      for (PetscInt k = 0; k < nfaults; ++k) PetscCall(PetscFree(faults[k]));
    }
  }
  PetscCall(PetscOptionsRealArray("-leap_theta",
                                  "values of the emulator's parameters (other than <axis>_periodic)",
                                  "TSLEAP", theta, &ntheta, &set));
  if (set) o.theta.assign(theta, theta + ntheta);
  PetscCall(IntListOption(PetscOptionsObject, "-leap_emulator_ranks",
                          "ranks that run the emulator, each for its share of -leap_members (0 among them)",
                          &o.emulator_ranks));
  PetscCall(PetscOptionsBool("-leap_emulators_per_node", "one emulator rank per node (its first rank)",
                             "TSLEAP", o.emulators_per_node, &o.emulators_per_node, nullptr));
  PetscCall(IntListOption(PetscOptionsObject, "-leap_conserve",
                          "dofs whose domain total the program conserves: a leap keeps it (uniform shift)",
                          &o.conserve));
  PetscCall(IntListOption(PetscOptionsObject, "-leap_conserve_scaled",
                          "dofs of positive conserved quantities: a leap keeps their total (scaling)",
                          &o.conserve_scaled));
  PetscCall(StringOption(PetscOptionsObject, "-leap_summary", "JSON file of the run's leaps, steps and times",
                         &o.summary));
  PetscOptionsHeadEnd();
  o.from_options = true;
  PetscCheck(o.inner_type != "leap", comm, PETSC_ERR_USER_INPUT,
             "LEAP: -leap_inner_ts_type names the program's own integrator (e.g. rosw, beuler, ssp); it "
             "cannot be leap");
  {
    const std::string problem = o.policy.problem("-leap_");
    PetscCheck(problem.empty(), comm, PETSC_ERR_USER_INPUT, "LEAP: %s", problem.c_str());
  }
  PetscCheck(o.oracle_faults.empty() || !o.oracle.empty(), comm, PETSC_ERR_USER_INPUT,
             "LEAP: -leap_oracle_faults injects faults into an oracle: give -leap_oracle too");
  PetscCheck(o.members >= 1, comm, PETSC_ERR_USER_INPUT,
             "LEAP: -leap_members: expected a value >= 1, found %" PetscInt_FMT, o.members);
  PetscCheck(o.context >= 0, comm, PETSC_ERR_USER_INPUT,
             "LEAP: -leap_context: expected a value >= 0, found %" PetscInt_FMT, o.context);
  PetscCheck(o.frame_dt >= 0, comm, PETSC_ERR_USER_INPUT,
             "LEAP: -leap_frame_dt: expected a value >= 0, found %g", double(o.frame_dt));
  {
    std::vector<PetscInt> sorted = o.emulator_ranks;
    std::sort(sorted.begin(), sorted.end());
    PetscMPIInt size;
    PetscCallMPI(MPI_Comm_size(comm, &size));
    PetscCheck(!sorted.empty() && sorted.front() == 0 && sorted.back() < size &&
                   std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end(),
               comm, PETSC_ERR_USER_INPUT,
               "LEAP: -leap_emulator_ranks: expected distinct ranks from 0 to %d, 0 among them", size - 1);
    PetscCheck(!o.emulators_per_node || o.emulator_ranks == std::vector<PetscInt>{0}, comm,
               PETSC_ERR_USER_INPUT, "LEAP: give -leap_emulator_ranks or -leap_emulators_per_node, not both");
  }
  PetscFunctionReturn(0);
}

// ---------------------------------------------------------------- stepping

// Observes the state at the start of the current step (gathers it into the emulator's context).
PetscErrorCode Observe(TS ts, LeapTS* L) {
  std::vector<float> block;
  PetscFunctionBeginUser;
  const PetscReal t = ts->ptime;
  if (ts->steps == L->last_observed_step && t == L->last_observed_time) PetscFunctionReturn(0);
  if (L->controller->context_size() > 0) {
    const PetscReal gap = t - L->last_observed_time;
    const PetscReal tol = std::max<PetscReal>(1e-6 * L->frame_dt, 64 * PETSC_MACHINE_EPSILON * std::abs(t));
    if (ts->steps != L->last_observed_step + 1 || std::abs(gap - L->frame_dt) > tol) {
      L->controller->clear_context();
      ++L->summary.context_restarts;
      PetscCall(PetscInfo(ts,
                          "LEAP: step %" PetscInt_FMT
                          " at t = %g is %g after the last observed frame, not one frame "
                          "(%g): the emulator's context restarts\n",
                          ts->steps, double(t), double(gap), double(L->frame_dt)));
    }
  }
  PetscCall(DMDABlockFromVec(ts->vec_sol, &block));  // the DMDA's own order: the controller's yxc
  try {
    L->controller->observe(block.data());
  } catch (const std::exception& e) {
    SETERRQ(ErrorComm(PetscObjectComm((PetscObject)ts), e), PETSC_ERR_LIB, "LEAP: %s", e.what());
  }
  L->last_observed_step = ts->steps;
  L->last_observed_time = t;
  PetscFunctionReturn(0);
}

// Frames (steps of frame_dt) left before the TS's max steps and max time.
int64_t FramesLeft(TS ts, const LeapTS* L) {
  const int64_t by_steps = int64_t(ts->max_steps) - int64_t(ts->steps);
  const double by_time = std::floor(double(ts->max_time - ts->ptime) / double(L->frame_dt) + 1e-9);
  return std::min<int64_t>(by_steps, by_time > 1e15 ? int64_t(1e15) : int64_t(by_time));
}

// The inner TS (the program's integrator) takes `frames` steps of frame_dt from the outer TS's time,
// step number and state (the shared solution vector): a check's solver run.
PetscErrorCode InnerFrames(TS ts, LeapTS* L, int64_t frames) {
  TS in = L->inner;
  PetscFunctionBeginUser;
  PetscCall(TSSetTime(in, ts->ptime));
  PetscCall(TSSetTimeStep(in, L->frame_dt));
  PetscCall(TSSetStepNumber(in, ts->steps));
  PetscCall(TSSetMaxTime(in, ts->max_time));
  PetscCall(TSSetMaxSteps(in, ts->max_steps));
  PetscCall(TSRestartStep(in));
  const double start = MPI_Wtime();
  for (int64_t k = 0; k < frames; ++k) {
    PetscCall(PetscLogEventBegin(L->events.inner, ts, 0, 0, 0));
    PetscCall(TSStep(in));
    PetscCall(PetscLogEventEnd(L->events.inner, ts, 0, 0, 0));
    PetscCheck(in->reason >= 0, PetscObjectComm((PetscObject)ts), PETSC_ERR_NOT_CONVERGED,
               "LEAP: the inner TS failed (reason %d) in the check's solver steps", int(in->reason));
  }
  L->summary.inner_seconds += MPI_Wtime() - start;
  PetscCall(TSRestartStep(in));
  PetscFunctionReturn(0);
}

bool CanLeap(TS ts, const LeapTS* L) {
  return L->policy.due(L->controller->ready(), FramesLeft(ts, L));
}

// One leap attempt (collective). *advanced: the outer step is done, with the emulated state (an
// accepted leap) or the inner TS's own (a failed check); time and step number are those of its end.
PetscErrorCode Leap(TS ts, LeapTS* L, PetscBool* advanced) {
  MPI_Comm comm = PetscObjectComm((PetscObject)ts);
  const PetscInt frames = PetscInt(L->policy.leap_frames());
  const PetscReal t_new = ts->ptime + PetscReal(frames) * L->frame_dt;
  std::vector<PetscScalar> before;
  const plugin::LeapRecord* r = nullptr;
  PetscFunctionBeginUser;
  *advanced = PETSC_FALSE;
  if (!L->conserved.empty()) PetscCall(LeapConservedSums(ts->vec_sol, L->conserved, &before));
  PetscCall(PetscLogEventBegin(L->events.check, ts, 0, 0, 0));
  const double start = MPI_Wtime();
  try {
    TSStateSolver solver(
        ts, t_new, [ts, L](int64_t n) { return InnerFrames(ts, L, n); }, &L->conserved, &before,
        &L->summary.conserved_max_change);
    if (L->coarse.has_integrator())
      solver.set_coarse([ts, L](plugin::HybridController& c, int64_t n) { CoarseFrames(ts, L, c, n); });
    const at::Tensor theta = L->theta.empty() ? at::Tensor() : at::tensor(L->theta, at::kFloat);
    r = &L->policy.attempt(int64_t(ts->steps), *L->controller, theta, solver);
  } catch (const PetscFailure& e) {
    PetscCall(e.ierr);
  } catch (const std::exception& e) {
    SETERRQ(ErrorComm(comm, e), PETSC_ERR_LIB, "LEAP: the leap at step %" PetscInt_FMT " failed: %s",
            ts->steps, e.what());
  }
  L->summary.check_seconds += MPI_Wtime() - start;
  PetscCall(PetscLogEventEnd(L->events.check, ts, 0, 0, 0));
  if (r->checked)
    PetscCall(PetscInfo(ts,
                        "LEAP: check at step %" PetscInt_FMT ": %" PetscInt_FMT
                        " steps, VRMSE %g, next leap %" PetscInt_FMT " steps\n",
                        ts->steps, frames, r->check_vrmse, PetscInt(r->next_frames)));
  if (r->accepted()) {
    PetscCall(PetscInfo(ts, "LEAP: leap accepted at step %" PetscInt_FMT ": t %g -> %g\n", ts->steps,
                        double(ts->ptime), double(t_new)));
    L->summary.steps_emulated += frames;
    ++L->summary.leaps_accepted;
  } else {
    PetscCall(
        PetscInfo(ts, "LEAP: leap rejected at step %" PetscInt_FMT ": %s\n", ts->steps, r->reason.c_str()));
    L->summary.rejections.push_back("step " + std::to_string(ts->steps) + ": " + r->reason);
    ++L->summary.leaps_rejected;
    if (r->checked) L->summary.steps_solver += frames;  // the inner TS's steps of the check stand
  }
  if (r->accepted() || r->checked) {
    *advanced = PETSC_TRUE;
    ts->ptime = t_new;
    ts->steps += frames - 1;  // TSStep counts the last one
    L->controller->clear_context();
    PetscCall(TSRestartStep(L->inner));
    L->last_step_inner = false;  // the inner TS restarts from this state
  }
  PetscFunctionReturn(0);
}

// One step of the inner TS from the outer's time, step size and state (shared vector).
PetscErrorCode InnerStep(TS ts, LeapTS* L) {
  TS in = L->inner;
  PetscFunctionBeginUser;
  if (ts->steps == 0) {
    in->snes_its = 0;
    in->ksp_its = 0;
    in->num_snes_failures = 0;
    in->reject = 0;
  }
  PetscCall(TSSetTime(in, ts->ptime));
  PetscCall(TSSetTimeStep(in, ts->time_step));
  PetscCall(TSSetStepNumber(in, ts->steps));
  PetscCall(TSSetMaxTime(in, ts->max_time));
  PetscCall(TSSetMaxSteps(in, ts->max_steps));
  PetscCall(TSSetExactFinalTime(in, ts->exact_final_time == TS_EXACTFINALTIME_MATCHSTEP
                                        ? TS_EXACTFINALTIME_MATCHSTEP
                                        : TS_EXACTFINALTIME_STEPOVER));
  PetscCall(PetscLogEventBegin(L->events.inner, ts, 0, 0, 0));
  const double start = MPI_Wtime();
  PetscCall(TSStep(in));
  L->summary.inner_seconds += MPI_Wtime() - start;
  PetscCall(PetscLogEventEnd(L->events.inner, ts, 0, 0, 0));
  ts->snes_its = in->snes_its;
  ts->ksp_its = in->ksp_its;
  ts->num_snes_failures = in->num_snes_failures;
  ts->reject = in->reject;
  if (in->reason < 0) {
    ts->reason = in->reason;  // the outer TSStep reports the failure as its own
    PetscFunctionReturn(0);
  }
  ts->ptime = in->ptime;
  ts->time_step = in->time_step;
  ++L->summary.steps_solver;
  L->policy.solver_frames(1);
  L->controller->record_solver_frames(1);
  L->last_step_inner = true;
  PetscFunctionReturn(0);
}

PetscErrorCode TSStep_Leap(TS ts) {
  LeapTS* L = Data(ts);
  PetscBool advanced = PETSC_FALSE;  // by a leap, or by a failed check's inner steps
  PetscFunctionBeginUser;
  try {
    util::fault_point("ts_step");
  } catch (const std::exception& e) {
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_LIB, "LEAP: %s", e.what());
  }
  if (L->inner->vec_sol != ts->vec_sol) PetscCall(TSSetSolution(L->inner, ts->vec_sol));
  if (ts->steprestart) PetscCall(TSRestartStep(L->inner));  // a new solve, or the program changed the state
  if (L->frame_dt <= 0) L->frame_dt = L->opt.frame_dt > 0 ? L->opt.frame_dt : ts->time_step;
  PetscCheck(L->frame_dt > 0, PetscObjectComm((PetscObject)ts), PETSC_ERR_USER_INPUT,
             "LEAP: the frame time step must be > 0 (-ts_dt or -leap_frame_dt), found %g",
             double(L->frame_dt));
  PetscCall(Observe(ts, L));
  if (CanLeap(ts, L)) PetscCall(Leap(ts, L, &advanced));
  if (!advanced) PetscCall(InnerStep(ts, L));
  L->dirty = true;
  // The last step of TSSolve (TSStep counts this one after we return): the summary is complete.
  if (ts->reason >= 0 && (ts->steps + 1 >= ts->max_steps || ts->ptime >= ts->max_time)) {
    PetscCall(WriteSummary(ts, L));
  }
  PetscFunctionReturn(0);
}

PetscErrorCode TSInterpolate_Leap(TS ts, PetscReal t, Vec X) {
  LeapTS* L = Data(ts);
  PetscFunctionBeginUser;
  PetscCheck(L->inner && L->last_step_inner, PetscObjectComm((PetscObject)ts), PETSC_ERR_SUP,
             "LEAP: cannot interpolate within a leap (the last step was emulated); use -ts_exact_final_time "
             "stepover "
             "or matchstep");
  PetscCall(TSInterpolate(L->inner, t, X));
  PetscFunctionReturn(0);
}

PetscErrorCode TSView_Leap(TS ts, PetscViewer viewer) {
  LeapTS* L = Data(ts);
  PetscBool ascii = PETSC_FALSE;
  PetscFunctionBeginUser;
  PetscCall(PetscObjectTypeCompare((PetscObject)viewer, PETSCVIEWERASCII, &ascii));
  if (!ascii) PetscFunctionReturn(0);
  const Options& o = L->opt;
  const TSLeapSummary& s = L->summary;
  PetscCall(FillTimes(L));
  PetscCall(PetscViewerASCIIPrintf(viewer,
                                   "  LEAP: leaps of %" PetscInt_FMT " frames after %" PetscInt_FMT
                                   " solver steps, %" PetscInt_FMT " member(s), frame dt %g\n",
                                   PetscInt(o.policy.leap_frames), PetscInt(o.policy.solver_frames),
                                   o.members, double(L->frame_dt)));
  if (!o.oracle.empty())
    PetscCall(PetscViewerASCIIPrintf(viewer, "  LEAP emulator: oracle %s (trajectory %" PetscInt_FMT ")\n",
                                     o.oracle.c_str(), o.oracle_trajectory));
  else
    PetscCall(PetscViewerASCIIPrintf(viewer,
                                     "  LEAP emulator: latent diffusion, -leap_ae %s -leap_emulator %s\n",
                                     o.ae.c_str(), o.emulator.c_str()));
  PetscCall(PetscViewerASCIIPrintf(
      viewer,
      "  LEAP steps: %" PetscInt_FMT " by the solver, %" PetscInt_FMT " emulated; leaps: %" PetscInt_FMT
      " accepted, %" PetscInt_FMT " rejected; context restarts: %" PetscInt_FMT "\n",
      s.steps_solver, s.steps_emulated, s.leaps_accepted, s.leaps_rejected, s.context_restarts));
  PetscCall(PetscViewerASCIIPrintf(
      viewer, "  LEAP seconds (rank 0): inner steps %g, gather %g, emulate %g, scatter %g, check %g\n",
      s.inner_seconds, s.gather_seconds, s.emulate_seconds, s.scatter_seconds, s.check_seconds));
  if (L->coarse.has_integrator())
    PetscCall(PetscViewerASCIIPrintf(
        viewer,
        "  LEAP solver guidance (%s): the inner TS's integrator on the DMDA coarsened by %" PetscInt_FMT
        " (DMCoarsen), %" PetscInt_FMT " coarse frames in %g s (rank 0)\n",
        o.policy.guidance.c_str(), PetscInt(o.policy.coarse_factor),
        PetscInt(L->controller->stats().coarse_frames), L->controller->stats().coarse_seconds));
  for (size_t k = 0; k < L->conserved.size(); ++k)
    PetscCall(PetscViewerASCIIPrintf(viewer,
                                     "  LEAP keeps the total of dof %" PetscInt_FMT
                                     " (%s) by %s; largest relative "
                                     "change put back: %g\n",
                                     L->conserved[k].dof, L->fields[size_t(L->conserved[k].dof)].c_str(),
                                     L->conserved[k].multiplicative ? "scaling" : "a uniform shift",
                                     k < s.conserved_max_change.size() ? s.conserved_max_change[k] : 0.0));
  if (o.policy.check_every > 0) {
    PetscInt checked = 0, passed = 0;
    for (const auto& r : L->policy.records()) {
      checked += r.checked ? 1 : 0;
      passed += r.checked && r.check_passed ? 1 : 0;
    }
    PetscCall(PetscViewerASCIIPrintf(viewer,
                                     "  LEAP check mode: every %" PetscInt_FMT
                                     " leap(s), tolerance %g; %" PetscInt_FMT " checked, %" PetscInt_FMT
                                     " passed; leap length now %" PetscInt_FMT "\n",
                                     PetscInt(o.policy.check_every), o.policy.check_tolerance, checked,
                                     passed, PetscInt(L->policy.leap_frames())));
  }
  for (const auto& r : s.rejections)
    PetscCall(PetscViewerASCIIPrintf(viewer, "  LEAP rejected: %s\n", r.c_str()));
  if (L->inner) {
    PetscCall(PetscViewerASCIIPrintf(viewer, "  LEAP inner TS (the solver steps):\n"));
    PetscCall(PetscViewerASCIIPushTab(viewer));
    PetscCall(TSView(L->inner, viewer));
    PetscCall(PetscViewerASCIIPopTab(viewer));
  }
  PetscFunctionReturn(0);
}

PetscErrorCode CheckLeapType(TS ts) {
  PetscBool leap = PETSC_FALSE;
  PetscFunctionBeginUser;
  PetscCall(PetscObjectTypeCompare((PetscObject)ts, "leap", &leap));
  PetscCheck(leap, PetscObjectComm((PetscObject)ts), PETSC_ERR_ARG_WRONG, "LEAP: the TS is not of type leap");
  PetscFunctionReturn(0);
}

}  // namespace

PetscErrorCode TSCreate_Leap(TS ts) {
  PetscFunctionBeginUser;
  auto L = std::make_unique<LeapTS>();
  ts->data = L.release();
  ts->ops->setup = TSSetUp_Leap;
  ts->ops->step = TSStep_Leap;
  ts->ops->reset = TSReset_Leap;
  ts->ops->destroy = TSDestroy_Leap;
  ts->ops->setfromoptions = TSSetFromOptions_Leap;
  ts->ops->view = TSView_Leap;
  ts->ops->interpolate = TSInterpolate_Leap;
  ts->usessnes = PETSC_FALSE;
  ts->default_adapt_type = TSADAPTNONE;
  PetscFunctionReturn(0);
}

PetscErrorCode LeapTSRegister() {
  PetscFunctionBeginUser;
  PetscCall(TSRegister("leap", TSCreate_Leap));
  PetscFunctionReturn(0);
}

PetscErrorCode TSLeapGetInnerTS(TS ts, TS* inner) {
  PetscFunctionBeginUser;
  PetscCall(CheckLeapType(ts));
  *inner = Data(ts)->inner;
  PetscFunctionReturn(0);
}

PetscErrorCode TSLeapGetSummary(TS ts, TSLeapSummary* summary) {
  PetscFunctionBeginUser;
  PetscCall(CheckLeapType(ts));
  PetscCall(FillTimes(Data(ts)));
  *summary = Data(ts)->summary;
  PetscFunctionReturn(0);
}

}  // namespace leap::petsc
