// One process drives a run (store/run_lease): two resumes of the same run at once, and a run
// whose process was killed, through the real CLI.
#include <catch2/catch.hpp>

#include <signal.h>

#include "e2e/cli.hpp"
#include "e2e/paced_suite.hpp"
#include "e2e/process.hpp"
#include "e2e/sqlite_query.hpp"
#include "test_paths.hpp"

using namespace tb;
using test::count;
using test::query;
using test::tunebench;

namespace {

const std::string kSource = TUNEBENCH_SOURCE_DIR;

std::string slow_suite(int latency_ms) { return test::paced_suite("lease-test", 3, latency_ms); }

}  // namespace

TEST_CASE(
    "two resumes of the same run at once: one drives it, the other is refused with exit 2 and "
    "nothing lost",
    "[e2e][lease]") {
  test::TempDir dir;
  test::write_text(dir / "s.yaml", slow_suite(30));
  const auto db = dir / "t.db";
  // A run left interrupted by its deadline, with most of its jobs still to send.
  const auto first =
      tunebench("run s.yaml --quiet --no-report --db t.db --deadline 0.2", dir.path().string());
  REQUIRE(first.exit_code == 3);
  const long long before = count(db, "select count(*) from results");
  REQUIRE(before < 60);

  test::TunebenchProcess one({"run", "s.yaml", "--no-report", "--db", "t.db", "--resume", "1"},
                             dir / "one.log", dir.path());
  test::TunebenchProcess two({"run", "s.yaml", "--no-report", "--db", "t.db", "--resume", "1"},
                             dir / "two.log", dir.path());
  const int code_one = one.wait(60);
  const int code_two = two.wait(60);
  const std::string log_one = test::read_text(dir / "one.log");
  const std::string log_two = test::read_text(dir / "two.log");
  INFO("one: " << code_one << "\n" << log_one << "\ntwo: " << code_two << "\n" << log_two);
  // Exactly one of them drove the run to its end; the other was refused before sending.
  CHECK(((code_one == 0 && code_two == 2) || (code_one == 2 && code_two == 0)));
  const std::string& loser = code_one == 2 ? log_one : log_two;
  CHECK(loser.find("error: run 1 is being driven by process ") != std::string::npos);
  CHECK(loser.find("wait for it to finish, or stop it (Ctrl-C) and resume then") !=
        std::string::npos);
  CHECK(loser.find("requests sent") == std::string::npos);
  for (const auto* log : {&log_one, &log_two}) {
    CHECK(log->find("UNIQUE constraint") == std::string::npos);
    CHECK(log->find("SQLite") == std::string::npos);
  }
  CHECK(count(db, "select count(*) from results") == 120);
  CHECK(count(db,
              "select count(*) from (select distinct variant_id, case_index, repeat from "
              "results)") == 120);
  CHECK(query(db, "select status from runs where id=1") == "done");
  CHECK(count(db, "select count(*) from run_leases") == 0);  // let go when done
}

TEST_CASE(
    "a run whose process was killed shows as interrupted (stale) and the next resume takes it "
    "over",
    "[e2e][lease]") {
  test::TempDir dir;
  // Slow enough (30 rounds of 150 ms) that the run is still going when it is killed, even
  // under AddressSanitizer on a loaded machine, where each command around it takes a while.
  test::write_text(dir / "s.yaml", slow_suite(150));
  const auto db = dir / "t.db";
  long long killed_pid = 0;
  {
    test::TunebenchProcess run({"run", "s.yaml", "--quiet", "--no-report", "--db", "t.db"},
                               dir / "run.log", dir.path());
    killed_pid = run.pid();
    REQUIRE(test::wait_until([&] { return count(db, "select count(*) from results") >= 10; }, 30));
    // While it runs, it is running, and a resume is refused.
    const auto runs = tunebench("runs --db t.db", dir.path().string());
    CHECK(runs.output.find("running ") != std::string::npos);
    const auto refused =
        tunebench("run s.yaml --quiet --no-report --db t.db --resume 1", dir.path().string());
    CHECK(refused.exit_code == 2);
    CHECK(refused.output.find("run 1 is being driven by process " + std::to_string(run.pid())) !=
          std::string::npos);
    run.signal(SIGKILL);
    CHECK(run.wait(10) == 128 + SIGKILL);
  }
  CHECK(query(db, "select status from runs") == "running");  // as stored: it could not say
  const auto runs = tunebench("runs --db t.db", dir.path().string());
  INFO(runs.output);
  CHECK(runs.output.find("interrupted (stale)") != std::string::npos);
  const auto doctor = tunebench("doctor --db t.db", dir.path().string());
  CHECK(doctor.exit_code == 1);
  CHECK(doctor.output.find("problem: run 1 is marked running but no process drives it (process " +
                           std::to_string(killed_pid)) != std::string::npos);

  const auto resumed =
      tunebench("run s.yaml --no-report --db t.db --resume 1", dir.path().string());
  INFO(resumed.output);
  CHECK(resumed.exit_code == 0);
  CHECK(resumed.output.find("taking over run 1 from process " + std::to_string(killed_pid)) !=
        std::string::npos);
  CHECK(count(db, "select count(*) from results") == 120);
  CHECK(query(db, "select status from runs") == "done");
  CHECK(tunebench("doctor --db t.db", dir.path().string()).exit_code == 0);
}
