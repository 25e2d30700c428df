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

// Exit status for an exception escaping a command: 2 for InputError, 1 otherwise.
int exit_code_for(const std::exception& e);

}  // namespace leap
