// One MPI_Allreduce (MIN) picks the lowest failing rank; it broadcasts its kind and message.
#include "leap/plugin/collective_error.h"

#include <climits>
#include <cstdint>
#include <cstdio>
#include <vector>

#include "leap/error.h"
#include "mpi_check.h"

namespace leap::plugin {
namespace {

enum Kind : int { kNone = 0, kInput = 1, kOther = 2 };

// The lowest failing rank's kind and message (prefixed), on every rank.
Kind first_failure(MPI_Comm comm, Kind kind, std::string* message) {
  int rank = 0;
  mpi_check(MPI_Comm_rank(comm, &rank), "MPI_Comm_rank");
  int mine = kind != kNone ? rank : INT_MAX, first = INT_MAX;
  mpi_check(MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, comm), "MPI_Allreduce");
  if (first == INT_MAX) {
    message->clear();
    return kNone;
  }
  int head[2] = {int(kind), int(message->size())};
  mpi_check(MPI_Bcast(head, 2, MPI_INT, first, comm), "MPI_Bcast");
  message->resize(size_t(head[1]));
  if (head[1] > 0) mpi_check(MPI_Bcast(message->data(), head[1], MPI_CHAR, first, comm), "MPI_Bcast");
  int size = 1;
  mpi_check(MPI_Comm_size(comm, &size), "MPI_Comm_size");
  if (size > 1) *message = "rank " + std::to_string(first) + ": " + *message;
  return Kind(head[0]);
}

}  // namespace

std::string first_problem(MPI_Comm comm, const std::string& local_message) {
  std::string message = local_message;
  first_failure(comm, local_message.empty() ? kNone : kInput, &message);
  return message;
}

void agree_on_input_error(MPI_Comm comm, const std::string& local_message) {
  const std::string message = first_problem(comm, local_message);
  if (!message.empty()) throw AgreedFailure<InputError>(message);
}

void agree_on_failure(MPI_Comm comm, const std::exception_ptr& local) {
  std::string message;
  Kind kind = kNone;
  if (local) {
    try {
      std::rethrow_exception(local);
    } catch (const InputError& e) {
      message = e.what();
      kind = kInput;
    } catch (const std::exception& e) {
      message = e.what();
      kind = kOther;
    } catch (...) {
      message = "unknown failure";
      kind = kOther;
    }
  }
  kind = first_failure(comm, kind, &message);
  if (kind == kInput) throw AgreedFailure<InputError>(message);
  if (kind == kOther) throw AgreedFailure<Error>(message);
}

void agree_on_same_input(MPI_Comm comm, const std::string& text, const std::string& what) {
  uint64_t hash = 14695981039346656037ull;  // FNV-1a, 64 bits
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  int size = 1;
  mpi_check(MPI_Comm_size(comm, &size), "MPI_Comm_size");
  std::vector<uint64_t> all(size_t(size), 0);
  mpi_check(MPI_Allgather(&hash, 1, MPI_UINT64_T, all.data(), 1, MPI_UINT64_T, comm), "MPI_Allgather");
  for (int r = 1; r < size; ++r) {
    if (all[size_t(r)] == all[0]) continue;
    char h0[17], hr[17];
    std::snprintf(h0, sizeof(h0), "%016llx", static_cast<unsigned long long>(all[0]));
    std::snprintf(hr, sizeof(hr), "%016llx", static_cast<unsigned long long>(all[size_t(r)]));
    throw AgreedFailure<InputError>(what + ": rank 0 and rank " + std::to_string(r) + " read different contents (hash " +
                     h0 + " vs " + hr +
                     "); every rank must read the same input (a path that differs between nodes, "
                     "or a file changed while the job started?)");
  }
}

}  // namespace leap::plugin
