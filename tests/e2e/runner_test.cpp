#include <catch2/catch.hpp>

#include <sqlite3.h>

#include <chrono>

#include "e2e/cli.hpp"
#include "e2e/process.hpp"
#include "test_paths.hpp"

using namespace tb;
using test::tunebench;

namespace {

const std::string kSource = TUNEBENCH_SOURCE_DIR;

std::string query(const std::filesystem::path& db, const std::string& sql) {
  sqlite3* handle = nullptr;
  if (sqlite3_open_v2(db.c_str(), &handle, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(handle);
    return {};
  }
  sqlite3_busy_timeout(handle, 5000);
  sqlite3_stmt* stmt = nullptr;
  std::string value;
  if (sqlite3_prepare_v2(handle, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
      sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0) != nullptr)
    value = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
  sqlite3_finalize(stmt);
  sqlite3_close(handle);
  return value;
}

long long count(const std::filesystem::path& db, const std::string& sql) {
  const auto v = query(db, sql);
  return v.empty() ? 0 : std::stoll(v);
}

// A suite over the demo dataset on the in-process mock with the given mock settings.
std::string suite(const std::string& mock, const std::string& run, int limit = 30,
                  const std::string& variant_extra = "") {
  return "name: runner-test\ndataset: " + kSource +
         "/datasets/tech_terms_eval.jsonl\nlimit: " + std::to_string(limit) +
         "\nexpect: {format: json, schema: " + kSource +
         "/datasets/schemas/term.schema.json}\n"
         "variants:\n"
         "  - {id: long, endpoint: m, model: gpt-4o-mini, system: " +
         kSource + "/suites/prompts/tech_terms_full.txt" + variant_extra +
         "}\n"
         "  - {id: ft, endpoint: m, model: \"ft:gpt-4o-mini:acme::1\", system: " +
         kSource + "/suites/prompts/tech_terms_short.txt" + variant_extra +
         "}\n"
         "endpoints:\n  m: {kind: mock, mock: " +
         mock +
         "}\n"
         "run: " +
         run + "\n";
}

// Every job has exactly one final result, whatever happened on the way.
void check_one_result_per_job(const std::filesystem::path& db, long long jobs, int max_attempts) {
  CHECK(count(db, "select count(*) from results") == jobs);
  CHECK(
      count(db,
            "select count(*) from (select distinct variant_id, case_index, repeat from results)") ==
      jobs);
  CHECK(count(db, "select max(attempts) from results") <= max_attempts);
  CHECK(count(db, "select count(*) from results where status not in ('ok','error')") == 0);
  CHECK(count(db, "select count(*) from results where status='error' and error_class='none'") == 0);
  CHECK(query(db, "pragma integrity_check") == "ok");
}

}  // namespace

TEST_CASE("each mock fault alone, and all mixed at 20%: one final result per job, nothing lost",
          "[e2e][faults]") {
  const std::vector<std::pair<std::string, std::string>> faults = {
      {"rate_limit", "{rate_limit: 0.3, retry_after_s: 0.05}"},
      {"server_error", "{server_error: 0.3}"},
      {"stall", "{stall: 0.2, stall_ms: 3000}"},
      {"reset", "{reset: 0.3}"},
      {"truncated", "{truncated: 0.3}"},
      {"malformed", "{malformed: 0.3}"},
      {"mixed 20%",
       "{rate_limit: 0.04, retry_after_s: 0.05, server_error: 0.04, stall: 0.03, stall_ms: 3000, "
       "reset: 0.03, truncated: 0.03, malformed: 0.03}"},
  };
  for (const auto& [name, spec] : faults) {
    DYNAMIC_SECTION(name) {
      test::TempDir dir;
      test::write_text(dir / "s.yaml",
                       suite("{seed: 7, latency: {distribution: fixed, median_ms: 2, "
                             "per_prompt_token_ms: 0, per_output_token_ms: 0}, faults: " +
                                 spec + "}",
                             "{concurrency: 8, timeout_s: 0.5, max_attempts: 4}"));
      const auto r = tunebench("run s.yaml --quiet --no-report --db t.db", dir.path().string());
      INFO(r.output);
      CHECK(r.exit_code == 0);
      check_one_result_per_job(dir / "t.db", 60, 4);
      // Faults were met and retried, and retries rescued most jobs.
      CHECK(count(dir / "t.db", "select count(*) from results where attempts > 1") > 0);
      CHECK(count(dir / "t.db", "select count(*) from results where status='ok'") >= 50);
      if (name == "stall")
        CHECK(count(dir / "t.db",
                    "select count(*) from results where status='ok' and attempts > 1") > 0);
    }
  }
}

TEST_CASE("a 429's Retry-After is waited out before the retry", "[e2e][faults]") {
  test::TempDir dir;
  // One request at a time, one retry each: a retry after a 429 waits the hint (0.8 s), where
  // the runner's own backoff before a second attempt is at most 0.5 s. The mock's draws depend
  // on the seed and the request only, so the same 429s come in every run.
  test::write_text(dir / "s.yaml",
                   suite("{seed: 1, latency: {distribution: fixed, median_ms: 0, "
                         "per_prompt_token_ms: 0, per_output_token_ms: 0}, faults: {rate_limit: "
                         "0.3, retry_after_s: 0.8}}",
                         "{concurrency: 1, max_attempts: 2}", 4));
  const auto start = std::chrono::steady_clock::now();
  const auto r = tunebench("run s.yaml --quiet --no-report --db t.db", dir.path().string());
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  INFO(r.output << "\n" << seconds << " s");
  const auto db = dir / "t.db";
  const long long retries = count(db, "select sum(attempts - 1) from results");
  REQUIRE(retries >= 2);
  CHECK(r.output.find("requests sent: " + std::to_string(8 + retries) + " ") != std::string::npos);
  // Every retry waited its 0.8 s; without the hint the waits would add up to at most 0.5 s each.
  CHECK(seconds >= 0.8 * static_cast<double>(retries));
}

TEST_CASE("retries are bounded: a server that always fails gives error results after max_attempts",
          "[e2e][faults]") {
  test::TempDir dir;
  test::write_text(dir / "s.yaml",
                   suite("{latency: {distribution: fixed, median_ms: 0, per_prompt_token_ms: 0, "
                         "per_output_token_ms: 0}, faults: {server_error: 1}}",
                         "{concurrency: 4, max_attempts: 2, max_consecutive_errors: 1000}", 5));
  const auto r = tunebench("run s.yaml --quiet --no-report --db t.db", dir.path().string());
  // Every request failed: the run failed, whatever its count of results.
  CHECK(r.exit_code == 3);
  CHECK(r.output.find("run 1 failed: every request failed (server 10)") != std::string::npos);
  CHECK(query(dir / "t.db", "select status from runs") == "failed");
  check_one_result_per_job(dir / "t.db", 10, 2);
  CHECK(count(dir / "t.db",
              "select count(*) from results where status='error' and error_class='server' and "
              "attempts=2") == 10);
}

TEST_CASE("the error budget stops a run against a dead endpoint", "[e2e][faults]") {
  test::TempDir dir;
  test::write_text(dir / "s.yaml",
                   suite("{latency: {distribution: fixed, median_ms: 0, per_prompt_token_ms: 0, "
                         "per_output_token_ms: 0}, faults: {server_error: 1}}",
                         "{concurrency: 2, max_attempts: 1, max_consecutive_errors: 5}"));
  const auto r = tunebench("run s.yaml --quiet --no-report --db t.db", dir.path().string());
  CHECK(r.exit_code == 3);
  CHECK(r.output.find("failed in a row (error budget)") != std::string::npos);
  CHECK(query(dir / "t.db", "select status from runs") == "failed");
  CHECK(count(dir / "t.db", "select count(*) from results") < 60);
}

TEST_CASE("streaming variants record time to first token and inter-token latency",
          "[e2e][stream]") {
  test::TempDir dir;
  test::write_text(dir / "s.yaml", suite("{latency: {distribution: fixed, median_ms: 20, "
                                         "per_prompt_token_ms: 0, per_output_token_ms: 0.5}}",
                                         "{concurrency: 8}", 10, ", stream: true"));
  const auto r = tunebench("run s.yaml --quiet --db t.db --out out", dir.path().string());
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  const auto db = dir / "t.db";
  CHECK(count(db, "select count(*) from results where status='ok'") == 20);
  CHECK(count(db, "select count(*) from results where ttft_ms >= 20 and ttft_ms < latency_ms") ==
        20);
  CHECK(count(db, "select count(*) from results where itl_ms > 0 and output_tps > 0") == 20);
  CHECK(
      count(db, "select count(*) from results where prompt_tokens > 0 and completion_tokens > 0") ==
      20);
  CHECK(count(db, "select count(*) from results where conformant=1") >= 15);
  CHECK(test::read_text(dir / "out/run-1.html").find("time to first token") != std::string::npos);
}

TEST_CASE("an unchanged re-run is answered from the cache; --refresh and --no-cache send again",
          "[e2e][cache]") {
  test::TempDir dir;
  test::write_text(dir / "s.yaml",
                   suite("{seed: 3, faults: {server_error: 0.2}}",
                         "{concurrency: 8, max_attempts: 1, max_consecutive_errors: 1000}", 20));
  const auto first = tunebench("run s.yaml --quiet --no-report --db t.db", dir.path().string());
  REQUIRE(first.exit_code == 0);
  const auto db = dir / "t.db";
  const long long errors =
      count(db, "select count(*) from results where run_id=1 and status='error'");
  CHECK(errors > 0);
  const long long ok = 40 - errors;
  const auto second = tunebench("run s.yaml --quiet --no-report --db t.db", dir.path().string());
  INFO(second.output);
  REQUIRE(second.exit_code == 0);
  // Only the errors are sent again: they were never cached.
  CHECK(second.output.find("answered from the cache: " + std::to_string(ok)) != std::string::npos);
  CHECK(count(db, "select count(*) from results where run_id=2 and cached=1") == ok);
  // Cached results keep the original latency.
  CHECK(count(db,
              "select count(*) from results a join results b on a.variant_id=b.variant_id and "
              "a.case_index=b.case_index"
              " where a.run_id=1 and b.run_id=2 and b.cached=1 and a.latency_ms=b.latency_ms") ==
        ok);
  CHECK(tunebench("run s.yaml --quiet --no-report --db t.db --refresh", dir.path().string())
            .output.find("answered from the cache: 0\n") != std::string::npos);
  CHECK(tunebench("run s.yaml --quiet --no-report --db t.db --no-cache", dir.path().string())
            .output.find("requests sent: 40 ") != std::string::npos);
}

TEST_CASE("the built-in mock's answers are cached by its settings, not by its port",
          "[e2e][cache]") {
  test::TempDir dir;
  test::write_text(dir / "s.yaml", suite("{seed: 3}", "{concurrency: 4, max_attempts: 1}", 5));
  REQUIRE(tunebench("run s.yaml --quiet --no-report --db t.db", dir.path().string()).exit_code ==
          0);
  // Same suite again: a new mock on a new port, every answer from the cache.
  const auto again = tunebench("run s.yaml --quiet --no-report --db t.db", dir.path().string());
  CHECK(again.output.find("requests sent: 0 ") != std::string::npos);
  CHECK(again.output.find("answered from the cache: 10") != std::string::npos);
  // Another seed makes other answers: nothing may come from the cache.
  test::write_text(dir / "s.yaml", suite("{seed: 4}", "{concurrency: 4, max_attempts: 1}", 5));
  const auto reseeded = tunebench("run s.yaml --quiet --no-report --db t.db", dir.path().string());
  INFO(reseeded.output);
  CHECK(reseeded.output.find("requests sent: 10 ") != std::string::npos);
  CHECK(reseeded.output.find("answered from the cache: 0") != std::string::npos);
}

TEST_CASE("repeats are distinct jobs and distinct cache entries", "[e2e][cache]") {
  test::TempDir dir;
  test::write_text(dir / "s.yaml", suite("{}", "{concurrency: 8, repeats: 3}", 4));
  REQUIRE(tunebench("run s.yaml --quiet --no-report --db t.db", dir.path().string()).exit_code ==
          0);
  CHECK(count(dir / "t.db", "select count(*) from results") == 24);
  CHECK(count(dir / "t.db", "select count(*) from response_cache") == 24);
}

TEST_CASE("a cost limit (--max-cost) stops dispatching before the spend passes it", "[e2e][cost]") {
  test::TempDir dir;
  test::write_text(dir / "s.yaml", suite("{}", "{concurrency: 2}", 60));
  const auto r =
      tunebench("run s.yaml --quiet --no-report --db t.db --max-cost 0.002", dir.path().string());
  CHECK(r.exit_code == 3);
  CHECK(r.output.find("--max-cost") != std::string::npos);
  CHECK(query(dir / "t.db", "select status from runs") == "interrupted");
  CHECK(std::stod(query(dir / "t.db", "select sum(cost_usd) from results")) <= 0.002);
  CHECK(count(dir / "t.db", "select count(*) from results") < 120);
}

TEST_CASE(
    "cached prompt tokens are billed at the catalog's cached_input price, end to end through the "
    "mock's prompt cache",
    "[e2e][cost]") {
  test::TempDir dir;
  // Every message before the user's counts as cached (4-token steps), for both variants.
  test::write_text(dir / "s.yaml", suite("{seed: 3, prompt_cache: {min_tokens: 0, increment: 4}}",
                                         "{concurrency: 4}", 10));
  const auto r = tunebench("run s.yaml --quiet --no-report --db t.db", dir.path().string());
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  const auto db = dir / "t.db";
  CHECK(count(db,
              "select count(*) from results where status='ok' and cached_tokens > 0 and "
              "cached_tokens < prompt_tokens and cached_tokens % 4 = 0") == 20);
  // datasets/prices.json: gpt-4o-mini 0.15 / 0.075 cached / 0.60, its fine-tune 0.30 / 0.15 /
  // 1.20 per million tokens. Written out here, so that a catalog or a cost formula that bills
  // cached tokens at the full input price fails.
  const std::string expected =
      "sum(((prompt_tokens - cached_tokens) * (case variant_id when 'long' then 0.15 else 0.30 "
      "end) + cached_tokens * (case variant_id when 'long' then 0.075 else 0.15 end) + "
      "completion_tokens * (case variant_id when 'long' then 0.60 else 1.20 end)) / 1e6)";
  for (const char* variant : {"long", "ft"}) {
    INFO(variant);
    const double stored = std::stod(query(
        db, std::string("select sum(cost_usd) from results where variant_id='") + variant + "'"));
    const double priced = std::stod(
        query(db, "select " + expected + " from results where variant_id='" + variant + "'"));
    CHECK(stored > 0);
    CHECK(stored == Approx(priced).epsilon(1e-12));
    // The prices the run kept with its variants are the catalog's.
    CHECK(query(db, std::string("select (price_cached_input * 1000) || '/' || (price_input * 1000) "
                                "from variants where id='") +
                        variant + "'") ==
          (std::string(variant) == "long" ? "75.0/150.0" : "150.0/300.0"));
  }
}

TEST_CASE("a run killed with SIGKILL resumes to exactly one result per job and the same aggregates",
          "[e2e][resume]") {
  test::TempDir dir;
  const std::string mock =
      "{seed: 11, latency: {distribution: fixed, median_ms: 40, per_prompt_token_ms: 0, "
      "per_output_token_ms: 0}}";
  test::write_text(dir / "s.yaml", suite(mock, "{concurrency: 4}", 60));
  const auto db = dir / "killed.db";
  {
    test::TunebenchProcess run({"run", "s.yaml", "--quiet", "--no-report", "--db", db.string()},
                               dir / "run.log", dir.path());
    REQUIRE(test::wait_until([&] { return count(db, "select count(*) from results") >= 20; }, 30));
    run.signal(SIGKILL);
    CHECK(run.wait(10) == 128 + SIGKILL);
  }
  const long long before = count(db, "select count(*) from results");
  CHECK(before < 120);
  CHECK(query(db, "select status from runs") == "running");
  const auto resumed =
      tunebench("run s.yaml --quiet --no-report --no-cache --db killed.db --resume latest",
                dir.path().string());
  INFO(resumed.output);
  REQUIRE(resumed.exit_code == 0);
  CHECK(resumed.output.find("requests sent: " + std::to_string(120 - before) + " ") !=
        std::string::npos);
  check_one_result_per_job(db, 120, 4);
  CHECK(query(db, "select status from runs") == "done");

  // The same suite uninterrupted gives the same numbers (the mock is deterministic).
  REQUIRE(tunebench("run s.yaml --quiet --no-report --no-cache --db whole.db", dir.path().string())
              .exit_code == 0);
  const std::string aggregates =
      "select group_concat(v, '|') from (select variant_id || ':' || sum(conformant) || ':' || "
      "sum(prompt_tokens) || ':' ||"
      " sum(completion_tokens) || ':' || round(sum(cost_usd), 9) as v from results group by "
      "variant_id order by variant_id)";
  CHECK(query(db, aggregates) == query(dir / "whole.db", aggregates));
}

TEST_CASE("Ctrl-C stops dispatching, lets requests in flight finish and prints the resume command",
          "[e2e][resume]") {
  test::TempDir dir;
  test::write_text(dir / "s.yaml", suite("{latency: {distribution: fixed, median_ms: 300, "
                                         "per_prompt_token_ms: 0, per_output_token_ms: 0}}",
                                         "{concurrency: 4}", 60));
  const auto db = dir / "t.db";
  test::TunebenchProcess run({"run", "s.yaml", "--no-report", "--db", db.string(), "--grace", "10"},
                             dir / "run.log", dir.path());
  REQUIRE(test::wait_until([&] { return count(db, "select count(*) from results") >= 8; }, 30));
  run.signal(SIGINT);
  const int code = run.wait(20);
  const std::string log = test::read_text(dir / "run.log");
  INFO(log);
  CHECK(code == 3);
  CHECK(log.find("interrupted: no new requests") != std::string::npos);
  CHECK(log.find("resume with: tunebench run s.yaml --db") != std::string::npos);
  CHECK(query(db, "select status from runs") == "interrupted");
  const long long stored = count(db, "select count(*) from results");
  CHECK(stored < 120);
  // The requests in flight finished within the grace period: stored, and all of them answers.
  CHECK(count(db, "select count(*) from results where status='ok'") == stored);
  const auto resumed =
      tunebench("run s.yaml --quiet --no-report --db t.db --resume 1", dir.path().string());
  CHECK(resumed.exit_code == 0);
  check_one_result_per_job(db, 120, 4);
}

TEST_CASE("a resume with a different suite is refused", "[e2e][resume]") {
  test::TempDir dir;
  test::write_text(dir / "s.yaml", suite("{}", "{concurrency: 8}", 5));
  REQUIRE(tunebench("run s.yaml --quiet --no-report --db t.db", dir.path().string()).exit_code ==
          0);
  test::write_text(dir / "s.yaml", suite("{}", "{concurrency: 8}", 6));
  const auto r =
      tunebench("run s.yaml --quiet --no-report --db t.db --resume 1", dir.path().string());
  CHECK(r.exit_code == 2);  // nothing was sent: an input problem
  CHECK(r.output.find("run 1 was started on another version of") != std::string::npos);
  CHECK(r.output.find("5 cases then and 6 now") != std::string::npos);
  CHECK(tunebench("run s.yaml --db t.db --resume 7", dir.path().string()).exit_code == 2);
  CHECK(tunebench("run s.yaml --db t.db --resume first", dir.path().string()).exit_code == 2);
}

TEST_CASE("the deadline stops dispatching and leaves a resumable run", "[e2e][resume]") {
  test::TempDir dir;
  test::write_text(dir / "s.yaml", suite("{latency: {distribution: fixed, median_ms: 100, "
                                         "per_prompt_token_ms: 0, per_output_token_ms: 0}}",
                                         "{concurrency: 2}", 60));
  const auto r =
      tunebench("run s.yaml --quiet --no-report --db t.db --deadline 0.5", dir.path().string());
  CHECK(r.exit_code == 3);
  CHECK(r.output.find("the run deadline of 0.5 s passed") != std::string::npos);  // not "0 s"
  CHECK(query(dir / "t.db", "select status from runs") == "interrupted");
}
