// Errors LEAP reports. InputError is bad input (a config, a dataset, a checkpoint, an argument):
// the command exits 2 with its one-line message. Error is any other failure (exit 1).
#pragma once

#include <stdexcept>
#include <string>

namespace leap {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class InputError : public Error {
 public:
  // "FILE: key 'KEY': expected EXPECTED, found FOUND"
  InputError(const std::string& file, const std::string& key, const std::string& expected,
             const std::string& found);
  // A message that already names the file and what is wrong.
  explicit InputError(const std::string& message) : Error(message) {}
};

// Marks a failure that every rank of a communicator learned together (plugin/collective_error.h):
// every rank throws it, so it is reported once, by the first rank, and no rank is left waiting.
// A failure without the mark may be this rank's alone: it is reported by this rank, and the job is
// ended if the other ranks do not stop too (leap's Runtime::fail).
class Agreed {
 public:
  virtual ~Agreed() = default;
};
template <class E>
class AgreedFailure : public E, public Agreed {
 public:
  using E::E;
};
// True when `e` is an AgreedFailure.
bool is_agreed(const std::exception& e);

// Exit status for an exception escaping a command: 2 for InputError, 1 otherwise.
int exit_code_for(const std::exception& e);

}  // namespace leap
