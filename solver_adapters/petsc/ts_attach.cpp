// LEAP attached to a FluidSolver's TS: the frame-by-frame hybrid driver (see ts_attach.h).
#include "leap/petsc/ts_attach.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <exception>
#include <numeric>

#include "leap/error.h"
#include "leap_log_events.h"

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

PetscErrorCode LeapAttachOptionsFromDatabase(MPI_Comm comm, LeapAttachOptions* o) {
  char mode[32], path[PETSC_MAX_PATH_LEN];
  PetscBool set = PETSC_FALSE, rset = PETSC_FALSE;
  PetscFunctionBeginUser;
  PetscCall(PetscStrncpy(mode, o->mode.c_str(), sizeof(mode)));
  PetscOptionsBegin(comm, nullptr, "LEAP hybrid run options", "LEAP");
  PetscCall(PetscOptionsString("-leap_mode", "off, record or hybrid", "LeapTSAttach", mode, mode,
                               sizeof(mode), &set));
  PetscCall(PetscOptionsInt("-leap_leap_frames", "frames skipped per leap", "LeapTSAttach", o->leap_frames,
                            &o->leap_frames, nullptr));
  PetscCall(PetscOptionsInt("-leap_solver_frames", "solver frames between leaps", "LeapTSAttach",
                            o->solver_frames, &o->solver_frames, nullptr));
  PetscCall(PetscOptionsReal("-leap_frame_interval", "simulated time between frames", "LeapTSAttach",
                             o->frame_interval, &o->frame_interval, nullptr));
  PetscCall(PetscOptionsInt("-leap_members", "ensemble members per leap", "LeapTSAttach", o->members,
                            &o->members, nullptr));
  PetscCall(PetscOptionsBool("-leap_restore_conserved", "restore conserved totals after a leap",
                             "LeapTSAttach", o->restore_conserved, &o->restore_conserved, nullptr));
  PetscCall(PetscOptionsReal("-leap_max_spread",
                             "relative ensemble spread above which a leap is suppressed (0: off)",
                             "LeapTSAttach", o->max_spread, &o->max_spread, nullptr));
  PetscCall(PetscOptionsInt("-leap_check_every", "check every k-th leap against the solver (0: off)",
                            "LeapTSAttach", o->check_every, &o->check_every, nullptr));
  PetscCall(PetscOptionsReal("-leap_check_tolerance", "VRMSE a checked leap may have", "LeapTSAttach",
                             o->check_tolerance, &o->check_tolerance, nullptr));
  PetscCall(PetscOptionsInt("-leap_min_leap_frames", "shortest adapted leap", "LeapTSAttach",
                            o->min_leap_frames, &o->min_leap_frames, nullptr));
  PetscCall(PetscOptionsInt("-leap_max_leap_frames", "longest adapted leap (0: 4 x leap_frames)",
                            "LeapTSAttach", o->max_leap_frames, &o->max_leap_frames, nullptr));
  PetscCall(PetscOptionsString("-leap_record_dir", "record the solver's frames as a dataset here",
                               "LeapTSAttach", o->record.dir.c_str(), path, sizeof(path), &rset));
  if (rset) o->record.dir = path;
  PetscCall(PetscOptionsString("-leap_record_name", "file name stem of recorded trajectories", "LeapTSAttach",
                               o->record.name.c_str(), path, sizeof(path), &rset));
  if (rset) o->record.name = path;
  PetscInt frames = PetscInt(o->record.frames_per_trajectory), every = PetscInt(o->record.valid_every);
  PetscCall(PetscOptionsInt("-leap_record_frames", "frames per recorded trajectory", "LeapTSAttach", frames,
                            &frames, nullptr));
  PetscCall(PetscOptionsInt("-leap_record_valid_every", "every k-th recorded trajectory to valid/ (0: none)",
                            "LeapTSAttach", every, &every, nullptr));
  o->record.frames_per_trajectory = frames;
  o->record.valid_every = every;
  PetscOptionsEnd();
  if (set) o->mode = mode;
  PetscFunctionReturn(0);
}

