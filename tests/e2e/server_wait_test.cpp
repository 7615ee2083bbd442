// A server asking for an hour's wait (Retry-After: 3600): the wait is capped by
// run.max_retry_wait_s, and every wait (backoff, the hint, rate-limit pacing) ends at once on
// Ctrl-C, SIGTERM or --deadline. Before: only SIGKILL stopped such a run.
#include <catch2/catch.hpp>

#include <signal.h>

#include <chrono>
#include <string>
#include <thread>

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
using Clock = std::chrono::steady_clock;

std::string suite_on(const HostileServer& server, int limit, const std::string& run,
                     const std::string& endpoint_extra = "") {
  return "name: waits\ndataset: " + kSource +
         "/datasets/tech_terms_eval.jsonl\nlimit: " + std::to_string(limit) +
         "\nvariants:\n  - {id: a, endpoint: slow, model: gpt-4o-mini, system_text: Define it.}\n"
         "endpoints:\n  slow: {kind: openai, base_url: \"" +
         server.base_url() + "\", api_key_env: TB_WAIT_KEY" + endpoint_extra + "}\nrun: " + run +
         "\n";
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

TEST_CASE("a wait hint longer than run.max_retry_wait_s ends the job as rate_limit, saying so",
          "[e2e][hostile][waits]") {
  HostileServer server(Hostile::retry_after_hour_alternate);
  test::TempDir dir;
  test::write_text(dir / "s.yaml", suite_on(server, 4, "{concurrency: 2, max_attempts: 4}"));
  const auto start = Clock::now();
  const auto r = test::tunebench("run s.yaml --db t.db --no-report", dir.path().string(),
                                 "TB_WAIT_KEY=sk-wait-0123456789");
  INFO(r.output);
  CHECK(r.exit_code == 0);
  CHECK(seconds_since(start) < 10);
  const auto db = dir / "t.db";
  CHECK(query(db, "select status from runs") == "done");
  CHECK(server.requests() == 4);  // one attempt each: the hour is not waited, nor retried
  CHECK(count(db, "select count(*) from results where status='ok'") == 2);
  CHECK(count(db,
              "select count(*) from results where error_class='rate_limit' and attempts=1 and "
              "error_message = 'HTTP 429: Rate limit reached; try again in an hour; the server "
              "asked to wait 3600 s before a retry, more than run.max_retry_wait_s (60 s)'") == 2);
}

TEST_CASE("Ctrl-C, SIGTERM and --deadline end a run that waits out an hour's Retry-After",
          "[e2e][hostile][waits]") {
  struct Stop {
    const char* name;
    int signal;           // 0: none, --deadline 1 does it
    std::string message;  // in the log
  };
  for (const auto& how : {Stop{"Ctrl-C", SIGINT, "interrupted: no new requests"},
                          Stop{"SIGTERM", SIGTERM, "interrupted: no new requests"},
                          Stop{"--deadline", 0, "the run deadline of 1 s passed"}}) {
    DYNAMIC_SECTION(how.name) {
      HostileServer server(Hostile::retry_after_hour);
      test::TempDir dir;
      // The hint is within the cap here, so it is waited; rpm: 1 makes the second job wait a
      // minute for the endpoint's pacing, the third its turn behind both.
      test::write_text(dir / "s.yaml",
                       suite_on(server, 3,
                                "{concurrency: 2, max_attempts: 3, max_retry_wait_s: 7200, "
                                "grace_s: 30}",
                                ", rpm: 1"));
      std::vector<std::string> args = {"run", "s.yaml", "--db", "t.db", "--no-report"};
      if (how.signal == 0) {
        args.push_back("--deadline");
        args.push_back("1");
      }
      test::TunebenchProcess run(args, dir / "run.log", dir.path(),
                                 {"TB_WAIT_KEY=sk-wait-0123456789"});
      REQUIRE(test::wait_until([&] { return server.requests() >= 1; }, 20));
      std::this_thread::sleep_for(std::chrono::milliseconds(300));  // into the waits
      const auto stopped = Clock::now();
      if (how.signal != 0) run.signal(how.signal);
      const int code = run.wait(20);
      const std::string log = test::read_text(dir / "run.log");
      INFO(log);
      CHECK(code == 3);
      CHECK(seconds_since(stopped) < 5);  // not the grace period: nothing was in flight
      CHECK(log.find(how.message) != std::string::npos);
      CHECK(log.find("resume with: tunebench run s.yaml --db t.db --resume 1") !=
            std::string::npos);
      const auto db = dir / "t.db";
      CHECK(query(db, "select status from runs") == "interrupted");
      // Jobs cut off in a wait are not final: none is stored, so a resume sends them again.
      CHECK(count(db, "select count(*) from results") == 0);
      CHECK(server.requests() == 1);
    }
  }
}

TEST_CASE("a judge asked to wait an hour: capped like an answer, and Ctrl-C ends its wait",
          "[e2e][hostile][waits][judge]") {
  // The answers come back at once; the judge's requests get the hour's 429.
  HostileServer judge(Hostile::retry_after_hour_judge);
  auto suite = [&](const std::string& run) {
    return "name: judged\ndataset: " + kSource +
           "/datasets/tech_terms_eval.jsonl\nlimit: 2\nexpect:\n  checks:\n    - {type: judge, "
           "name: correct, endpoint: slow, model: gpt-4.1-mini, rubric: Same term.}\n"
           "variants:\n  - {id: a, endpoint: slow, model: gpt-4o-mini}\nendpoints:\n  slow: "
           "{kind: openai, base_url: \"" +
           judge.base_url() + "\", api_key_env: TB_WAIT_KEY}\nrun: " + run + "\n";
  };
  SECTION("over run.max_retry_wait_s: the judge check fails at once, saying what was asked") {
    test::TempDir dir;
    test::write_text(dir / "s.yaml", suite("{concurrency: 1, max_attempts: 3}"));
    const auto start = Clock::now();
    const auto r = test::tunebench("run s.yaml --db t.db --no-report", dir.path().string(),
                                   "TB_WAIT_KEY=sk-wait-0123456789");
    INFO(r.output);
    CHECK(seconds_since(start) < 10);
    const auto db = dir / "t.db";
    CHECK(query(db, "select status from runs") == "done");
    CHECK(judge.requests() == 4);  // two answers, two judgements asked once each
    CHECK(count(db,
                "select count(*) from check_outcomes where name='correct' and passed=0 and detail "
                "like 'judge: the judge''s request failed (rate_limit): HTTP 429: %; the server "
                "asked to wait 3600 s before a retry, more than run.max_retry_wait_s (60 s)'") ==
          2);
  }
  SECTION("within the cap: Ctrl-C ends the judge's wait and the job is not stored") {
    test::TempDir dir;
    test::write_text(dir / "s.yaml",
                     suite("{concurrency: 1, max_attempts: 3, max_retry_wait_s: 7200}"));
    test::TunebenchProcess run({"run", "s.yaml", "--db", "t.db", "--no-report"}, dir / "run.log",
                               dir.path(), {"TB_WAIT_KEY=sk-wait-0123456789"});
    REQUIRE(test::wait_until([&] { return judge.requests() >= 2; }, 20));  // answer, judge
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    const auto stopped = Clock::now();
    run.signal(SIGINT);
    const int code = run.wait(20);
    INFO(test::read_text(dir / "run.log"));
    CHECK(code == 3);
    CHECK(seconds_since(stopped) < 5);
    const auto db = dir / "t.db";
    CHECK(query(db, "select status from runs") == "interrupted");
    // Not final: a resume judges it (its answer is in the response cache).
    CHECK(count(db, "select count(*) from results") == 0);
    CHECK(count(db, "select count(*) from response_cache") == 1);
  }
}
