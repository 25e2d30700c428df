#include "child_process.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "leap/error.h"

namespace fs = std::filesystem;

namespace leap::cli {

std::string self_executable(const std::string& who) {
  std::error_code ec;
  const fs::path p = fs::read_symlink("/proc/self/exe", ec);
  if (ec) throw Error(who + ": cannot find its own executable (/proc/self/exe): " + ec.message());
  return p.string();
}

std::string mpiexec() {
  if (const char* e = std::getenv("MPIEXEC"); e && *e) return e;
  return LEAP_MPIEXEC_PATH;
}

int run_child(const std::vector<std::string>& argv, const std::string& who) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::cout << std::flush;
  std::cerr << std::flush;
  const pid_t pid = fork();
  if (pid < 0) throw Error(who + ": fork failed");
  if (pid == 0) {
    execvp(args[0], args.data());
    std::perror(args[0]);
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) throw Error(who + ": waitpid failed");
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string command_line(const std::vector<std::string>& argv) {
  std::string line;
  for (const auto& a : argv) {
    if (!line.empty()) line += ' ';
    const bool quote = a.find_first_of(" \t'\"[]{}") != std::string::npos;
    line += quote ? "'" + a + "'" : a;
  }
  return line;
}

}  // namespace leap::cli