PetscErrorCode LeapConservedSums(Vec u, const std::vector<ConservedDof>& dofs,
                                 std::vector<PetscScalar>* sums) {
  PetscInt bs;
  PetscFunctionBeginUser;
  PetscCall(VecGetBlockSize(u, &bs));
  std::vector<PetscScalar> all(static_cast<size_t>(bs));
  PetscCall(VecStrideSumAll(u, all.data()));
  sums->clear();
  for (const auto& d : dofs) {
    PetscCheck(d.dof >= 0 && d.dof < bs, PetscObjectComm((PetscObject)u), PETSC_ERR_ARG_OUTOFRANGE,
               "LEAP: conserved dof %" PetscInt_FMT " out of range (block size %" PetscInt_FMT ")", d.dof,
               bs);
    sums->push_back(all[size_t(d.dof)]);
  }
  PetscFunctionReturn(0);
}

PetscErrorCode LeapRestoreConservedSums(Vec u, const std::vector<ConservedDof>& dofs,
                                        const std::vector<PetscScalar>& target) {
  PetscInt bs, n, N;
  std::vector<PetscScalar> sums;
  PetscFunctionBeginUser;
  PetscCheck(dofs.size() == target.size(), PetscObjectComm((PetscObject)u), PETSC_ERR_ARG_SIZ,
             "LEAP: %zu conserved dofs but %zu targets", dofs.size(), target.size());
  PetscCall(LeapConservedSums(u, dofs, &sums));
  PetscCall(VecGetBlockSize(u, &bs));
  PetscCall(VecGetLocalSize(u, &n));
  PetscCall(VecGetSize(u, &N));
  const PetscReal cells = PetscReal(N / bs);
  PetscScalar* a;
  PetscCall(VecGetArray(u, &a));
  for (size_t k = 0; k < dofs.size(); ++k) {
    const PetscScalar s = sums[k], s0 = target[k];
    const bool scale =
        dofs[k].multiplicative && PetscRealPart(s) != 0 && PetscRealPart(s) * PetscRealPart(s0) > 0;
    const PetscScalar factor = scale ? s0 / s : 1, shift = scale ? 0 : (s0 - s) / cells;
    for (PetscInt i = dofs[k].dof; i < n; i += bs) a[i] = scale ? a[i] * factor : a[i] + shift;
  }
  PetscCall(VecRestoreArray(u, &a));
  PetscFunctionReturn(0);
}

