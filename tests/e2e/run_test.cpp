#include <cmath>
#include <catch2/catch.hpp>

#include <sqlite3.h>

#include "e2e/cli.hpp"
#include "e2e/csv_reader.hpp"
#include "test_paths.hpp"

using namespace tb;
using test::tunebench;

namespace {

// Runs one query returning a single value, through the SQLite C API (as any SQLite tool would).
std::string query(const std::filesystem::path& db, const std::string& sql) {
  sqlite3* handle = nullptr;
  REQUIRE(sqlite3_open_v2(db.c_str(), &handle, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  REQUIRE(sqlite3_prepare_v2(handle, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK);
  std::string value;
  if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0) != nullptr)
    value = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
  sqlite3_finalize(stmt);
  sqlite3_close(handle);
  return value;
}

const std::string kSource = TUNEBENCH_SOURCE_DIR;

}  // namespace

TEST_CASE("the demo runs end to end on the mock: summary, SQLite rows, CSV and HTML", "[e2e]") {
  test::TempDir dir;
  const auto db = dir / "t.db";
  const auto out = dir / "reports";
  const auto r = tunebench("run suites/demo.yaml --quiet --db '" + db.string() + "' --out '" + out.string() + "'", kSource);
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK(r.output.find("run id: 1") != std::string::npos);
  CHECK(r.output.find("SIMULATED") != std::string::npos);
  CHECK(r.output.find("fine-tuned vs prompted: conformance") != std::string::npos);

  // cases x variants x repeats, every one answered
  CHECK(query(db, "select count(*) from results") == "480");
  CHECK(query(db, "select count(*) from results where status='ok'") == "480");
  CHECK(query(db, "select count(*) from cases") == "60");
  CHECK(query(db, "select status from runs where id=1") == "done");
  CHECK(query(db, "select simulated from runs where id=1") == "1");
  CHECK(query(db, "select count(distinct variant_id) from results") == "8");
  // 8 checks x 480, and context-recall on the rag variant's 60 only
  CHECK(query(db, "select count(*) from check_outcomes") == "3900");
  // The strategies beside prompting: examples before every few-shot case, a strict schema for
  // structured, and the tools variant's answers as function calls whose arguments were scored.
  CHECK(query(db, "select count(*) from results where variant_id='tools' and tool_calls is not null") == "60");
  CHECK(query(db, "select count(*) from results where variant_id='few-shot' and context_tokens > 0") == "60");
  const double conf_structured = std::stod(query(db, "select avg(conformant) from results where variant_id='structured'"));
  const double conf_base_short = std::stod(query(db, "select avg(conformant) from results where variant_id='base-short'"));
  CHECK(conf_structured > conf_base_short + 0.3);
  CHECK(query(db, "select count(*) from check_outcomes where name='context-recall'") == "60");
  // The rag variant's passages: k = 3 per result, and its prompt split adds up.
  CHECK(query(db, "select count(*) from retrievals") == "180");
  CHECK(query(db, "select count(*) from results where variant_id='rag' and"
                  " instruction_tokens + context_tokens + case_tokens = local_prompt_tokens and context_tokens > 0") == "60");
  CHECK(r.output.find("recall@3") != std::string::npos);
  // The few-shot variant's examples are context too: its share shows in the summary's column
  // and its split line carries them, as the store's mean.
  const long long examples = std::llround(std::stod(
      query(db, "select avg(context_tokens) from results where variant_id='few-shot'")));
  CHECK(r.output.find("few-shot: 11 / " + std::to_string(examples) + " / 9") != std::string::npos);
  CHECK(r.output.find("context = the share of it from retrieved passages or worked examples") != std::string::npos);
  // The failure taxonomy: the base model without the format spelled out breaks it in countable ways.
  CHECK(std::stoi(query(db, "select count(*) from results where variant_id='base-short' and failure_kind='fenced'")) > 0);
  CHECK(query(db, "select count(*) from results where conformant=1 and failure_kind<>'none'") == "0");
  // The long prompt is much longer than the one-line prompt, in the API's own usage counts.
  const double prompted = std::stod(query(db, "select avg(prompt_tokens) from results where variant_id='prompted'"));
  const double tuned = std::stod(query(db, "select avg(prompt_tokens) from results where variant_id='fine-tuned'"));
  CHECK(tuned < prompted * 0.2);
  // The simulated base model without the format spelled out breaks it far more often.
  const double conf_short = std::stod(query(db, "select avg(conformant) from results where variant_id='base-short'"));
  const double conf_tuned = std::stod(query(db, "select avg(conformant) from results where variant_id='fine-tuned'"));
  CHECK(conf_short + 0.3 < conf_tuned);
  CHECK(std::stod(query(db, "select sum(cost_usd) from results")) > 0);

  const auto csv = test::read_csv(test::read_text(out / "run-1.csv"));
  REQUIRE(csv.size() == 481);
  CHECK(csv[0][0] == "run_id");
  CHECK(csv[0].back() == "output");
  for (const auto& row : csv) CHECK(row.size() == csv[0].size());
  CHECK(csv[1][1] == "yes");  // simulated

  const std::string html = test::read_text(out / "run-1.html");
  CHECK(html.find("SIMULATED") != std::string::npos);
  CHECK(html.find("<h2>Failing cases</h2>") != std::string::npos);
  CHECK(html.find("fine-tuned") != std::string::npos);
  CHECK(html.find("<h2>Failure taxonomy</h2>") != std::string::npos);
  CHECK(html.find("<h2>Retrieval</h2>") != std::string::npos);
  CHECK(html.find("<h2>Prompt composition</h2>") != std::string::npos);

  // The report is regenerated from the store alone.
  const auto again = tunebench("report latest --format csv --out - --db '" + db.string() + "'");
  REQUIRE(again.exit_code == 0);
  CHECK(test::read_csv(again.output).size() == 481);
  const auto runs = tunebench("runs --db '" + db.string() + "'");
  CHECK(runs.exit_code == 0);
  CHECK(runs.output.find("480/480") != std::string::npos);
}

TEST_CASE("a broken dataset line stops the run before any request, with no run stored", "[e2e]") {
  test::TempDir dir;
  test::write_text(dir / "s.yaml", "name: broken\ndataset: " + kSource + "/datasets/broken_line17.jsonl\n"
                   "variants: [{id: a, endpoint: mock, model: gpt-4o-mini}]\n");
  const auto r = tunebench("run s.yaml --db t.db --no-report", dir.path().string());
  CHECK(r.exit_code == 2);
  CHECK(r.output.find("broken_line17.jsonl:17: messages[1].role: expected one of system, user, assistant, tool; got \"bot\"") !=
        std::string::npos);
  CHECK(r.output.find("nothing was sent and no run was stored") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir / "t.db"));
}

