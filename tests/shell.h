// Running a shell command from a test as a user would: its exit code and
// what it printed on stdout. Each test decides what goes into the command
// (2>&1 to fold in stderr, a redirection, an environment prefix).
#ifndef CKPTSIM_TESTS_SHELL_H_
#define CKPTSIM_TESTS_SHELL_H_

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

namespace ckptsim::testing {

struct ShellOutcome {
  int exit_code = -1;
  std::string out;
};

// True in a build with -DCKPTSIM_SANITIZE=ON (AddressSanitizer reserves
// terabytes of shadow address space, so `ulimit -v` cannot work there);
// tests that cannot run under it skip themselves (tests/README.md lists them).
#ifdef CKPTSIM_UNDER_SANITIZER
inline constexpr bool kUnderSanitizer = true;
#else
inline constexpr bool kUnderSanitizer = false;
#endif

inline ShellOutcome RunShell(const std::string& command) {
  ShellOutcome outcome;
  std::FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return outcome;
  std::array<char, 4096> buffer{};
  size_t n = 0;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) outcome.out.append(buffer.data(), n);
  const int status = pclose(pipe);
  outcome.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return outcome;
}

// The ckptsim binary under test with `arguments`, stdout and stderr together.
inline ShellOutcome RunCkptsim(const std::string& arguments, const std::string& prefix = "") {
  return RunShell(prefix + std::string(CKPTSIM_BINARY) + " " + arguments + " 2>&1");
}

}  // namespace ckptsim::testing

#endif  // CKPTSIM_TESTS_SHELL_H_