PetscErrorCode LeapTSAttach(FluidSolver* solver, const LeapAttachOptions& options,
                            std::unique_ptr<LeapAttachment>* out) {
  MPI_Comm comm;
  DMBoundaryType bx, by;
  data::Block block;
  LeapEvents events;
  PetscFunctionBeginUser;
  PetscCheck(solver && out, PETSC_COMM_SELF, PETSC_ERR_ARG_NULL,
             "LEAP: LeapTSAttach needs a solver and an output");
  PetscCall(PetscObjectGetComm((PetscObject)solver->ts(), &comm));
  PetscCheck(options.mode == "off" || options.mode == "record" || options.mode == "hybrid", comm,
             PETSC_ERR_ARG_OUTOFRANGE, "LEAP: -leap_mode must be off, record or hybrid, not '%s'",
             options.mode.c_str());
  PetscCheck(options.leap_frames >= 1, comm, PETSC_ERR_ARG_OUTOFRANGE,
             "LEAP: -leap_leap_frames must be >= 1, got %" PetscInt_FMT, options.leap_frames);
  PetscCheck(options.solver_frames >= 0, comm, PETSC_ERR_ARG_OUTOFRANGE,
             "LEAP: -leap_solver_frames must be >= 0, got %" PetscInt_FMT, options.solver_frames);
  PetscCheck(options.frame_interval > 0, comm, PETSC_ERR_ARG_OUTOFRANGE,
             "LEAP: -leap_frame_interval must be > 0, got %g", (double)options.frame_interval);
  PetscCheck(options.members >= 1, comm, PETSC_ERR_ARG_OUTOFRANGE,
             "LEAP: -leap_members must be >= 1, got %" PetscInt_FMT, options.members);
  PetscCheck(options.max_spread >= 0, comm, PETSC_ERR_ARG_OUTOFRANGE,
             "LEAP: -leap_max_spread must be >= 0, got %g", (double)options.max_spread);
  PetscCheck(options.check_every >= 0, comm, PETSC_ERR_ARG_OUTOFRANGE,
             "LEAP: -leap_check_every must be >= 0, got %" PetscInt_FMT, options.check_every);
  PetscCheck(options.check_tolerance > 0, comm, PETSC_ERR_ARG_OUTOFRANGE,
             "LEAP: -leap_check_tolerance must be > 0, got %g", (double)options.check_tolerance);
  PetscCheck(options.min_leap_frames >= 1 && options.min_leap_frames <= options.leap_frames, comm,
             PETSC_ERR_ARG_OUTOFRANGE,
             "LEAP: -leap_min_leap_frames must be in 1..leap_frames (%" PetscInt_FMT "), got %" PetscInt_FMT,
             options.leap_frames, options.min_leap_frames);
  PetscCheck(options.max_leap_frames == 0 || options.max_leap_frames >= options.leap_frames, comm,
             PETSC_ERR_ARG_OUTOFRANGE,
             "LEAP: -leap_max_leap_frames must be 0 or >= leap_frames (%" PetscInt_FMT
             "), got %" PetscInt_FMT,
             options.leap_frames, options.max_leap_frames);
  PetscCall(LeapLogEvents(&events));

  auto a = std::make_unique<LeapAttachment>();
  a->solver_ = solver;
  a->options_ = options;
  a->t0_ = solver->time();
  a->leap_frames_ = options.leap_frames;
  a->max_leap_frames_ = options.max_leap_frames > 0 ? options.max_leap_frames : 4 * options.leap_frames;
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
      a->controller_ = std::make_unique<plugin::HybridController>(
          comm, std::array<int64_t, 2>{axes[0].size, axes[1].size}, block, components, options.emulator,
          options.members, options.emulators);
    } catch (const std::exception& e) {
      SETERRQ(comm, PETSC_ERR_ARG_WRONG, "LEAP: %s", e.what());
    }
    a->controller_->set_phase_hook(LeapPhaseLogHook(events.phases));
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
      SETERRQ(comm, PETSC_ERR_USER_INPUT, "LEAP: -leap_record_dir %s: %s", options.record.dir.c_str(),
              e.what());
    }
  }
  *out = std::move(a);
  PetscFunctionReturn(0);
}

LeapAttachment::~LeapAttachment() = default;

void LeapAttachment::SetAdmissibility(AdmissibleFn fn) {
  if (!controller_) return;  // mode off: nothing is ever injected
  controller_->set_admissibility([fn = std::move(fn)](std::string* why) {
    PetscBool ok = PETSC_TRUE;
    const PetscErrorCode ierr = fn(&ok, why);
    if (ierr) throw Error("the admissibility check failed with PETSc error " + std::to_string(int(ierr)));
    return ok == PETSC_TRUE;
  });
}

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
    SETERRQ(PetscObjectComm((PetscObject)solver_->ts()), PETSC_ERR_LIB, "LEAP: %s", e.what());
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
    SETERRQ(PetscObjectComm((PetscObject)solver_->ts()), PETSC_ERR_FILE_WRITE, "LEAP: recording: %s",
            e.what());
  }
  PetscFunctionReturn(0);
}

