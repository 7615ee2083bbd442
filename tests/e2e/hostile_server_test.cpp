#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>

#include "common/utf8.hpp"
#include "e2e/cli.hpp"
#include "e2e/hostile_server.hpp"
#include "e2e/process.hpp"
#include "e2e/sqlite_query.hpp"
#include "test_paths.hpp"

using namespace tb;
using test::count;
using test::Hostile;
using test::HostileServer;
using test::query;

namespace {

const std::string kSource = TUNEBENCH_SOURCE_DIR;
// A '/' in the key makes the \/ escape matter.
const std::string kKey = "sk-hostile/Key_0123456789abcdef";

// A suite with one variant on the hostile server; `variant_extra`, `run` and `endpoint_extra`
// add settings.
std::string hostile_suite(const HostileServer& server, int limit,
                          const std::string& variant_extra = "",
                          const std::string& run = "{concurrency: 2, max_attempts: 1}",
                          const std::string& endpoint_extra = "") {
  return "name: hostile\ndataset: " + kSource +
         "/datasets/tech_terms_eval.jsonl\nlimit: " + std::to_string(limit) +
         "\nvariants:\n  - {id: a, endpoint: evil, model: gpt-4o-mini, system_text: Define the "
         "term as JSON." +
         variant_extra + "}\nendpoints:\n  evil: {kind: openai, base_url: \"" + server.base_url() +
         "\", api_key_env: TB_HOSTILE_KEY" + endpoint_extra + "}\nrun: " + run + "\n";
}

test::CommandResult run_against(const test::TempDir& dir, const std::string& flags = "") {
  return test::tunebench("run s.yaml --db t.db --out out " + flags, dir.path().string(),
                         "TB_HOSTILE_KEY='" + kKey + "'");
}

// Every file the run left behind (database, its WAL, reports), concatenated.
std::string every_file(const std::filesystem::path& dir) {
  std::string all;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir))
    if (entry.is_regular_file()) all += test::read_text(entry.path());
  return all;
}

std::string u_escaped(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    out += "\\u00";
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

}  // namespace

TEST_CASE(
    "a server echoing the key, plainly, escaped or split across SSE events: the key is stored "
    "nowhere",
    "[e2e][hostile][security]") {
  struct Echo {
    const char* name;
    Hostile mode;
    std::string variant_extra;
    int exit_code;
  };
  for (const auto& echo :
       {Echo{"plain", Hostile::echo_key, "", 0}, Echo{"escaped", Hostile::echo_key_escaped, "", 0},
        Echo{"sse split", Hostile::echo_key_sse, ", stream: true", 0},
        Echo{"401", Hostile::echo_key_401, "", 3}}) {
    DYNAMIC_SECTION(echo.name) {
      HostileServer server(echo.mode);
      test::TempDir dir;
      test::write_text(dir / "s.yaml", hostile_suite(server, 3, echo.variant_extra));
      const auto r = run_against(dir);
      INFO(r.output);
      CHECK(r.exit_code == echo.exit_code);
      CHECK(server.requests() > 0);
      CHECK(r.output.find(kKey) == std::string::npos);
      // The server did echo it, and what it echoed was replaced (so this test can fail).
      const auto db = dir / "t.db";
      CHECK(count(db,
                  "select count(*) from results r left join result_bodies b on b.result_id=r.id"
                  " where r.output like '%[REDACTED]%' or r.error_message like '%[REDACTED]%'") >
            0);
      CHECK(
          count(db, "select count(*) from result_bodies where response_body like '%[REDACTED]%'") >
          0);
      const std::string files = every_file(dir.path());
      CHECK(files.size() > 1000);
      CHECK(files.find(kKey) == std::string::npos);
      CHECK(files.find(u_escaped(kKey)) == std::string::npos);
      CHECK(files.find("Key_0123456789abcdef") == std::string::npos);  // the last SSE piece
      CHECK(files.find(u_escaped("ostile")) == std::string::npos);     // the escaped SSE piece
    }
  }
}

