#pragma once
#include <cstdio>
#include <string>
#include <sys/wait.h>

namespace tb::test {

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

// Runs the real tunebench binary through the shell, as a user would.
// `env` is prepended to the command, e.g. "OPENAI_API_KEY=x".
inline CommandResult tunebench(const std::string& args, const std::string& cwd = "",
                               const std::string& env = "") {
  std::string command = std::string(cwd.empty() ? "" : "cd '" + cwd + "' && ") + env + " '" +
                        TUNEBENCH_BINARY + "' " + args + " 2>&1";
  CommandResult result;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  char buffer[4096];
  std::size_t n = 0;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) result.output.append(buffer, n);
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

}  // namespace tb::test
