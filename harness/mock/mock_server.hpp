#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "mock/mock_model.hpp"

namespace tb {

struct MockCounters {
  long long requests = 0;
  long long chat_completions = 0;
  long long embeddings = 0;  // POST /v1/embeddings requests
  long long errors_sent = 0;
  long long limit_violations = 0;  // requests beyond limits.rpm (each answered 429)
};

// The built-in OpenAI-compatible server (Beast), serving a MockModel on its own thread and
// io_context so it behaves like a separate process: `tunebench mock` and the in-process mock
// that suites with `kind: mock` start on an ephemeral loopback port.
class MockServer {
 public:
  explicit MockServer(MockModel model);
  ~MockServer();  // stops and joins
  MockServer(const MockServer&) = delete;
  MockServer& operator=(const MockServer&) = delete;

  // Binds and starts serving; port 0 picks a free port (see port()).
  bool start(const std::string& host, std::uint16_t port, std::string& error);
  std::uint16_t port() const;
  void stop();
  MockCounters counters() const;
  const MockModel& model() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tb