TEST_CASE("a key with a control character is refused before anything is sent",
          "[e2e][hostile][security]") {
  HostileServer server(Hostile::echo_key);
  test::TempDir dir;
  test::write_text(dir / "s.yaml", hostile_suite(server, 2));
  const auto r = test::tunebench("run s.yaml --db t.db --out out", dir.path().string(),
                                 "TB_HOSTILE_KEY=\"$(printf 'sk-control\\001character-key')\"");
  CHECK(r.exit_code == 2);
  CHECK(r.output.find(
            "the value of TB_HOSTILE_KEY contains a control character (byte 0x01 at position 11") !=
        std::string::npos);
  CHECK(r.output.find("character-key") == std::string::npos);
  CHECK(server.requests() == 0);
  CHECK_FALSE(std::filesystem::exists(dir / "t.db"));
}

TEST_CASE(
    "endless bodies and endless streams are cut off at the response cap: memory stays bounded at "
    "concurrency 32",
    "[e2e][hostile][memory]") {
  struct Endless {
    const char* name;
    Hostile mode;
    std::string variant_extra;
  };
  for (const auto& endless : {Endless{"body", Hostile::endless_body, ""},
                              Endless{"sse", Hostile::endless_sse, ", stream: true"}}) {
    DYNAMIC_SECTION(endless.name) {
      HostileServer server(endless.mode);
      test::TempDir dir;
      test::write_text(dir / "s.yaml",
                       hostile_suite(server, 48, endless.variant_extra,
                                     "{concurrency: 32, max_attempts: 2, timeout_s: 10, "
                                     "max_consecutive_errors: 1000}"));
      const auto start = std::chrono::steady_clock::now();
      test::TunebenchProcess run({"run", "s.yaml", "--db", "t.db", "--no-report", "--quiet"},
                                 dir / "run.log", dir.path(), {"TB_HOSTILE_KEY=" + kKey});
      long peak_kb = 0;
      const int code = run.wait(60, &peak_kb);
      const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      INFO(test::read_text(dir / "run.log")
           << "peak RSS " << peak_kb / 1024 << " MB in " << seconds << " s");
      CHECK(code == 3);  // every request failed
      CHECK(peak_kb > 0);
      // AddressSanitizer's quarantine and shadow memory keep freed bodies resident for a while,
      // so the bound is the product's in an optimised build; under ASan only the cut-off counts.
#if defined(__SANITIZE_ADDRESS__)
      CHECK(peak_kb < 2048 * 1024);
#else
      CHECK(peak_kb < 200 * 1024);
#endif
      CHECK(seconds < 30);
      const auto db = dir / "t.db";
      CHECK(count(db, "select count(*) from results") == 48);
      CHECK(count(db,
                  "select count(*) from results where status='error' and error_message like "
                  "'the response from http://127.0.0.1:% is larger than 4 MiB "
                  "(run.max_response_bytes)%'") == 48);
      CHECK(server.requests() >= 48);
    }
  }
}

TEST_CASE("a response over the cap is a bad_response", "[e2e][hostile][memory]") {
  HostileServer server(Hostile::endless_body);
  test::TempDir dir;
  test::write_text(dir / "s.yaml", hostile_suite(server, 2));
  const auto r = run_against(dir, "--no-report --quiet");
  CHECK(count(dir / "t.db", "select count(*) from results where error_class='bad_response'") == 2);
}

TEST_CASE(
    "bytes that are not UTF-8 (an unrequested gzip body, broken bytes in an answer) are stored and "
    "reported as valid UTF-8",
    "[e2e][hostile][utf8]") {
  struct Broken {
    const char* name;
    Hostile mode;
    std::string variant_extra;
    std::string message;  // in every stored error message
  };
  for (const auto& broken :
       {Broken{"gzip", Hostile::gzip_body, "",
               "the body is gzip-compressed (Content-Encoding: gzip)"},
        Broken{"bad utf-8", Hostile::bad_utf8, "", "the body is not JSON: \"{\\\"id\\\""},
        Broken{"bad utf-8, streamed", Hostile::bad_utf8, ", stream: true",
               "the stream held no chat.completion.chunk"}}) {
    DYNAMIC_SECTION(broken.name) {
      HostileServer server(broken.mode);
      test::TempDir dir;
      test::write_text(dir / "s.yaml", hostile_suite(server, 3, broken.variant_extra));
      const auto r = run_against(dir);
      INFO(r.output);
      CHECK(r.exit_code == 3);  // every request failed
      CHECK(r.output.find("every request failed (bad_response 3)") != std::string::npos);
      const auto db = dir / "t.db";
      CHECK(
          count(
              db,
              "select count(*) from results where status='error' and error_class='bad_response'") ==
          3);
      CHECK(count(db, "select count(*) from results where error_message like '" + broken.message +
                          "%'") == 3);
      for (const char* column :
           {"r.output", "r.error_message", "b.response_body", "b.request_json"}) {
        const std::string text = query(
            db, std::string("select group_concat(coalesce(") + column +
                    ", ''), '|') from results r left join result_bodies b on b.result_id=r.id");
        INFO(column << ": " << text);
        CHECK(valid_utf8(text));
      }
      // What the server sent was kept, with U+FFFD where its bytes were not UTF-8.
      CHECK(
          count(db,
                "select count(*) from result_bodies where instr(response_body, char(65533)) > 0") ==
          3);
      for (const char* report : {"out/run-1.csv", "out/run-1.html"}) {
        const std::string bytes = test::read_text(dir / report);
        INFO(report);
        CHECK(bytes.size() > 100);
        CHECK(valid_utf8(bytes));
      }
    }
  }
}

