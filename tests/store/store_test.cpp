#include <catch2/catch.hpp>

#include <sqlite3.h>

#include "store/result_writer.hpp"
#include "store/schema.hpp"
#include "store/store.hpp"
#include "suite/dataset_reader.hpp"
#include "test_paths.hpp"

using namespace tb;

namespace {

RunRecord sample_run() {
  RunRecord r;
  r.suite_name = "s";
  r.suite_file = "s.yaml";
  r.suite_json = "{}";
  r.dataset_file = "d.jsonl";
  r.baseline = "a";
  r.started_at = "2026-11-22T00:00:00Z";
  r.status = "running";
  r.total_jobs = 4;
  r.cases = 2;
  r.tool_version = "test";
  r.price_catalog = "prices.json (x)";
  return r;
}

std::vector<VariantRecord> sample_variants() {
  VariantRecord a;
  a.id = "a";
  a.position = 0;
  a.kind = "prompted";
  a.model = "m";
  a.params_json = "{}";
  a.is_baseline = true;
  VariantRecord b = a;
  b.id = "b";
  b.position = 1;
  b.is_baseline = false;
  b.price_training = 3.0;
  b.training_tokens = 1000;
  return {a, b};
}

}  // namespace

TEST_CASE("a run, its variants, cases, results and check outcomes round-trip", "[store]") {
  test::TempDir dir;
  const auto db = dir / "t.db";
  Store store(db);
  const long long id = store.create_run(sample_run(), sample_variants());
  CHECK(store.latest_run_id() == std::optional<long long>(id));
  {
    ResultWriter writer(db);
    writer.add_case({id, 0, "c0", 1, "[]", "ref", "x,y", "hash0", ""});
    for (int i = 0; i < 4; ++i) {
      ResultRecord r;
      r.run_id = id;
      r.variant_id = i % 2 ? "b" : "a";
      r.case_index = i / 2;
      r.status = i == 3 ? "error" : "ok";
      r.error_class = i == 3 ? "server" : "none";
      r.prompt_tokens = 100 + i;
      r.attempts = 1;
      r.cost_usd = 0.5;
      r.conformant = i == 0;
      r.created_at = "now";
      r.checks.push_back({"is-json", "is-json", i == 0, true, 1, i == 0 ? 1.0 : 0.0, i == 0 ? "" : "not JSON"});
      writer.add_result(std::move(r));
    }
    REQUIRE(writer.flush());
    CHECK(writer.committed_results() == 4);
  }
  CHECK(store.count_results(id) == 4);
  CHECK(store.test_case(id, 0)->tags == "x,y");
  const auto variants = store.variants(id);
  REQUIRE(variants.size() == 2);
  CHECK(variants[1].price_training == std::optional<double>(3.0));
  CHECK_FALSE(variants[0].price_training.has_value());

  std::vector<std::string> order;
  Store::ResultQuery q;
  q.with_checks = true;
  store.for_each_result(id, q, [&](const ResultRecord& r) {
    order.push_back(r.variant_id + std::to_string(r.case_index));
    REQUIRE(r.checks.size() == 1);
  });
  CHECK(order == std::vector<std::string>{"a0", "a1", "b0", "b1"});
  q.only_failing = true;
  long long failing = 0;
  store.for_each_result(id, q, [&](const ResultRecord& r) {
    ++failing;
    CHECK_FALSE(r.conformant);
  });
  CHECK(failing == 3);
  store.set_run_status(id, "done", true);
  CHECK(store.run(id)->status == "done");
  CHECK_FALSE(store.run(id)->finished_at.empty());
}

TEST_CASE("one result per job: a duplicate is refused by the store", "[store]") {
  test::TempDir dir;
  Store store(dir / "t.db");
  const long long id = store.create_run(sample_run(), sample_variants());
  ResultWriter writer(dir / "t.db");
  ResultRecord r;
  r.run_id = id;
  r.variant_id = "a";
  r.status = "ok";
  r.error_class = "none";
  r.created_at = "now";
  writer.add_result(r);
  REQUIRE(writer.flush());
  writer.add_result(r);
  CHECK_FALSE(writer.flush());
  CHECK(writer.error().has_value());
  CHECK(store.count_results(id) == 1);
}

TEST_CASE("the schema is versioned and a newer file is refused", "[store]") {
  test::TempDir dir;
  { Store store(dir / "t.db"); }
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open((dir / "t.db").c_str(), &db) == SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db, "SELECT version FROM schema_version", -1, &stmt, nullptr);
  REQUIRE(sqlite3_step(stmt) == SQLITE_ROW);
  CHECK(sqlite3_column_int(stmt, 0) == Store::kSchemaVersion);
  sqlite3_finalize(stmt);
  sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &stmt, nullptr);
  REQUIRE(sqlite3_step(stmt) == SQLITE_ROW);
  CHECK(std::string(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0))) == "wal");
  sqlite3_finalize(stmt);
  sqlite3_exec(db, "UPDATE schema_version SET version=99", nullptr, nullptr, nullptr);
  sqlite3_close(db);
  CHECK_THROWS_WITH(Store(dir / "t.db"), Catch::Contains("newer tunebench"));
}