TEST_CASE("suite mistakes exit 2 with file:line and a hint", "[e2e]") {
  test::TempDir dir;
  test::write_text(dir / "s.yaml", "name: x\ndataset: " + kSource + "/datasets/tech_terms_eval.jsonl\n"
                   "variants:\n  - {id: a, endpoint: mock, model: gpt-4o-mini, temprature: 0}\n");
  auto r = tunebench("run s.yaml --db t.db", dir.path().string());
  CHECK(r.exit_code == 2);
  CHECK(r.output.find("s.yaml:4: variants[0].temprature: unknown key (did you mean \"temperature\"?)") != std::string::npos);

  test::write_text(dir / "p.yaml", "name: x\ndataset: " + kSource + "/datasets/tech_terms_eval.jsonl\n"
                   "variants:\n  - {id: a, endpoint: mock, model: my-local-llama}\n");
  r = tunebench("run p.yaml --db t.db", dir.path().string());
  CHECK(r.exit_code == 2);
  CHECK(r.output.find("no price for model \"my-local-llama\"") != std::string::npos);
  CHECK(r.output.find("prices:") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir / "t.db"));
}

TEST_CASE("a real endpoint without its API key exits 2 before sending", "[e2e][security]") {
  // Unset for the child, so the test asserts the same on a developer's machine with a key.
  const auto r = tunebench("run suites/tech-terms.openai.yaml --db /nonexistent/t.db", kSource, "env -u OPENAI_API_KEY");
  CHECK(r.exit_code == 2);
  CHECK(r.output.find("OPENAI_API_KEY is not set") != std::string::npos);
  CHECK(r.output.find("nothing was sent and no run was stored") != std::string::npos);
}

TEST_CASE("every subcommand has --help and bad flags exit 2", "[e2e]") {
  for (const char* cmd : {"--help", "run --help", "report --help", "runs --help", "mock --help"}) {
    const auto r = tunebench(cmd);
    INFO(cmd << ": " << r.output);
    CHECK(r.exit_code == 0);
    CHECK(r.output.find("Usage") != std::string::npos);
  }
  CHECK(tunebench("run --no-such-flag suites/demo.yaml", kSource).exit_code == 2);
  CHECK(tunebench("frobnicate").exit_code == 2);
  CHECK(tunebench("report 999 --db /nonexistent.db").exit_code == 2);
}

TEST_CASE("an API key with a line break exits 2 before sending, naming the variable, not the key", "[e2e][security]") {
  test::TempDir dir;
  test::write_text(dir / "s.yaml", "name: x\ndataset: " + kSource + "/datasets/tech_terms_eval.jsonl\n"
                   "variants:\n  - {id: a, endpoint: api, model: gpt-4o-mini}\n"
                   "endpoints:\n  api: {base_url: \"http://127.0.0.1:9/v1\", api_key_env: TB_TEST_KEY}\n");
  const auto r = tunebench("run s.yaml --db t.db", dir.path().string(), "TB_TEST_KEY=\"$(printf 'sk-linebreak-secret\\nx')\"");
  CHECK(r.exit_code == 2);
  CHECK(r.output.find("the value of TB_TEST_KEY contains a control character (byte 0x0a at position 20") != std::string::npos);
  CHECK(r.output.find("sk-linebreak-secret") == std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir / "t.db"));
}

