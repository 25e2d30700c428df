// Logging: spdlog with levels set by -v/-q, lines prefixed by the MPI rank when there are several.
#pragma once

#include <spdlog/spdlog.h>

namespace leap {

// verbosity: 0 normal (info), 1 debug (-v), 2+ trace (-vv), -1 warnings only (-q).
// Ranks other than 0 log warnings and errors only unless verbosity > 0.
void init_logging(int verbosity, int rank, int size);

}  // namespace leap
