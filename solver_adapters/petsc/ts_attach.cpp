// LEAP attached to a FluidSolver's TS: the frame-by-frame hybrid driver (see ts_attach.h).
#include "leap/petsc/ts_attach.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <exception>
#include <numeric>

#include "adapter_support.h"
#include "leap/error.h"
#include "leap/plugin/leap_policy.h"
#include "leap_log_events.h"
#include "policy_options.h"

namespace leap::petsc {
namespace {

struct LeapEvents {
  LeapPhaseEvents phases;
  PetscLogEvent restore = 0;
};

PetscErrorCode LeapLogEvents(LeapEvents* out) {
  PetscFunctionBeginUser;
  PetscCall(LeapGetPhaseEvents(&out->phases));
  PetscCall(LeapRegisterEvent("LeapRestore", &out->restore));
  PetscFunctionReturn(0);
}

PetscInt RoundFrames(PetscReal span, PetscReal interval) {
  return PetscInt(std::llround(span / interval));
}

}  // namespace

plugin::LeapPolicyOptions PolicyOptions(const LeapAttachOptions& o) {
  plugin::LeapPolicyOptions p;
  p.leap_frames = o.leap_frames;
  p.solver_frames = o.solver_frames;
  p.max_spread = double(o.max_spread);
  p.check_every = o.check_every;
  p.check_tolerance = double(o.check_tolerance);
  p.min_leap_frames = o.min_leap_frames;
  p.max_leap_frames = o.max_leap_frames;
  p.guidance = o.guidance;
  p.coarse_factor = o.coarse_factor;
  p.guidance_noise = double(o.guidance_noise);
  p.guidance_iterations = o.guidance_iterations;
  return p;
}

// The attached FluidSolver as the policy's LeapSolver: the state is the TS's solution vector; the
// saved state and the check's reference are copies of it.
class LeapAttachment::Solver final : public plugin::LeapSolver {
 public:
  Solver(LeapAttachment* a, const std::vector<PetscScalar>* before, bool restore, PetscLogEvent restore_event)
      : a_(a), before_(before), restore_(restore), restore_event_(restore_event) {}
  ~Solver() override {
    VecDestroy(&saved_);
    VecDestroy(&reference_);
  }
  Vec u() const { return a_->solver_->solution(); }
  void save_state() override {
    if (!saved_) PetscCheckThrow(VecDuplicate(u(), &saved_));
    PetscCheckThrow(VecCopy(u(), saved_));
  }
  void restore_state() override { PetscCheckThrow(VecCopy(saved_, u())); }
  // The solver's fields are its own to derive (e.g. conserved from primitive variables): the block
  // (the controller's xyc) goes through field blocks.
  void inject(const std::vector<float>& block) override {
    PetscCheckThrow(a_->solver_->InjectWellFields(a_->controller_->unpack(block)));
  }
  bool conserve(std::string* why) override {
    if (!restore_) return true;
    PetscBool ok = PETSC_TRUE;
    PetscCheckThrow(PetscLogEventBegin(restore_event_, u(), 0, 0, 0));
    if (a_->solver_restores_)
      PetscCheckThrow(a_->solver_->RestoreConserved(*before_, &ok));
    else
      PetscCheckThrow(LeapRestoreConservedSums(u(), a_->conserved_, *before_));
    PetscCheckThrow(PetscLogEventEnd(restore_event_, u(), 0, 0, 0));
    if (!ok) *why = "the conserved totals cannot be restored with a positive pressure";
    return ok == PETSC_TRUE;
  }
  bool finite() override {
    PetscReal norm;
    PetscCheckThrow(VecNorm(u(), NORM_2, &norm));
    return !PetscIsInfOrNanReal(norm);
  }
  bool admissible(std::string* why) override {
    PetscBool ok = PETSC_TRUE;
    PetscCheckThrow(a_->solver_->Admissible(&ok, why));
    return ok == PETSC_TRUE;
  }
  std::vector<float> solve_reference(int64_t frames) override {
    // The solver runs the same interval from the same start (observed and recorded as it goes).
    for (int64_t j = 0; j < frames; ++j) PetscCheckThrow(a_->SolverFrame());
    std::vector<float> truth = state();
    if (!reference_) PetscCheckThrow(VecDuplicate(u(), &reference_));
    PetscCheckThrow(VecCopy(u(), reference_));
    PetscCheckThrow(VecCopy(saved_, u()));
    return truth;
  }
  void use_reference() override { PetscCheckThrow(VecCopy(reference_, u())); }
  std::vector<float> state() override {
    plugin::FieldBlocks f;
    PetscCheckThrow(a_->ExtractFields(&f));
    return a_->controller_->pack(f);
  }
  // The coarse solver restarts from the restricted state at the leap's start and lands on each of
  // its frames.
  void run_coarse(plugin::HybridController& c, int64_t frames) override {
    FluidSolver& coarse = *a_->options_.coarse;
    const PetscReal dt = a_->options_.frame_interval;
    PetscCheckThrow(coarse.InjectWellFields(c.restrict_last_frame()));
    PetscCheckThrow(TSSetTime(coarse.ts(), a_->t0_ + PetscReal(a_->frame_) * dt));
    PetscCheckThrow(TSRestartStep(coarse.ts()));
    const auto wf = coarse.well_fields();
    for (int64_t j = 1; j <= frames; ++j) {
      PetscCheckThrow(coarse.Advance(a_->t0_ + PetscReal(a_->frame_ + j) * dt));
      plugin::FieldBlocks f(wf.size());
      for (size_t k = 0; k < wf.size(); ++k) PetscCheckThrow(coarse.ExtractWellField(wf[k].name, &f[k]));
      c.observe_coarse(f);
    }
  }

