#pragma once
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "test_paths.hpp"

namespace tb::test {

// Polls `done` every 20 ms for up to `seconds`; true when it became true.
inline bool wait_until(const std::function<bool()>& done, double seconds) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < end) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return done();
}

// The real tunebench binary as a separate process, its output going to a log file, so tests
// can signal it (Ctrl-C, kill -9) like a user or a crash would.
class TunebenchProcess {
 public:
  // `env`: NAME=VALUE settings for the child only.
  TunebenchProcess(std::vector<std::string> args, const std::filesystem::path& log,
                   const std::filesystem::path& cwd = {},
                   const std::vector<std::string>& env = {}) {
    pid_ = fork();
    if (pid_ == 0) {
      if (!cwd.empty() && chdir(cwd.c_str()) != 0) _exit(126);
      for (const auto& setting : env) {
        const auto eq = setting.find('=');
        setenv(setting.substr(0, eq).c_str(), setting.substr(eq + 1).c_str(), 1);
      }
      const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      dup2(fd, 1);
      dup2(fd, 2);
      std::vector<char*> argv;
      std::string binary = TUNEBENCH_BINARY;
      argv.push_back(binary.data());
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(binary.c_str(), argv.data());
      _exit(127);
    }
  }
  ~TunebenchProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  TunebenchProcess(const TunebenchProcess&) = delete;
  TunebenchProcess& operator=(const TunebenchProcess&) = delete;

  void signal(int sig) { kill(pid_, sig); }
  // Waits for the exit; the exit code, or -1 when it did not exit within `seconds`. With
  // `peak_rss_kb`, also the process's peak resident memory (the kernel's ru_maxrss).
  int wait(double seconds = 60, long* peak_rss_kb = nullptr) {
    int status = 0;
    rusage usage{};
    const bool exited =
        wait_until([&] { return wait4(pid_, &status, WNOHANG, &usage) == pid_; }, seconds);
    if (!exited) return -1;
    pid_ = -1;
    if (peak_rss_kb != nullptr) *peak_rss_kb = usage.ru_maxrss;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
};

}  // namespace tb::test
