// Resuming a run whose dataset changed, and re-sending the jobs that ended in errors: refused
// with what changed, or done with nothing lost (superseded results kept in result_history).
#include <catch2/catch.hpp>

#include <sqlite3.h>

#include <fstream>
#include <sstream>

#include "e2e/cli.hpp"
#include "test_paths.hpp"

using namespace tb;
using test::tunebench;

namespace {

const std::string kSource = TUNEBENCH_SOURCE_DIR;

std::vector<std::string> dataset_lines(int n) {
  std::ifstream in(kSource + "/datasets/tech_terms_eval.jsonl");
  std::vector<std::string> lines;
  std::string line;
  while (static_cast<int>(lines.size()) < n && std::getline(in, line)) lines.push_back(line);
  return lines;
}

void write_dataset(const test::TempDir& dir, const std::vector<std::string>& lines) {
  std::string text;
  for (const auto& l : lines) text += l + "\n";
  test::write_text(dir / "d.jsonl", text);
}

std::string suite(const std::string& mock) {
  return "name: resume-test\ndataset: d.jsonl\nexpect: {format: json}\n"
         "variants:\n"
         "  - {id: long, endpoint: m, model: gpt-4o-mini, system: " + kSource + "/suites/prompts/tech_terms_full.txt}\n"
         "  - {id: ft, endpoint: m, model: \"ft:gpt-4o-mini:acme::1\", system: " + kSource + "/suites/prompts/tech_terms_short.txt}\n"
         "endpoints:\n  m: {kind: mock, mock: " + mock + "}\n"
         "run: {concurrency: 4, max_attempts: 1}\n";
}

long long count(const std::filesystem::path& db, const std::string& sql) {
  sqlite3* handle = nullptr;
  long long value = -1;
  if (sqlite3_open_v2(db.c_str(), &handle, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(handle, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW)
      value = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
  }
  sqlite3_close(handle);
  return value;
}

}  // namespace

TEST_CASE("a resume on a changed dataset is refused with what changed, or re-sends only the changed cases",
          "[e2e][resume]") {
  test::TempDir dir;
  auto lines = dataset_lines(8);
  write_dataset(dir, lines);
  test::write_text(dir / "s.yaml", suite("{seed: 3}"));
  REQUIRE(tunebench("run s.yaml --quiet --no-report --no-cache --db t.db", dir.path().string()).exit_code == 0);
  REQUIRE(count(dir / "t.db", "select count(*) from results") == 16);

  // Line 3's question changes (its case is another case now), line 5 keeps its question but its
  // reference answer changes.
  const auto third = lines[2];
  lines[2].replace(lines[2].find("\"user\",\"content\":\"") + 18, 0, "the ");
  lines[4].replace(lines[4].rfind("\"}]}"), 0, " ");
  write_dataset(dir, lines);
  auto r = tunebench("run s.yaml --quiet --no-report --no-cache --db t.db --resume 1", dir.path().string());
  CHECK(r.exit_code == 2);
  CHECK(r.output.find("run 1 was started on another version of d.jsonl: 2 cases changed") != std::string::npos);
  CHECK(r.output.find("(line 3) is now case") != std::string::npos);
  CHECK(r.output.find("(line 5) changed") != std::string::npos);
  CHECK(r.output.find("--resume-changed") != std::string::npos);
  CHECK(r.output.find("nothing was sent") != std::string::npos);
  CHECK(count(dir / "t.db", "select count(*) from result_history") == 0);

  r = tunebench("run s.yaml --no-report --no-cache --db t.db --resume 1 --resume-changed", dir.path().string());
  INFO(r.output);
  CHECK(r.exit_code == 0);
  CHECK(r.output.find("--resume-changed: 2 changed cases; 4 results moved to result_history") != std::string::npos);
  // Only the two changed cases were sent again, for both variants.
  CHECK(r.output.find("requests sent: 4 ") != std::string::npos);
  CHECK(count(dir / "t.db", "select count(*) from results") == 16);
  CHECK(count(dir / "t.db", "select count(*) from result_history") == 4);
  CHECK(count(dir / "t.db", "select count(*) from result_history where case_index in (2, 4)") == 4);
  // The run now describes the dataset as it is: resuming again is a no-op.
  r = tunebench("run s.yaml --no-report --no-cache --db t.db --resume 1", dir.path().string());
  CHECK(r.exit_code == 0);
  CHECK(r.output.find("16 of 16 jobs already have a result") != std::string::npos);

  // A dataset that lost cases: the removed cases' results move to the history as well.
  lines.resize(6);
  write_dataset(dir, lines);
  r = tunebench("run s.yaml --no-report --no-cache --db t.db --resume 1 --resume-changed", dir.path().string());
  CHECK(r.exit_code == 0);
  CHECK(count(dir / "t.db", "select count(*) from results") == 12);
  CHECK(count(dir / "t.db", "select total_jobs from runs where id=1") == 12);
  CHECK(count(dir / "t.db", "select count(*) from result_history") == 8);
  (void)third;
}

TEST_CASE("a resume with --retry-errors sends again the jobs whose stored result is an error, keeping the errors in history",
          "[e2e][resume]") {
  test::TempDir dir;
  write_dataset(dir, dataset_lines(20));
  test::write_text(dir / "s.yaml", suite("{seed: 5, faults: {server_error: 0.4}}"));
  auto r = tunebench("run s.yaml --quiet --no-report --no-cache --db t.db", dir.path().string());
  const long long errors = count(dir / "t.db", "select count(*) from results where status='error'");
  REQUIRE(errors > 0);
  // A plain resume treats stored errors as final: nothing to send.
  r = tunebench("run s.yaml --no-report --no-cache --db t.db --resume 1", dir.path().string());
  CHECK(r.output.find("requests sent: 0 ") != std::string::npos);
  // Still failing at 40%: the in-process mock draws anew for a --retry-errors round (it would
  // otherwise count the re-sent jobs as first attempts and fail exactly the same ones again).
  r = tunebench("run s.yaml --no-report --no-cache --db t.db --resume 1 --retry-errors", dir.path().string());
  CHECK(r.output.find("requests sent: " + std::to_string(errors) + " ") != std::string::npos);
  const long long left = count(dir / "t.db", "select count(*) from results where status='error'");
  CHECK(left < errors);
  // With the server healthy again, --retry-errors sends exactly the failed jobs.
  test::write_text(dir / "s.yaml", suite("{seed: 5}"));
  r = tunebench("run s.yaml --no-report --no-cache --db t.db --resume 1 --retry-errors", dir.path().string());
  INFO(r.output);
  CHECK(r.exit_code == 0);
  CHECK(r.output.find("requests sent: " + std::to_string(left) + " ") != std::string::npos);
  CHECK(count(dir / "t.db", "select count(*) from results where status='error'") == 0);
  CHECK(count(dir / "t.db", "select count(*) from results") == 40);
  CHECK(count(dir / "t.db", "select count(*) from result_history where status='error'") == errors + left);
  CHECK(count(dir / "t.db", "select count(*) from result_history where json_extract(row_json, '$.checks') is not null") ==
        errors + left);
  // Without --resume the flags are a usage error.
  CHECK(tunebench("run s.yaml --db t.db --retry-errors", dir.path().string()).exit_code == 2);
}