PetscErrorCode LeapAttachment::FinishRecording() {
  PetscFunctionBeginUser;
  if (!recorder_) PetscFunctionReturn(0);
  try {
    recorder_->finish();
  } catch (const std::exception& e) {
    SETERRQ(PetscObjectComm((PetscObject)solver_->ts()), PETSC_ERR_FILE_WRITE, "LEAP: recording: %s",
            e.what());
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

PetscErrorCode LeapAttachment::AdaptLeap(double vrmse, bool passed) {
  PetscFunctionBeginUser;
  const double ratio = vrmse > 0 ? options_.check_tolerance / vrmse : 2.0;
  const double factor = std::min(2.0, std::max(0.5, ratio));
  PetscInt next = PetscInt(std::floor(double(leap_frames_) * factor));
  next = passed ? std::max(next, leap_frames_ + 1) : std::min(next, leap_frames_ - 1);
  leap_frames_ = std::min(max_leap_frames_, std::max(options_.min_leap_frames, next));
  PetscFunctionReturn(0);
}

PetscErrorCode LeapAttachment::Leap(PetscBool* accepted) {
  MPI_Comm comm = PetscObjectComm((PetscObject)solver_->ts());
  LeapEvents events;
  plugin::LeapResult result;
  std::vector<PetscScalar> before;
  Vec saved = nullptr, reference = nullptr;
  PetscInt step;
  std::string why;
  PetscFunctionBeginUser;
  *accepted = PETSC_FALSE;
  PetscCheck(options_.mode == "hybrid" && controller_, comm, PETSC_ERR_ARG_WRONGSTATE,
             "LEAP: leaps need -leap_mode hybrid (the mode is %s)", options_.mode.c_str());
  PetscCheck(controller_->ready(), comm, PETSC_ERR_ARG_WRONGSTATE,
             "LEAP: a leap needs %" PetscInt_FMT " observed frames", PetscInt(controller_->context_frames()));
  PetscCall(LeapLogEvents(&events));
  const PetscInt L = leap_frames_, start = frame_;
  const bool check_due = options_.check_every > 0 && attempts_ % options_.check_every == 0;
  ++attempts_;
  const bool restore = options_.restore_conserved && periodic_ && !options_.conserved.empty();
  if (restore) PetscCall(LeapConservedSums(solver_->solution(), options_.conserved, &before));
  PetscCall(TSGetStepNumber(solver_->ts(), &step));
  try {
    const at::Tensor theta = at::tensor(theta_, at::kFloat);
    result = controller_->leap(theta, L);
  } catch (const std::exception& e) {
    SETERRQ(comm, PETSC_ERR_LIB, "LEAP: %s", e.what());
  }
  spreads_.push_back(result.spread);
  relative_spreads_.push_back(result.relative_spread);
  bool checked = false;
  if (!result.finite) {
    why = "the emulated state is not finite";
  } else if (options_.max_spread > 0 && result.relative_spread > options_.max_spread) {
    why = "the ensemble's relative spread " + std::to_string(result.relative_spread) +
          " is above -leap_max_spread " + std::to_string(double(options_.max_spread));
    ++suppressed_;
  } else {
    PetscCall(VecDuplicate(solver_->solution(), &saved));
    PetscCall(VecCopy(solver_->solution(), saved));
    plugin::FieldBlocks truth;
    if (check_due) {
      // The solver runs the same interval from the same start (observed and recorded as it goes).
      checked = true;
      for (PetscInt j = 0; j < L; ++j) PetscCall(SolverFrame());
      PetscCall(ExtractFields(&truth));
      PetscCall(VecDuplicate(solver_->solution(), &reference));
      PetscCall(VecCopy(solver_->solution(), reference));
      PetscCall(VecCopy(saved, solver_->solution()));
    }
    PetscCall(solver_->InjectWellFields(result.fields));
    PetscBool ok = PETSC_TRUE;
    if (restore) {
      PetscCall(PetscLogEventBegin(events.restore, solver_->solution(), 0, 0, 0));
      if (restore_fn_)
        PetscCall(restore_fn_(before, &ok));
      else
        PetscCall(LeapRestoreConservedSums(solver_->solution(), options_.conserved, before));
      PetscCall(PetscLogEventEnd(events.restore, solver_->solution(), 0, 0, 0));
      if (!ok) why = "the conserved totals cannot be restored with a positive pressure";
    }
    PetscReal norm;
    PetscCall(VecNorm(solver_->solution(), NORM_2, &norm));
    if (!ok) {
      // rejected by the restore
    } else if (PetscIsInfOrNanReal(norm)) {
      ok = PETSC_FALSE;
      why = "the corrected state is not finite";
    } else {
      try {
        ok = controller_->admissible(&why) ? PETSC_TRUE : PETSC_FALSE;
      } catch (const std::exception& e) {
        SETERRQ(comm, PETSC_ERR_LIB, "LEAP: %s", e.what());
      }
    }
    if (checked) {
      plugin::FieldBlocks emulated;
      PetscCall(ExtractFields(&emulated));
      double e = 0;
      try {
        e = controller_->vrmse(truth, emulated);
      } catch (const std::exception& ex) {
        SETERRQ(comm, PETSC_ERR_LIB, "LEAP: %s", ex.what());
      }
      const bool passed = std::isfinite(e) && e <= options_.check_tolerance;
      if (ok && !passed) {
        ok = PETSC_FALSE;
        why = "check: VRMSE " + std::to_string(e) + " against the solver is above -leap_check_tolerance " +
              std::to_string(double(options_.check_tolerance));
      }
      LeapCheck c;
      c.frame = start;
      c.frames = L;
      c.vrmse = e;
      c.passed = passed;
      PetscCall(AdaptLeap(std::isfinite(e) ? e : 1e30, passed));
      c.next_frames = leap_frames_;
      checks_.push_back(c);
      PetscCall(PetscInfo(solver_->ts(),
                          "LEAP: check at frame %" PetscInt_FMT ": %" PetscInt_FMT
                          " frames, VRMSE %g, next leap %" PetscInt_FMT " frames\n",
                          start, L, e, leap_frames_));
    }
    if (ok) {
      *accepted = PETSC_TRUE;
    } else if (checked) {
      PetscCall(VecCopy(reference, solver_->solution()));  // the solver's own result stands
    } else {
      PetscCall(VecCopy(saved, solver_->solution()));
    }
    PetscCall(VecDestroy(&reference));
    PetscCall(VecDestroy(&saved));
  }
  controller_->record_outcome(*accepted, L);
  since_leap_ = 0;
  last_rejected_ = *accepted ? PETSC_FALSE : PETSC_TRUE;
  if (*accepted) {
    if (checked) check_frames_ += L;
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
    if (checked) {  // the check's solver frames are the run's frames now
      controller_->record_solver_frames(L);
      since_leap_ = L;
    }
    PetscCall(
        PetscInfo(solver_->ts(), "LEAP: leap rejected at frame %" PetscInt_FMT ": %s\n", start, why.c_str()));
    rejections_.push_back("frame " + std::to_string(start) + ": " + why);
  }
  PetscFunctionReturn(0);
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
    // After a rejected leap the solver takes at least one frame before the next attempt.
    const PetscInt wait =
        last_rejected_ ? std::max<PetscInt>(1, options_.solver_frames) : options_.solver_frames;
    if (options_.mode == "hybrid" && controller_->ready() && since_leap_ >= wait &&
        frame_ + leap_frames_ <= end) {
      PetscBool accepted;
      const PetscInt before = frame_;
      PetscCall(Leap(&accepted));
      if (accepted || frame_ != before) continue;  // leapt, or a failed check's solver frames ran
    }
    PetscCall(SolverFrame());
    ++since_leap_;
    if (controller_) controller_->record_solver_frames(1);
  }
  PetscFunctionReturn(0);
}

}  // namespace leap::petsc