 private:
  LeapAttachment* a_;
  const std::vector<PetscScalar>* before_;
  bool restore_;
  PetscLogEvent restore_event_;
  Vec saved_ = nullptr, reference_ = nullptr;
};

PetscErrorCode LeapAttachOptionsFromDatabase(MPI_Comm comm, LeapAttachOptions* o) {
  char mode[32], path[PETSC_MAX_PATH_LEN];
  PetscBool set = PETSC_FALSE, rset = PETSC_FALSE;
  PetscFunctionBeginUser;
  PetscCall(PetscStrncpy(mode, o->mode.c_str(), sizeof(mode)));
  PetscOptionsBegin(comm, nullptr, "LEAP hybrid run options", "LEAP");
  PetscCall(PetscOptionsString("-leap_mode", "off, record or hybrid", "LeapAttachCreate", mode, mode,
                               sizeof(mode), &set));
  PetscCall(PetscOptionsReal("-leap_frame_interval", "simulated time between frames", "LeapAttachCreate",
                             o->frame_interval, &o->frame_interval, nullptr));
  PetscCall(PetscOptionsInt("-leap_members", "ensemble members per leap", "LeapAttachCreate", o->members,
                            &o->members, nullptr));
  PetscCall(PetscOptionsBool("-leap_restore_conserved", "restore conserved totals after a leap",
                             "LeapAttachCreate", o->restore_conserved, &o->restore_conserved, nullptr));
  plugin::LeapPolicyOptions policy = PolicyOptions(*o);
  PetscCall(LeapPolicyOptionsRead(PetscOptionsObject, "LeapAttachCreate", &policy));
  o->leap_frames = PetscInt(policy.leap_frames);
  o->solver_frames = PetscInt(policy.solver_frames);
  o->max_spread = PetscReal(policy.max_spread);
  o->check_every = PetscInt(policy.check_every);
  o->check_tolerance = PetscReal(policy.check_tolerance);
  o->min_leap_frames = PetscInt(policy.min_leap_frames);
  o->max_leap_frames = PetscInt(policy.max_leap_frames);
  o->guidance = policy.guidance;
  o->coarse_factor = PetscInt(policy.coarse_factor);
  o->guidance_noise = PetscReal(policy.guidance_noise);
  o->guidance_iterations = PetscInt(policy.guidance_iterations);
  PetscCall(PetscOptionsString("-leap_record_dir", "record the solver's frames as a dataset here",
                               "LeapAttachCreate", o->record.dir.c_str(), path, sizeof(path), &rset));
  if (rset) o->record.dir = path;
  PetscCall(PetscOptionsString("-leap_record_name", "file name stem of recorded trajectories",
                               "LeapAttachCreate", o->record.name.c_str(), path, sizeof(path), &rset));
  if (rset) o->record.name = path;
  PetscInt frames = PetscInt(o->record.frames_per_trajectory), every = PetscInt(o->record.valid_every);
  PetscCall(PetscOptionsInt("-leap_record_frames", "frames per recorded trajectory", "LeapAttachCreate",
                            frames, &frames, nullptr));
  PetscCall(PetscOptionsInt("-leap_record_valid_every", "every k-th recorded trajectory to valid/ (0: none)",
                            "LeapAttachCreate", every, &every, nullptr));
  o->record.frames_per_trajectory = frames;
  o->record.valid_every = every;
  PetscOptionsEnd();
  if (set) o->mode = mode;
  PetscFunctionReturn(0);
}

PetscErrorCode LeapAttachCreate(FluidSolver* solver, const LeapAttachOptions& options,
                                std::unique_ptr<LeapAttachment>* out) {
  MPI_Comm comm;
  DMBoundaryType bx, by;
  data::Block block;
  LeapEvents events;
  PetscFunctionBeginUser;
  PetscCheck(solver && out, PETSC_COMM_SELF, PETSC_ERR_ARG_NULL,
             "LEAP: LeapAttachCreate needs a solver and an output");
  PetscCall(PetscObjectGetComm((PetscObject)solver->ts(), &comm));
  PetscCheck(options.mode == "off" || options.mode == "record" || options.mode == "hybrid", comm,
             PETSC_ERR_ARG_OUTOFRANGE, "LEAP: -leap_mode must be off, record or hybrid, not '%s'",
             options.mode.c_str());
  PetscCheck(options.frame_interval > 0, comm, PETSC_ERR_ARG_OUTOFRANGE,
             "LEAP: -leap_frame_interval must be > 0, got %g", (double)options.frame_interval);
  PetscCheck(options.members >= 1, comm, PETSC_ERR_ARG_OUTOFRANGE,
             "LEAP: -leap_members must be >= 1, got %" PetscInt_FMT, options.members);
  const plugin::LeapPolicyOptions policy = PolicyOptions(options);
  const std::string problem = policy.problem("-leap_");
  PetscCheck(problem.empty(), comm, PETSC_ERR_ARG_OUTOFRANGE, "LEAP: %s", problem.c_str());
  PetscCall(LeapLogEvents(&events));

  auto a = std::make_unique<LeapAttachment>();
  a->solver_ = solver;
  a->options_ = options;
  a->t0_ = solver->time();
  a->policy_ = plugin::LeapPolicy(policy);
  a->solver_restores_ = options.conserved.empty();
  a->conserved_ = a->solver_restores_ ? solver->ConservedDofs() : options.conserved;
  PetscCall(DMDAGetInfo(solver->dm(), nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr,
                        nullptr, &bx, &by, nullptr, nullptr));
  a->periodic_ = (bx == DM_BOUNDARY_PERIODIC && by == DM_BOUNDARY_PERIODIC) ? PETSC_TRUE : PETSC_FALSE;
  for (const auto& p : solver->parameters()) a->theta_.push_back(float(p.second));
  const auto axes = solver->axes();
  for (const auto& ax : axes) a->theta_.push_back(ax.bc_type == "periodic" ? 1.f : 0.f);
  if (options.mode != "off") {
    PetscCall(solver->GetBlock(&block));
    std::vector<int64_t> components;
    for (const auto& f : solver->well_fields())
      components.push_back(f.order == 0   ? 1
                           : f.order == 1 ? int64_t(axes.size())
                                          : int64_t(axes.size() * axes.size()));
    try {
      std::vector<int64_t> grid;
      for (const auto& axis : axes) grid.push_back(axis.size);
      a->controller_ = std::make_unique<plugin::HybridController>(
          comm, grid, block, components, options.emulator, options.members, options.emulators);
    } catch (const std::exception& e) {
      SETERRQ(ErrorComm(comm, e), PETSC_ERR_ARG_WRONG, "LEAP: %s", e.what());
    }
    a->controller_->set_phase_hook(LeapPhaseLogHook(events.phases));
  }
  if (options.mode == "hybrid" && policy.guidance != "off") {
    PetscCheck(options.coarse, comm, PETSC_ERR_ARG_WRONG,
               "LEAP: -leap_guidance %s needs a coarse copy of the solver (LeapAttachOptions::coarse)",
               policy.guidance.c_str());
    const auto coarse_axes = options.coarse->axes();
    bool same = coarse_axes.size() == axes.size();
    for (size_t d = 0; same && d < axes.size(); ++d)
      same = coarse_axes[d].size * options.coarse_factor == axes[d].size;
    PetscCheck(
        same, comm, PETSC_ERR_ARG_INCOMP,
        "LEAP: the coarse solver's grid must be the solver's divided by -leap_coarse_factor %" PetscInt_FMT,
        options.coarse_factor);
    data::Block coarse_block;
    PetscCall(options.coarse->GetBlock(&coarse_block));
    try {
      a->controller_->set_coarse_grid(int64_t(options.coarse_factor), coarse_block);
    } catch (const std::exception& e) {
      SETERRQ(ErrorComm(comm, e), PETSC_ERR_ARG_WRONG, "LEAP: %s", e.what());
    }
  }
  if (options.mode != "off" && !options.record.dir.empty()) {
    data::WellLayout layout;
    layout.dataset_name = solver->dataset_name();
    layout.axes = axes;
    layout.fields = solver->well_fields();
    layout.parameters = solver->parameters();
    try {
      a->recorder_ = std::make_unique<plugin::FrameRecorder>(comm, layout, block, options.record);
    } catch (const std::exception& e) {
      SETERRQ(ErrorComm(comm, e), PETSC_ERR_USER_INPUT, "LEAP: -leap_record_dir %s: %s",
              options.record.dir.c_str(), e.what());
    }
  }
  *out = std::move(a);
  PetscFunctionReturn(0);
}

LeapAttachment::~LeapAttachment() = default;

PetscErrorCode LeapAttachment::ExtractFields(plugin::FieldBlocks* fields) const {
  PetscFunctionBeginUser;
  const auto wf = solver_->well_fields();
  fields->assign(wf.size(), {});
  for (size_t f = 0; f < wf.size(); ++f) PetscCall(solver_->ExtractWellField(wf[f].name, &(*fields)[f]));
  PetscFunctionReturn(0);
}

PetscErrorCode LeapAttachment::Observe() {
  plugin::FieldBlocks fields;
  PetscFunctionBeginUser;
  if (!controller_) PetscFunctionReturn(0);
  PetscCall(ExtractFields(&fields));
  try {
    controller_->observe(fields);
  } catch (const std::exception& e) {
    SETERRQ(ErrorComm(PetscObjectComm((PetscObject)solver_->ts()), e), PETSC_ERR_LIB, "LEAP: %s", e.what());
  }
  PetscFunctionReturn(0);
}

PetscErrorCode LeapAttachment::Record() {
  plugin::FieldBlocks fields;
  PetscFunctionBeginUser;
  if (!recorder_) PetscFunctionReturn(0);
  PetscCall(ExtractFields(&fields));
  try {
    recorder_->add(fields, double(t0_ + PetscReal(frame_) * options_.frame_interval));
  } catch (const std::exception& e) {
    SETERRQ(ErrorComm(PetscObjectComm((PetscObject)solver_->ts()), e), PETSC_ERR_FILE_WRITE,
            "LEAP: recording: %s", e.what());
  }
  PetscFunctionReturn(0);
}

PetscErrorCode LeapAttachment::FinishRecording() {
  PetscFunctionBeginUser;
  if (!recorder_) PetscFunctionReturn(0);
  try {
    recorder_->finish();
  } catch (const std::exception& e) {
    SETERRQ(ErrorComm(PetscObjectComm((PetscObject)solver_->ts()), e), PETSC_ERR_FILE_WRITE,
            "LEAP: recording: %s", e.what());
  }
  PetscFunctionReturn(0);
}

PetscErrorCode LeapAttachment::SolverFrame() {
  PetscFunctionBeginUser;
  PetscCall(solver_->Advance(t0_ + PetscReal(frame_ + 1) * options_.frame_interval));
  ++frame_;
  if (controller_) PetscCall(Observe());
  PetscCall(Record());
  PetscFunctionReturn(0);
}

PetscErrorCode LeapAttachment::Leap(PetscBool* accepted) {
  MPI_Comm comm = PetscObjectComm((PetscObject)solver_->ts());
  LeapEvents events;
  std::vector<PetscScalar> before;
  PetscInt step;
  PetscFunctionBeginUser;
  *accepted = PETSC_FALSE;
  PetscCheck(options_.mode == "hybrid" && controller_, comm, PETSC_ERR_ARG_WRONGSTATE,
             "LEAP: leaps need -leap_mode hybrid (the mode is %s)", options_.mode.c_str());
  PetscCheck(controller_->ready(), comm, PETSC_ERR_ARG_WRONGSTATE,
             "LEAP: a leap needs %" PetscInt_FMT " observed frames", PetscInt(controller_->context_frames()));
  PetscCall(LeapLogEvents(&events));
  const PetscInt start = frame_;
  const bool restore = options_.restore_conserved && periodic_ && !conserved_.empty();
  if (restore) PetscCall(LeapConservedSums(solver_->solution(), conserved_, &before));
  PetscCall(TSGetStepNumber(solver_->ts(), &step));
  const plugin::LeapRecord* r = nullptr;
  try {
    Solver s(this, &before, restore, events.restore);
    r = &policy_.attempt(start, *controller_, at::tensor(theta_, at::kFloat), s);
  } catch (const PetscFailure& e) {
    PetscCall(e.ierr);
  } catch (const std::exception& e) {
    SETERRQ(ErrorComm(comm, e), PETSC_ERR_LIB, "LEAP: %s", e.what());
  }
  // The TS's integrator restarts from the state the attempt left (the emulated one, the check's
  // reference, or the saved one after the check's steps): no FSAL stage or multistep history of a
  // state it did not reach by its own step.
  PetscCall(TSRestartStep(solver_->ts()));
  const PetscInt L = PetscInt(r->frames);
  if (r->checked)
    PetscCall(PetscInfo(solver_->ts(),
                        "LEAP: check at frame %" PetscInt_FMT ": %" PetscInt_FMT
                        " frames, VRMSE %g, next leap %" PetscInt_FMT " frames\n",
                        start, L, r->check_vrmse, PetscInt(r->next_frames)));
  if (r->accepted()) {
    *accepted = PETSC_TRUE;
    frame_ = start + L;
    PetscCall(TSSetTime(solver_->ts(), t0_ + PetscReal(frame_) * options_.frame_interval));
    PetscCall(TSSetStepNumber(solver_->ts(), step + L));
    controller_->clear_context();
    PetscCall(Observe());
    if (recorder_) {
      recorder_->break_segment();  // the injected state starts a new segment
      PetscCall(Record());
    }
  } else {
    PetscCall(PetscInfo(solver_->ts(), "LEAP: leap rejected at frame %" PetscInt_FMT ": %s\n", start,
                        r->reason.c_str()));
  }
  PetscFunctionReturn(0);
}

std::vector<double> LeapAttachment::spreads() const {
  std::vector<double> v;
  for (const auto& r : policy_.records()) v.push_back(r.spread);
  return v;
}

std::vector<double> LeapAttachment::relative_spreads() const {
  std::vector<double> v;
  for (const auto& r : policy_.records()) v.push_back(r.relative_spread);
  return v;
}

std::vector<LeapCheck> LeapAttachment::checks() const {
  std::vector<LeapCheck> v;
  for (const auto& r : policy_.records())
    if (r.checked)
      v.push_back(
          {PetscInt(r.frame), PetscInt(r.frames), r.check_vrmse, r.check_passed, PetscInt(r.next_frames)});
  return v;
}

PetscInt LeapAttachment::check_frames() const {
  PetscInt n = 0;
  for (const auto& r : policy_.records())
    if (r.checked && r.accepted()) n += PetscInt(r.frames);
  return n;
}

std::vector<std::string> LeapAttachment::rejections() const {
  std::vector<std::string> v;
  for (const auto& r : policy_.records())
    if (!r.accepted()) v.push_back("frame " + std::to_string(r.frame) + ": " + r.reason);
  return v;
}

PetscErrorCode LeapAttachment::Run(PetscReal t_end) {
  MPI_Comm comm = PetscObjectComm((PetscObject)solver_->ts());
  PetscFunctionBeginUser;
  const PetscInt end = RoundFrames(t_end - t0_, options_.frame_interval);
  PetscCheck(std::abs(t0_ + PetscReal(end) * options_.frame_interval - t_end) <=
                 1e-9 * std::max<PetscReal>(1, std::abs(t_end)),
             comm, PETSC_ERR_ARG_OUTOFRANGE, "LEAP: the end time %g is not a frame time (t0 %g + k * %g)",
             (double)t_end, (double)t0_, (double)options_.frame_interval);
  PetscCheck(end >= frame_, comm, PETSC_ERR_ARG_OUTOFRANGE, "LEAP: cannot run backwards to t = %g",
             (double)t_end);
  // Off: the same frame-by-frame landing, without LEAP (the reference a hybrid run compares with).
  if (controller_ && controller_->stats().observations == 0) {
    PetscCall(Observe());
    PetscCall(Record());
  }
  while (frame_ < end) {
    if (options_.mode == "hybrid" && policy_.due(controller_->ready(), int64_t(end - frame_))) {
      PetscBool accepted;
      const PetscInt before = frame_;
      PetscCall(Leap(&accepted));
      if (accepted || frame_ != before) continue;  // leapt, or a failed check's solver frames ran
    }
    PetscCall(SolverFrame());
    policy_.solver_frames(1);
    if (controller_) controller_->record_solver_frames(1);
  }
  PetscFunctionReturn(0);
}

}  // namespace leap::petsc
