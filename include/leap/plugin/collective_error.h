// Failing together: the one way every LEAP layer lets the ranks of a communicator agree that a
// collective step failed, so that no rank is left waiting in a later collective call. Each rank
// passes its own problem ("" or a null exception when it has none); when any rank has one, every
// rank learns the message of the lowest failing rank, prefixed "rank N: " (on more than one rank). Costs one
// MPI_Allreduce when nothing is wrong.
#pragma once

#include <mpi.h>

#include <exception>
#include <string>

namespace leap::plugin {

// The lowest failing rank's message ("rank N: ..."), on every rank; "" when no rank has a problem.
std::string first_problem(MPI_Comm comm, const std::string& local_message);

// Every rank throws leap::InputError(first_problem(comm, local_message)) when any rank has one.
void agree_on_input_error(MPI_Comm comm, const std::string& local_message);

// Every rank rethrows the lowest failing rank's exception: as leap::InputError when it was one,
// else as leap::Error, with that rank's message ("rank N: ..."); nothing when no rank failed.
void agree_on_failure(MPI_Comm comm, const std::exception_ptr& local);

// Every rank must hold the same `text` (e.g. its effective config after --set overrides): ranks
// that read different files (a path that differs per node, a file edited while the job started)
// are refused at setup. Compares a 64-bit FNV-1a hash of `text` (one MPI_Allgather); when any rank
// differs from rank 0, every rank throws leap::InputError naming `what`, rank 0 and the lowest
// rank that differs, and both hashes.
void agree_on_same_input(MPI_Comm comm, const std::string& text, const std::string& what);

}  // namespace leap::plugin
