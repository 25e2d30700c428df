// Every rank throws the lowest failing rank's message: MPI_Allreduce (MIN) picks the rank, then its
// message is broadcast.
#include "collective_error.h"

#include <climits>
#include <vector>

#include "leap/error.h"
#include "mpi_check.h"

namespace leap::plugin {

void agree_on_input_error(MPI_Comm comm, const std::string& local_message) {
  int rank = 0;
  mpi_check(MPI_Comm_rank(comm, &rank), "MPI_Comm_rank");
  int mine = local_message.empty() ? INT_MAX : rank, first = INT_MAX;
  mpi_check(MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, comm), "MPI_Allreduce");
  if (first == INT_MAX) return;
  int len = rank == first ? int(local_message.size()) : 0;
  mpi_check(MPI_Bcast(&len, 1, MPI_INT, first, comm), "MPI_Bcast");
  std::vector<char> text(size_t(len) + 1, '\0');
  if (rank == first) local_message.copy(text.data(), size_t(len));
  mpi_check(MPI_Bcast(text.data(), len, MPI_CHAR, first, comm), "MPI_Bcast");
  throw InputError("rank " + std::to_string(first) + ": " + std::string(text.data(), size_t(len)));
}

}  // namespace leap::plugin
