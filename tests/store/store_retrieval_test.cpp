// What the store keeps of the rag strategy: a result's passages, prompt split, retrieval time
// and embedding cost; a case's gold passages; a variant's retrieval settings (schema v9).
#include <catch2/catch.hpp>

#include <sqlite3.h>

#include "store/result_facts.hpp"
#include "store/result_writer.hpp"
#include "store/schema.hpp"
#include "store/store.hpp"
#include "test_paths.hpp"

using namespace tb;

namespace {

RunRecord run_record() {
  RunRecord r;
  r.suite_name = "s";
  r.suite_file = "s.yaml";
  r.suite_json = "{}";
  r.dataset_file = "d.jsonl";
  r.baseline = "p";
  r.started_at = "t";
  r.status = "running";
  r.total_jobs = 2;
  r.cases = 1;
  r.tool_version = "test";
  r.price_catalog = "x";
  return r;
}

}  // namespace

TEST_CASE("a rag result's passages, prompt split and costs round-trip with its case's gold",
          "[store][rag]") {
  test::TempDir dir;
  const auto db = dir / "t.db";
  Store store(db);
  VariantRecord p;
  p.id = "p";
  p.kind = "prompted";
  p.model = "m";
  p.params_json = "{}";
  VariantRecord rag = p;
  rag.id = "rag";
  rag.position = 1;
  rag.kind = "rag";
  rag.retrieve_json = R"({"k":2,"method":"bm25"})";
  rag.index_embedding_tokens = 1234;
  rag.index_cost_usd = 0.5;
  const long long id = store.create_run(run_record(), {p, rag});
  {
    ResultWriter writer(db);
    writer.add_case({id, 0, "c0", 1, "[]", "ref", "", "h", R"(["raft"])"});
    ResultRecord plain;
    plain.run_id = id;
    plain.variant_id = "p";
    plain.status = "ok";
    plain.error_class = "none";
    plain.created_at = "now";
    plain.instruction_tokens = 10;
    plain.context_tokens = 0;
    plain.case_tokens = 5;
    writer.add_result(plain);
    ResultRecord r = plain;
    r.variant_id = "rag";
    r.conformant = true;
    r.context_tokens = 40;
    r.retrieval_ms = 0.25;
    r.embedding_tokens = 3;
    r.embedding_cost_usd = 6e-8;
    r.retrieved = {{"raft#0", "raft", 2.5, 20}, {"paxos#0", "paxos", 1.25, 18}};
    writer.add_result(r);
    REQUIRE(writer.flush());
  }
  const auto variants = store.variants(id);
  CHECK(variants[0].retrieve_json.empty());
  CHECK(variants[1].retrieve_json == rag.retrieve_json);
  CHECK(variants[1].index_embedding_tokens == 1234);
  CHECK(variants[1].index_cost_usd == 0.5);
  CHECK(store.test_case(id, 0)->gold_json == R"(["raft"])");

  Store::ResultQuery q;
  q.with_retrievals = true;
  std::vector<ResultRecord> rows;
  store.for_each_result(id, q, [&](const ResultRecord& r) { rows.push_back(r); });
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].retrieval_ms < 0);
  CHECK(rows[0].retrieved.empty());
  CHECK(rows[0].case_tokens == 5);
  CHECK(rows[1].instruction_tokens == 10);
  CHECK(rows[1].context_tokens == 40);
  CHECK(rows[1].retrieval_ms == 0.25);
  CHECK(rows[1].embedding_tokens == 3);
  CHECK(rows[1].embedding_cost_usd == Approx(6e-8));
  REQUIRE(rows[1].retrieved.size() == 2);
  CHECK(rows[1].retrieved[0].chunk_id == "raft#0");  // best first
  CHECK(rows[1].retrieved[1].document_id == "paxos");
  CHECK(rows[1].retrieved[1].score == 1.25);
  CHECK(rows[1].retrieved[1].tokens == 18);

  int seen = 0;
  store.for_each_retrieval_facts(id, "rag", [&](const RetrievalFacts& f) {
    ++seen;
    CHECK(f.gold_json == R"(["raft"])");
    CHECK(f.conformant);
    REQUIRE(f.passages.size() == 2);
    CHECK(f.passages[0].chunk_id == "raft#0");
    CHECK(f.passages[1].document_id == "paxos");
  });
  CHECK(seen == 1);
  store.for_each_retrieval_facts(id, "p", [&](const RetrievalFacts&) { ++seen; });
  CHECK(seen == 1);  // no retrieval, no facts
  store.for_each_result_facts(id, "rag", [&](const ResultFacts& f) {
    CHECK(f.context_tokens == std::optional<long long>(40));
    CHECK(f.retrieval_ms == std::optional<double>(0.25));
  });
  // Superseded results take their passages along into result_history.
  CHECK(store.supersede_results(
            id, {.cases = {0}, .from_case = std::nullopt, .errors_only = false}) == 2);
  CHECK(store.integrity_problems() == 0);
  sqlite3* handle = nullptr;
  REQUIRE(sqlite3_open(db.c_str(), &handle) == SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(handle,
                     "SELECT (SELECT count(*) FROM retrievals),"
                     " (SELECT json_array_length(row_json, '$.retrieved') FROM result_history "
                     "WHERE variant_id='rag')",
                     -1, &stmt, nullptr);
  REQUIRE(sqlite3_step(stmt) == SQLITE_ROW);
  CHECK(sqlite3_column_int(stmt, 0) == 0);
  CHECK(sqlite3_column_int(stmt, 1) == 2);
  sqlite3_finalize(stmt);
  sqlite3_close(handle);
}

