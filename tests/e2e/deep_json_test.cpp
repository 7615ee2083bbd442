// JSON nested far deeper than anyone writes, from a server and from a dataset, through the real
// CLI: each ends with a clear outcome (a failed check, a bad_response, a file:line error), never
// with a crash or a run left `running`.
#include <catch2/catch.hpp>

#include <string>

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

std::string suite_on(const HostileServer& server, const std::string& variant_extra = "") {
  return "name: deep\ndataset: " + kSource +
         "/datasets/tech_terms_eval.jsonl\nlimit: 3\n"
         "expect:\n  format: json\n  schema: " +
         kSource +
         "/datasets/schemas/term.schema.json\n"
         "  checks: [{type: field-equals, path: /term}, {type: field-matches, path: /term, "
         "pattern: x}, {type: field-accuracy}]\n"
         "variants:\n  - {id: a, endpoint: evil, model: gpt-4o-mini, system_text: Define it." +
         variant_extra + "}\nendpoints:\n  evil: {kind: openai, base_url: \"" + server.base_url() +
         "\", api_key_env: TB_DEEP_KEY}\nrun: {concurrency: 2, max_attempts: 1}\n";
}

}  // namespace

TEST_CASE("an answer nested 100,000 levels deep fails its checks saying why; the run ends done",
          "[e2e][hostile][depth]") {
  HostileServer server(Hostile::deep_json);
  test::TempDir dir;
  test::write_text(dir / "s.yaml", suite_on(server));
  const auto r = test::tunebench("run s.yaml --db t.db --out out", dir.path().string(),
                                 "TB_DEEP_KEY=sk-deep-0123456789");
  INFO(r.output);
  // Every request failed, so the run failed (exit 3) and says why; nothing crashed.
  CHECK(r.exit_code == 3);
  CHECK(r.output.find("every request failed (bad_response 3)") != std::string::npos);
  const auto db = dir / "t.db";
  CHECK(query(db, "select status from runs") == "failed");
  CHECK(count(db,
              "select count(*) from results where status='ok' and conformant=0 and "
              "failure_kind='not_json'") == 3);
  // Every check of every result (is-json and json-schema from expect: included) says why.
  CHECK(count(db, "select count(*) from check_outcomes") == 15);
  CHECK(count(db,
              "select count(*) from check_outcomes where passed=0 and detail like "
              "'%not JSON: nested deeper than 512 levels%'") == 15);
  CHECK(test::read_text(dir / "out/run-1.html").find("nested deeper than 512 levels") !=
        std::string::npos);
}

TEST_CASE("a body nested 100,000 levels deep is a bad_response that says so",
          "[e2e][hostile][depth]") {
  HostileServer server(Hostile::deep_body);
  test::TempDir dir;
  test::write_text(dir / "s.yaml", suite_on(server));
  const auto r = test::tunebench("run s.yaml --db t.db --no-report", dir.path().string(),
                                 "TB_DEEP_KEY=sk-deep-0123456789");
  INFO(r.output);
  // Every request failed, so the run failed (exit 3) and says why; nothing crashed.
  CHECK(r.exit_code == 3);
  CHECK(r.output.find("every request failed (bad_response 3)") != std::string::npos);
  const auto db = dir / "t.db";
  CHECK(query(db, "select status from runs") == "failed");
  CHECK(count(db,
              "select count(*) from results where error_class='bad_response' and "
              "error_message like 'the body is not JSON (nested deeper than 512 levels): %'") == 3);
}

TEST_CASE("a reference answer nested 100,000 levels deep is refused at load, with the mock too",
          "[e2e][mock][depth]") {
  test::TempDir dir;
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  test::write_text(
      dir / "deep.jsonl",
      R"({"messages":[{"role":"user","content":"shallow"},{"role":"assistant","content":"{\"term\":\"x\"}"}]})"
      "\n"
      R"({"messages":[{"role":"user","content":"deep"},{"role":"assistant","content":"{\"term\":)" +
          deep + "}\"}]}\n");
  test::write_text(dir / "s.yaml",
                   "name: deep\ndataset: deep.jsonl\nexpect:\n  format: json\n  checks: [{type: "
                   "field-equals, path: /term}]\n"
                   "variants:\n  - {id: a, endpoint: mock, model: gpt-4o-mini, system_text: Define "
                   "it.}\n");
  const std::string expected =
      "deep.jsonl:2: messages[1].content: the reference answer is JSON nested deeper than 512 "
      "levels, deeper than tunebench reads JSON";
  const auto run = test::tunebench("run s.yaml --db t.db", dir.path().string());
  INFO(run.output);
  CHECK(run.exit_code == 2);
  CHECK(run.output.find(expected) != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir / "t.db"));
  // The mock as a server of its own reads the same dataset the same way.
  const auto mock =
      test::tunebench("mock --dataset deep.jsonl --port 0", dir.path().string(), "timeout 10");
  INFO(mock.output);
  CHECK(mock.exit_code == 2);
  CHECK(mock.output.find(expected) != std::string::npos);
}
