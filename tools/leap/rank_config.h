// Configs read by every rank of a command run under mpiexec: a rank that cannot read its file fails
// them all with its message (no rank left waiting), and ranks that read different contents (a
// path that differs between nodes, a file edited while the job started, other --set overrides) are
// refused at setup, naming both ranks (plugin::agree_on_same_input).
#pragma once

#include <mpi.h>

#include <exception>
#include <string>
#include <vector>

#include "leap/config/load.h"
#include "leap/plugin/collective_error.h"

namespace leap::cli {

// The effective config after `sets`, the same on every rank of MPI_COMM_WORLD.
template <class T>
T load_config_on_all_ranks(const std::string& path, const std::vector<std::string>& sets) {
  T cfg{};
  std::exception_ptr failure;
  try {
    cfg = config::load_config<T>(path, sets);
  } catch (...) {
    failure = std::current_exception();
  }
  plugin::agree_on_failure(MPI_COMM_WORLD, failure);
  plugin::agree_on_same_input(MPI_COMM_WORLD, config::to_yaml(cfg), path);
  return cfg;
}

}  // namespace leap::cli
