#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "e2e/cli.hpp"
#include "test_paths.hpp"

using namespace tb;

namespace {

const std::string kSource = TUNEBENCH_SOURCE_DIR;

// `tunebench mock` as a separate process, stopped with SIGINT like a user's Ctrl-C.
class MockProcess {
 public:
  explicit MockProcess(const std::filesystem::path& log) {
    pid_ = fork();
    if (pid_ == 0) {
      const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      dup2(fd, 1);
      dup2(fd, 2);
      const std::string dataset = kSource + "/datasets/tech_terms_eval.jsonl";
      execl(TUNEBENCH_BINARY, TUNEBENCH_BINARY, "mock", "--dataset", dataset.c_str(), "--port", "0",
            "--latency-ms", "1", static_cast<char*>(nullptr));
      _exit(127);
    }
    for (int i = 0; i < 200 && port_ == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
      std::ifstream in(log);
      std::stringstream s;
      s << in.rdbuf();
      const std::string text = s.str();
      const auto at = text.find("127.0.0.1:");
      if (at != std::string::npos) port_ = std::atoi(text.c_str() + at + 10);
    }
  }
  ~MockProcess() { stop(); }
  int stop() {
    if (pid_ <= 0) return exit_code_;
    kill(pid_, SIGINT);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return exit_code_;
  }
  int port() const { return port_; }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  int exit_code_ = -1;
};

std::string http_get(int port, const std::string& path) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return {};
  }
  const std::string request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  (void)!write(fd, request.data(), request.size());
  std::string response;
  char buffer[4096];
  ssize_t n = 0;
  while ((n = read(fd, buffer, sizeof buffer)) > 0) response.append(buffer, static_cast<std::size_t>(n));
  close(fd);
  return response;
}

}  // namespace

TEST_CASE("tunebench mock serves /v1/models and a suite's openai endpoint over loopback", "[e2e][mock]") {
  test::TempDir dir;
  MockProcess mock(dir / "mock.log");
  REQUIRE(mock.port() > 0);
  const std::string models = http_get(mock.port(), "/v1/models");
  CHECK(models.starts_with("HTTP/1.1 200"));
  CHECK(models.find("\"object\":\"list\"") != std::string::npos);

  // The real OpenAI-compatible provider path, against the separate mock process, with a key
  // that must never reach the database or the reports.
  const std::string key = "sk-e2e-secret-key-0123456789";
  test::write_text(dir / "s.yaml",
                   "name: external\ndataset: " + kSource + "/datasets/tech_terms_eval.jsonl\nlimit: 10\n"
                   "expect: {format: json, schema: " + kSource + "/datasets/schemas/term.schema.json}\n"
                   "variants:\n  - {id: ft, endpoint: local, model: \"ft:gpt-4o-mini:acme::x\", system_text: Define the term as JSON.}\n"
                   "endpoints:\n  local: {kind: openai, base_url: \"http://127.0.0.1:" + std::to_string(mock.port()) +
                   "/v1\", api_key_env: TB_E2E_KEY}\n");
  const auto r = test::tunebench("run s.yaml --quiet --db t.db --out out", dir.path().string(), "TB_E2E_KEY=" + key);
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK(r.output.find("SIMULATED") == std::string::npos);  // not the in-process mock
  std::ifstream db(dir / "t.db", std::ios::binary);
  std::stringstream bytes;
  bytes << db.rdbuf();
  CHECK(bytes.str().find(key) == std::string::npos);
  for (const char* report : {"out/run-1.html", "out/run-1.csv"}) {
    std::ifstream in(dir / report, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    CHECK(s.str().size() > 100);
    CHECK(s.str().find(key) == std::string::npos);
  }
  CHECK(mock.stop() == 0);
}