TEST_CASE("a version 7 database is migrated: its results read with no retrieval and no split",
          "[store][rag]") {
  test::TempDir dir;
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open((dir / "t.db").c_str(), &db) == SQLITE_OK);
  for (std::size_t v = 0; v < 8; ++v)
    REQUIRE(sqlite3_exec(db, std::string(store_schema::kMigrations[v]).c_str(), nullptr, nullptr,
                         nullptr) == SQLITE_OK);
  const char* v8_rows = R"sql(
    CREATE TABLE schema_version(version INTEGER NOT NULL);
    INSERT INTO schema_version VALUES(8);
    INSERT INTO runs(id, suite_name, suite_file, suite_json, dataset_file, baseline, started_at, status,
                     simulated, total_jobs, cases, repeats, monthly_requests, tool_version, price_catalog)
      VALUES(1,'s','s.yaml','{}','d.jsonl','a','t','done',1,1,1,1,0,'v','p');
    INSERT INTO variants VALUES(1,'a',0,'prompted','e','mock','u','m',NULL,'{}',0,0,0,NULL,0,0,NULL,1,1);
    INSERT INTO cases(run_id, case_index, case_id, line, messages_json) VALUES(1,0,'c',1,'[]');
    INSERT INTO results(id, run_id, variant_id, case_index, repeat, status, error_class, attempts,
                        cost_usd, conformant, score, created_at)
      VALUES(7,1,'a',0,0,'ok','none',1,0,1,1,'t');)sql";
  REQUIRE(sqlite3_exec(db, v8_rows, nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);

  Store store(dir / "t.db");
  CHECK(store.variants(1)[0].retrieve_json.empty());
  CHECK(store.test_case(1, 0)->gold_json.empty());
  Store::ResultQuery q;
  q.with_retrievals = true;
  int rows = 0;
  store.for_each_result(1, q, [&](const ResultRecord& r) {
    ++rows;
    CHECK(r.instruction_tokens == -1);
    CHECK(r.retrieval_ms < 0);
    CHECK(r.retrieved.empty());
  });
  CHECK(rows == 1);
  store.for_each_result_facts(
      1, "a", [&](const ResultFacts& f) { CHECK_FALSE(f.context_tokens.has_value()); });
  CHECK(store.integrity_problems() == 0);
}
