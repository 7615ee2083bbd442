#pragma once
#include <signal.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "e2e/process.hpp"

namespace tb::test {

// `tunebench mock` as a separate process on a free port, stopped with SIGINT like a user's
// Ctrl-C; its log holds the counts it prints when it stops.
class MockProcess {
 public:
  MockProcess(const std::filesystem::path& log, std::vector<std::string> extra = {})
      : process_(args(std::move(extra)), log) {
    wait_until(
        [&] {
          const std::string text = read_text(log);
          const auto at = text.find("127.0.0.1:");
          if (at != std::string::npos) port_ = std::atoi(text.c_str() + at + 10);
          return port_ > 0;
        },
        10);
  }
  int stop() {
    process_.signal(SIGINT);
    return process_.wait(10);
  }
  int port() const { return port_; }

 private:
  static std::vector<std::string> args(std::vector<std::string> extra) {
    std::vector<std::string> a = {
        "mock",
        "--dataset",
        std::string(TUNEBENCH_SOURCE_DIR) + "/datasets/tech_terms_eval.jsonl",
        "--port",
        "0",
        "--latency-ms",
        "1"};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }
  TunebenchProcess process_;
  int port_ = 0;
};

}  // namespace tb::test