TEST_CASE("a number flag that is not finite, or negative, is a usage error before anything runs", "[e2e]") {
  test::TempDir dir;
  const std::string db = (dir / "t.db").string();
  for (const std::string flags : {"--max-cost nan", "--max-cost -1", "--max-cost inf", "--max-cost 1e999",
                                  "--grace nan", "--grace -0.5", "--deadline nan", "--deadline 0", "--deadline -inf",
                                  "--max-cost 0.5x"}) {
    const auto r = tunebench("run suites/demo.yaml --quiet --no-report --db '" + db + "' " + flags, kSource, "timeout 60");
    INFO(flags << ": " << r.output);
    CHECK(r.exit_code == 2);
    CHECK(r.output.find("expected a finite number") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(db));
  }
  // Bounded: were the value accepted, the mock would serve until stopped.
  const auto mock = tunebench("mock --dataset datasets/tech_terms_eval.jsonl --port 0 --latency-ms nan", kSource, "timeout 10");
  CHECK(mock.exit_code == 2);
  CHECK(mock.output.find("--latency-ms: expected a finite number from 0 to 600000; got \"nan\"") != std::string::npos);
  CHECK(tunebench("mock --dataset datasets/tech_terms_eval.jsonl --port 0 --seed -3", kSource, "timeout 10").exit_code == 2);
  const auto split = tunebench("dataset split datasets/tech_terms_train.jsonl --holdout nan --out-dir '" +
                               dir.path().string() + "'", kSource);
  CHECK(split.exit_code == 2);
  CHECK(split.output.find("expected a finite number from 0 to 1") != std::string::npos);
  // Finite values in range still work.
  CHECK(tunebench("run suites/demo.yaml --help --max-cost 0", kSource).exit_code == 0);
}

TEST_CASE("a base_url the client cannot use is a suite error with its line, before anything is sent",
          "[e2e]") {
  test::TempDir dir;
  struct Bad {
    std::string url;
    std::string message;
  };
  for (const auto& bad : {Bad{"http://user:s3cret-password@127.0.0.1:9/v1",
                              "s.yaml:6: endpoints.e.base_url: credentials in the URL are not "
                              "supported; use api_key_env"},
                          Bad{"http://127.0.0.1:99999/v1",
                              "s.yaml:6: endpoints.e.base_url: invalid port 99999; got "
                              "\"http://127.0.0.1:99999/v1\""},
                          Bad{"http:///v1", "s.yaml:6: endpoints.e.base_url: the URL has no host"}}) {
    test::write_text(dir / "s.yaml", "name: x\ndataset: " + kSource + "/datasets/tech_terms_eval.jsonl\n"
                     "variants:\n  - {id: a, endpoint: e, model: gpt-4o-mini}\nendpoints:\n"
                     "  e: {kind: openai, base_url: \"" + bad.url + "\", api_key_env: TB_TEST_KEY}\n");
    const auto r = tunebench("run s.yaml --db t.db", dir.path().string(), "TB_TEST_KEY=sk-test");
    INFO(bad.url << ": " << r.output);
    CHECK(r.exit_code == 2);
    CHECK(r.output.find(bad.message) != std::string::npos);
    CHECK(r.output.find("s3cret-password") == std::string::npos);
    CHECK_FALSE(std::filesystem::exists(dir / "t.db"));
  }
  // The built-in openai endpoint's URL comes from OPENAI_BASE_URL: checked in preflight.
  test::write_text(dir / "o.yaml", "name: x\ndataset: " + kSource + "/datasets/tech_terms_eval.jsonl\n"
                   "variants:\n  - {id: a, endpoint: openai, model: gpt-4o-mini}\n");
  const auto r = tunebench("run o.yaml --db t.db", dir.path().string(),
                           "OPENAI_API_KEY=sk-test OPENAI_BASE_URL=http://127.0.0.1:70000/v1");
  INFO(r.output);
  CHECK(r.exit_code == 2);
  CHECK(r.output.find("endpoints.openai.base_url: invalid port 70000") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir / "t.db"));
}

TEST_CASE("an --out naming a file is refused before anything is sent", "[e2e]") {
  test::TempDir dir;
  test::write_text(dir / "reports", "a file where the reports' folder should be");
  const auto r = tunebench("run suites/demo.yaml --quiet --db '" + (dir / "t.db").string() +
                               "' --out '" + (dir / "reports/html").string() + "'",
                           kSource);
  INFO(r.output);
  CHECK(r.exit_code == 2);
  CHECK(r.output.find("error: --out " + (dir / "reports/html").string() + ": " +
                      (dir / "reports").string() + " is a file, not a folder") != std::string::npos);
  CHECK(r.output.find("nothing was sent and no run was stored") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir / "t.db"));
}