TEST_CASE(
    "a certificate that cannot be verified is its own error class, not retried, and stops the run "
    "saying what to do",
    "[e2e][hostile][tls]") {
  HostileServer server(Hostile::answer, /*tls=*/true);
  test::TempDir dir;
  test::write_text(dir / "s.yaml",
                   hostile_suite(server, 6, "", "{concurrency: 1, max_attempts: 4}"));
  const auto r = run_against(dir, "--no-report");
  INFO(r.output);
  CHECK(r.exit_code == 3);
  const std::string origin = "https://127.0.0.1:" + std::to_string(server.port());
  CHECK(r.output.find("run 1 failed: endpoint evil: the TLS certificate of " + origin +
                      " is not trusted (self") != std::string::npos);
  CHECK(r.output.find("set insecure: true on the endpoint for a test server") !=
        std::string::npos);
  const auto db = dir / "t.db";
  // One attempt, and the run stopped at it: every other request would be refused the same way.
  CHECK(count(db, "select count(*) from results") == 1);
  CHECK(query(db, "select error_class || ' ' || attempts from results") == "tls 1");
  CHECK(server.requests() == 0);  // no request crossed the refused handshake
  CHECK(server.connections() == 1);

  // Told to trust it (a test server), the same endpoint answers.
  test::write_text(dir / "s.yaml",
                   hostile_suite(server, 2, "", "{concurrency: 1}", ", insecure: true"));
  const auto trusted = test::tunebench("run s.yaml --db t2.db --no-report", dir.path().string(),
                                       "TB_HOSTILE_KEY='" + kKey + "'");
  INFO(trusted.output);
  CHECK(trusted.exit_code == 0);
  CHECK(trusted.output.find("insecure: true; TLS certificates are NOT verified") !=
        std::string::npos);
  CHECK(count(dir / "t2.db", "select count(*) from results where status='ok'") == 2);
}

TEST_CASE("a redirect is not followed and is stored with where it pointed",
          "[e2e][hostile][redirect]") {
  HostileServer server(Hostile::redirect);
  test::TempDir dir;
  test::write_text(dir / "s.yaml", hostile_suite(server, 2));
  const auto r = run_against(dir, "--no-report");
  INFO(r.output);
  CHECK(r.exit_code == 3);  // every request failed
  const auto db = dir / "t.db";
  CHECK(count(db,
              "select count(*) from results where error_class='bad_request' and attempts=1 and "
              "error_message='HTTP 307: redirected to http://127.0.0.1:1/v1/chat/completions "
              "(redirects are not followed: set the endpoint''s base_url to where the server "
              "points)'") == 2);
  CHECK(server.requests() == 2);
}

TEST_CASE("run.max_response_bytes in the suite sets the cap per response",
          "[e2e][hostile][memory]") {
  HostileServer server(Hostile::endless_body);
  test::TempDir dir;
  test::write_text(dir / "s.yaml",
                   hostile_suite(server, 2, "",
                                 "{concurrency: 2, max_attempts: 1, max_response_bytes: 100000}"));
  const auto r = run_against(dir, "--no-report --quiet");
  INFO(r.output);
  CHECK(count(dir / "t.db",
              "select count(*) from results where error_message like 'the response from "
              "http://127.0.0.1:% is larger than 100000 bytes (run.max_response_bytes)%'") == 2);
}
