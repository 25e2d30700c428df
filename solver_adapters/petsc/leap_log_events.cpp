// LEAP's PetscLogEvents (see leap_log_events.h).
#include "leap_log_events.h"

namespace leap::petsc {
namespace {

PetscErrorCode LeapClassId(PetscClassId* out) {
  static PetscClassId classid = 0;
  PetscFunctionBeginUser;
  if (!classid) PetscCall(PetscClassIdRegister("LEAP", &classid));
  *out = classid;
  PetscFunctionReturn(0);
}

}  // namespace

PetscErrorCode LeapRegisterEvent(const char* name, PetscLogEvent* event) {
  PetscClassId classid = 0;
  PetscFunctionBeginUser;
  PetscCall(LeapClassId(&classid));
  PetscCall(PetscLogEventRegister(name, classid, event));  // returns the existing event of that name
  PetscFunctionReturn(0);
}

PetscErrorCode LeapGetPhaseEvents(LeapPhaseEvents* out) {
  static LeapPhaseEvents events;
  static bool registered = false;
  PetscFunctionBeginUser;
  if (!registered) {
    PetscCall(LeapRegisterEvent("LeapGather", &events.gather));
    PetscCall(LeapRegisterEvent("LeapEmulate", &events.emulate));
    PetscCall(LeapRegisterEvent("LeapScatter", &events.scatter));
    PetscCall(LeapRegisterEvent("LeapEncode", &events.encode));
    PetscCall(LeapRegisterEvent("LeapSample", &events.sample));
    PetscCall(LeapRegisterEvent("LeapDecode", &events.decode));
    PetscCall(LeapRegisterEvent("LeapCoarse", &events.coarse));
    registered = true;
  }
  *out = events;
  PetscFunctionReturn(0);
}

plugin::HybridController::PhaseHook LeapPhaseLogHook(const LeapPhaseEvents& events) {
  return [events](plugin::HybridPhase phase, bool begin) {
    PetscLogEvent e = events.emulate;
    switch (phase) {
      case plugin::HybridPhase::gather:
        e = events.gather;
        break;
      case plugin::HybridPhase::emulate:
        e = events.emulate;
        break;
      case plugin::HybridPhase::scatter:
        e = events.scatter;
        break;
      case plugin::HybridPhase::encode:
        e = events.encode;
        break;
      case plugin::HybridPhase::sample:
        e = events.sample;
        break;
      case plugin::HybridPhase::decode:
        e = events.decode;
        break;
      case plugin::HybridPhase::coarse:
        e = events.coarse;
        break;
    }
    if (begin)
      PetscCallAbort(PETSC_COMM_SELF, PetscLogEventBegin(e, 0, 0, 0, 0));
    else
      PetscCallAbort(PETSC_COMM_SELF, PetscLogEventEnd(e, 0, 0, 0, 0));
  };
}

}  // namespace leap::petsc