TEST_CASE("a version 4 database is migrated: its bodies move to result_bodies", "[store]") {
  test::TempDir dir;
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open((dir / "t.db").c_str(), &db) == SQLITE_OK);
  for (std::size_t v = 0; v < 4; ++v) {
    REQUIRE(sqlite3_exec(db, std::string(store_schema::kMigrations[v]).c_str(), nullptr, nullptr,
                         nullptr) == SQLITE_OK);
  }
  const char* v4_rows = R"sql(
    CREATE TABLE schema_version(version INTEGER NOT NULL);
    INSERT INTO schema_version VALUES(4);
    INSERT INTO runs VALUES(1,'s','s.yaml','{}','d.jsonl','a','t',NULL,'done',1,2,2,1,0,'v','p');
    INSERT INTO variants VALUES(1,'a',0,'prompted','e','mock','u','m',NULL,'{}',0,0,0,NULL,0,0,NULL,1,1);
    INSERT INTO results(id, run_id, variant_id, case_index, repeat, status, error_class, attempts,
                        cost_usd, conformant, score, request_json, response_body, created_at)
      VALUES(7,1,'a',0,0,'ok','none',1,0,1,1,'{"model":"m"}','{"id":"r"}','t'),
            (8,1,'a',1,0,'error','network',1,0,0,0,NULL,NULL,'t');)sql";
  REQUIRE(sqlite3_exec(db, v4_rows, nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);

  Store store(dir / "t.db");
  std::vector<std::pair<std::string, std::string>> bodies;
  Store::ResultQuery query;
  query.with_bodies = true;
  store.for_each_result(1, query, [&](const ResultRecord& r) {
    bodies.emplace_back(r.request_json, r.response_body);
  });
  REQUIRE(bodies.size() == 2);
  CHECK(bodies[0] == std::pair<std::string, std::string>("{\"model\":\"m\"}", "{\"id\":\"r\"}"));
  CHECK(bodies[1] == std::pair<std::string, std::string>("", ""));

  // New results keep their bodies there too.
  ResultWriter writer(dir / "t.db");
  ResultRecord r;
  r.run_id = 1;
  r.variant_id = "a";
  r.case_index = 2;
  r.status = "ok";
  r.error_class = "none";
  r.created_at = "now";
  r.request_json = "{\"n\":2}";
  r.response_body = "{\"ok\":true}";
  writer.add_result(r);
  REQUIRE(writer.flush());
  bodies.clear();
  store.for_each_result(1, query, [&](const ResultRecord& x) {
    bodies.emplace_back(x.request_json, x.response_body);
  });
  REQUIRE(bodies.size() == 3);
  CHECK(bodies[2] == std::pair<std::string, std::string>("{\"n\":2}", "{\"ok\":true}"));
  CHECK(store.integrity_problems() == 0);
}

TEST_CASE("a version 5 database is migrated: cases named by their line get the id of their messages", "[store]") {
  test::TempDir dir;
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open((dir / "t.db").c_str(), &db) == SQLITE_OK);
  for (std::size_t v = 0; v < 5; ++v) {
    REQUIRE(sqlite3_exec(db, std::string(store_schema::kMigrations[v]).c_str(), nullptr, nullptr,
                         nullptr) == SQLITE_OK);
  }
  const char* v5_rows = R"sql(
    CREATE TABLE schema_version(version INTEGER NOT NULL);
    INSERT INTO schema_version VALUES(5);
    INSERT INTO runs VALUES(1,'s','s.yaml','{}','d.jsonl','a','t',NULL,'done',1,2,2,1,0,'v','p');
    INSERT INTO cases VALUES(1,0,'line-3',3,'[{"content":"Q","role":"user"}]','A',''),
                            (1,1,'term-7',4,'[{"content":"R","role":"user"}]','B','');)sql";
  REQUIRE(sqlite3_exec(db, v5_rows, nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);

  Store store(dir / "t.db");
  const auto renamed = store.test_case(1, 0);
  REQUIRE(renamed);
  // What the dataset reader names the same line today, so old runs pair with new ones.
  TestCase fresh;
  Diagnostic error;
  REQUIRE(DatasetReader::parse_line(R"({"messages":[{"role":"user","content":"Q"},{"role":"assistant","content":"A"}]})", 9, "d.jsonl", fresh, error));
  CHECK(renamed->case_id == fresh.id);
  CHECK(renamed->content_hash.empty());  // unknown for old runs
  // An explicit id is kept.
  CHECK(store.test_case(1, 1)->case_id == "term-7");
  CHECK(store.run(1)->dataset_fingerprint.empty());
}

TEST_CASE("opening a missing database for reading is a clear error", "[store]") {
  CHECK_THROWS_WITH(Store("/nonexistent/x.db", false), Catch::Contains("no database at"));
}
