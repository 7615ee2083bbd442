// Schema version 8: results costed from local counts (usage_estimated, usage_note).
#include <catch2/catch.hpp>

#include <sqlite3.h>

#include "store/result_facts.hpp"
#include "store/result_writer.hpp"
#include "store/schema.hpp"
#include "store/store.hpp"
#include "test_paths.hpp"

using namespace tb;

TEST_CASE("a version 7 database is migrated: its results were costed from usage",
          "[store][usage]") {
  test::TempDir dir;
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open((dir / "t.db").c_str(), &db) == SQLITE_OK);
  for (std::size_t v = 0; v < 7; ++v) {
    REQUIRE(sqlite3_exec(db, std::string(store_schema::kMigrations[v]).c_str(), nullptr, nullptr,
                         nullptr) == SQLITE_OK);
  }
  const char* v7_rows = R"sql(
    CREATE TABLE schema_version(version INTEGER NOT NULL);
    INSERT INTO schema_version VALUES(7);
    INSERT INTO runs(id, suite_name, suite_file, suite_json, dataset_file, baseline, started_at,
                     status, simulated, total_jobs, cases, repeats, monthly_requests, tool_version,
                     price_catalog)
      VALUES(1,'s','s.yaml','{}','d.jsonl','a','t','done',1,1,1,1,0,'v','p');
    INSERT INTO variants VALUES(1,'a',0,'prompted','e','mock','u','m',NULL,'{}',0,0,0,NULL,0,0,NULL,1,1);
    INSERT INTO results(id, run_id, variant_id, case_index, repeat, status, error_class, attempts,
                        cost_usd, conformant, score, created_at, prompt_tokens, completion_tokens)
      VALUES(7,1,'a',0,0,'ok','none',1,0.5,1,1,'t',10,5);)sql";
  REQUIRE(sqlite3_exec(db, v7_rows, nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);

  Store store(dir / "t.db");
  int seen = 0;
  store.for_each_result(1, {}, [&](const ResultRecord& r) {
    ++seen;
    CHECK_FALSE(r.usage_estimated);
    CHECK(r.usage_note.empty());
    CHECK(r.prompt_tokens == 10);
  });
  CHECK(seen == 1);

  // New results keep the flag and the note, and the summary's facts carry the flag.
  ResultWriter writer(dir / "t.db");
  ResultRecord r;
  r.run_id = 1;
  r.variant_id = "a";
  r.case_index = 1;
  r.status = "ok";
  r.error_class = "none";
  r.created_at = "now";
  r.cost_usd = 0.25;
  r.usage_estimated = true;
  r.usage_note =
      "the response has no usage; costed from local counts (9 prompt, 4 completion tokens)";
  writer.add_result(r);
  REQUIRE(writer.flush());
  std::vector<std::pair<bool, std::string>> stored;
  store.for_each_result(
      1, {}, [&](const ResultRecord& x) { stored.emplace_back(x.usage_estimated, x.usage_note); });
  REQUIRE(stored.size() == 2);
  CHECK(stored[1] == std::pair<bool, std::string>(true, r.usage_note));
  std::vector<bool> facts;
  store.for_each_result_facts(1, "a",
                              [&](const ResultFacts& f) { facts.push_back(f.usage_estimated); });
  CHECK(facts == std::vector<bool>{false, true});
  CHECK(store.integrity_problems() == 0);
}
