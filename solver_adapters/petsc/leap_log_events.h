// Private to libleap_petsc: LEAP's PetscLogEvents (class "LEAP"), registered once and shared by
// every attachment route (LeapTSAttach, the TS type "leap"), so that -log_view shows LEAP's share
// of a run: LeapGather, LeapEmulate (with LeapEncode, LeapSample, LeapDecode nested in it for the
// latent diffusion emulator) and LeapScatter, plus route-specific events.
#pragma once

#include <petscsys.h>

#include "leap/plugin/hybrid_controller.h"

namespace leap::petsc {

struct LeapPhaseEvents {
  PetscLogEvent gather = 0, emulate = 0, scatter = 0, encode = 0, sample = 0, decode = 0, coarse = 0;
};

// Registers the phase events on the first call.
PetscErrorCode LeapGetPhaseEvents(LeapPhaseEvents* out);
// Registers (or finds) another event of the LEAP class.
PetscErrorCode LeapRegisterEvent(const char* name, PetscLogEvent* event);
// A HybridController phase hook that begins and ends the matching events.
plugin::HybridController::PhaseHook LeapPhaseLogHook(const LeapPhaseEvents& events);

}  // namespace leap::petsc
