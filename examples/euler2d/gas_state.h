// The 2-D state: a DMDA cell holds the conserved variables (rho, rho*u, rho*v, E), 4 dofs in this
// order. The types and kernels are the dimension-generic ones of examples/euler at D = 2
// (euler/gas_state.h); leap::euler2d sees all of leap::euler (namespace composition), so that 2-D
// code names the kernels unqualified.
#pragma once

#include "euler/gas_state.h"

namespace leap::euler2d {

using namespace leap::euler;  // the shared kernels

using Conserved = euler::Conserved<2>;
using Primitive = euler::Primitive<2>;

}  // namespace leap::euler2d
