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
#include "e2e/mock_process.hpp"
#include "e2e/process.hpp"
#include "test_paths.hpp"

using namespace tb;

namespace {

const std::string kSource = TUNEBENCH_SOURCE_DIR;

using test::MockProcess;

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
  // that must never reach the database or the reports. The mock does not echo it, so this shows
  // that tunebench stores no request header; redaction of a key a server sends back is tested
  // against an echoing server (hostile_server_test.cpp), where it fails with redaction off.
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

namespace {

long long violations_in(const std::string& log) {
  const auto at = log.find(" rate-limit violations");
  if (at == std::string::npos) return -1;
  auto start = log.rfind(' ', at - 1);
  return std::stoll(log.substr(start + 1, at - start - 1));
}

std::string limited_suite(int port, const std::string& endpoint_extra) {
  return "name: rpm\ndataset: " + kSource + "/datasets/tech_terms_eval.jsonl\nlimit: 10\n"
         "variants:\n  - {id: a, endpoint: local, model: gpt-4o-mini}\n  - {id: b, endpoint: local, model: gpt-4o}\n"
         "endpoints:\n  local: {kind: openai, base_url: \"http://127.0.0.1:" + std::to_string(port) + "/v1\"" +
         endpoint_extra + "}\nrun: {concurrency: 16}\n";
}

}  // namespace

TEST_CASE("the configured rpm is never exceeded, as the mock server measures it", "[e2e][limits]") {
  test::TempDir dir;
  // 2 requests a second, measured over 5 s windows with 2 of slack: the server timestamps a
  // request when it reads it, so a server descheduled by a loaded machine (ASan builds, tests in
  // parallel) sees requests bunched; at this pace bunching would need a stall of half a second.
  test::write_text(dir / "mock.yaml", "limits: {rpm: 120, window_s: 5, burst: 2}\n");
  {
    MockProcess mock(dir / "mock.log", {"--config", (dir / "mock.yaml").string()});
    REQUIRE(mock.port() > 0);
    test::write_text(dir / "s.yaml", limited_suite(mock.port(), ", rpm: 120"));
    const auto r = test::tunebench("run s.yaml --quiet --no-report --db t.db", dir.path().string());
    INFO(r.output);
    CHECK(r.exit_code == 0);
    CHECK(r.output.find("requests sent: 20 ") != std::string::npos);  // no 429, so no retry
    CHECK(mock.stop() == 0);
    const std::string log = test::read_text(dir / "mock.log");
    INFO(log);
    CHECK(violations_in(log) == 0);
  }
  {
    // The control: without rpm on the endpoint the same run does break the limit, so the
    // measurement above can fail.
    MockProcess mock(dir / "mock2.log", {"--config", (dir / "mock.yaml").string()});
    REQUIRE(mock.port() > 0);
    test::write_text(dir / "s.yaml", limited_suite(mock.port(), ""));
    const auto r = test::tunebench("run s.yaml --quiet --no-report --db t2.db", dir.path().string());
    CHECK(r.exit_code == 0);  // the 429s were retried after their Retry-After
    CHECK(mock.stop() == 0);
    CHECK(violations_in(test::read_text(dir / "mock2.log")) > 0);
  }
}
