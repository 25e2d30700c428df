// Child processes of the orchestrating commands (`leap demo`, `leap reproduce`): each stage is this
// same program run again (under mpiexec for the MPI stages), so the orchestrator needs no MPI itself.
#pragma once

#include <string>
#include <vector>

namespace leap::cli {

// This executable's path (/proc/self/exe); `who` names the command in the error.
std::string self_executable(const std::string& who);

// The mpiexec to start MPI stages with: $MPIEXEC when set, else the one LEAP was built with.
std::string mpiexec();

// Runs argv as a child process and returns its exit status (128 + signal number when killed).
int run_child(const std::vector<std::string>& argv, const std::string& who);

// argv as one shell-like line, for messages.
std::string command_line(const std::vector<std::string>& argv);

}  // namespace leap::cli
