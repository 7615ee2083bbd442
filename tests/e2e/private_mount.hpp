#pragma once
// A shell script run in a private mount namespace (`unshare -rm`), where it may mount a small
// tmpfs (a disk that fills up) or remount a folder read-only without touching the machine's
// mounts, and with the same effect for root as for anyone (root ignores a folder's mode bits).
// The mounts go away with the script, so it copies out what the test reads afterwards.
#include <filesystem>
#include <string>

#include "e2e/cli.hpp"
#include "test_paths.hpp"

namespace tb::test {

// The script's exit code when it could not set up its mounts (no user namespaces here).
inline constexpr int kNoPrivateMounts = 77;

// Runs `script` with sh in `dir`, with $TB naming the tunebench binary; the script's own
// commands say `|| exit 77` where a mount fails. Output is stdout and stderr together.
inline CommandResult in_private_mounts(const std::filesystem::path& dir,
                                       const std::string& script) {
  write_text(dir / "private-mounts.sh", "set -u\ncd '" + dir.string() + "'\nTB='" +
                                            std::string(TUNEBENCH_BINARY) + "'\n" + script);
  CommandResult result;
  const std::string command = "unshare -rm sh '" + (dir / "private-mounts.sh").string() + "' 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  char buffer[4096];
  std::size_t n = 0;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) result.output.append(buffer, n);
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  // unshare itself refused (no user namespaces): the same as a mount that failed.
  if (result.output.starts_with("unshare: ")) result.exit_code = kNoPrivateMounts;
  return result;
}

}  // namespace tb::test
