// Private: lets every rank of a communicator fail together. Each rank passes the message of its
// local problem ("" when none); when any rank has one, every rank throws leap::InputError carrying
// the message of the lowest failing rank, prefixed with that rank, so no rank is left waiting in a
// later collective. Costs one MPI_Allreduce when nothing is wrong.
#pragma once

#include <mpi.h>

#include <string>

namespace leap::plugin {

void agree_on_input_error(MPI_Comm comm, const std::string& local_message);

}  // namespace leap::plugin
