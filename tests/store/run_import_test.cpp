#include <catch2/catch.hpp>

#include "common/hash.hpp"
#include "e2e/sqlite_query.hpp"
#include "store/result_writer.hpp"
#include "store/store.hpp"
#include "test_paths.hpp"

using namespace tb;

namespace {

RunRecord shard_run(int index) {
  RunRecord r;
  r.suite_name = "s";
  r.suite_file = "s.yaml";
  r.suite_json = "{}";
  r.dataset_file = "d.jsonl";
  r.baseline = "a";
  r.started_at = "2026-11-22T00:00:00Z";
  r.status = "done";
  r.total_jobs = 4;
  r.cases = 2;
  r.tool_version = "test";
  r.price_catalog = "prices.json (x)";
  r.suite_fingerprint = "f00d";
  r.shard_index = index;
  r.shard_count = 2;
  return r;
}

std::vector<VariantRecord> variants() {
  VariantRecord a;
  a.id = "a";
  a.kind = "prompted";
  a.model = "m";
  a.params_json = "{}";
  a.is_baseline = true;
  VariantRecord b = a;
  b.id = "b";
  b.position = 1;
  b.is_baseline = false;
  return {a, b};
}

// A shard's database: `runs_before` other runs first (so its ids differ from the merged
// store's), then a run of the given cases with a result per case and variant, each with its
// bodies and a check outcome, and a cache entry per result.
void write_shard(const std::filesystem::path& db, int index, const std::vector<int>& cases,
                 int runs_before) {
  Store store(db);
  for (int i = 0; i < runs_before; ++i) store.create_run(shard_run(index), variants());
  const long long id = store.create_run(shard_run(index), variants());
  ResultWriter writer(db);
  for (const int c : cases) {
    writer.add_case(
        {id, c, "c" + std::to_string(c), c + 1, "[]", "ref", "", "hash" + std::to_string(c), ""});
    for (const std::string v : {"a", "b"}) {
      ResultRecord r;
      r.run_id = id;
      r.variant_id = v;
      r.case_index = c;
      r.status = "ok";
      r.error_class = "none";
      r.output = v + std::to_string(c);
      r.attempts = 1;
      r.cost_usd = 0.25;
      r.conformant = c % 2 == 0;
      r.latency_ms = 10 + c;
      r.created_at = "now";
      r.request_json = "request " + v + std::to_string(c);
      r.response_body = "response " + v + std::to_string(c);
      r.checks.push_back(
          {"is-json", "is-json", c % 2 == 0, true, 1, 1.0, "detail " + v + std::to_string(c)});
      writer.add_result(std::move(r));
      writer.add_cache({"key " + v + std::to_string(c), 200, "body", 12.5});
    }
  }
  REQUIRE(writer.flush());
}

}  // namespace

TEST_CASE(
    "import_run copies a shard's cases, results, bodies, checks and cache into the merged run",
    "[store][merge]") {
  test::TempDir dir;
  write_shard(dir / "s0.db", 0, {0, 3}, 2);
  write_shard(dir / "s1.db", 1, {1, 2, 4}, 0);
  const auto merged_db = dir / "m.db";
  Store store(merged_db);
  const long long other = store.create_run(shard_run(0), variants());  // history already there
  {
    ResultWriter writer(merged_db);
    ResultRecord r;
    r.run_id = other;
    r.variant_id = "a";
    r.status = "ok";
    r.error_class = "none";
    r.created_at = "now";
    writer.add_result(r);
    writer.add_cache({"key a0", 200, "older body", 1});
    REQUIRE(writer.flush());
  }
  RunRecord merged = shard_run(0);
  merged.shard_index.reset();
  merged.status = "merging";
  const long long id = store.create_run(merged, variants());

  const auto first = store.import_run(dir / "s0.db", 3, id);
  CHECK(first.cases == 2);
  CHECK(first.results == 4);
  CHECK(first.cache_entries == 3);  // "key a0" was there: kept
  const auto second = store.import_run(dir / "s1.db", 1, id);
  CHECK(second.cases == 3);
  CHECK(second.results == 6);
  store.finish_merged_run(id, 5, 10, "done");

  CHECK(store.count_results(id) == 10);
  CHECK(test::count(merged_db, "select count(*) from results where id <= 1 and run_id = " +
                                   std::to_string(id)) == 0);
  // Every result kept its own bodies and check outcome through the renumbering.
  CHECK(test::count(merged_db,
                    "select count(*) from results r join result_bodies b on b.result_id = r.id"
                    " join check_outcomes c on c.result_id = r.id where r.run_id = " +
                        std::to_string(id) +
                        " and b.request_json = 'request ' || r.output and b.response_body = "
                        "'response ' || r.output"
                        " and c.detail = 'detail ' || r.output") == 10);
  CHECK(test::query(merged_db, "select body from response_cache where key = 'key a0'") ==
        "older body");
  CHECK(test::count(merged_db, "select count(*) from response_cache") == 10);

  const auto run = store.run(id);
  REQUIRE(run);
  CHECK(run->status == "done");
  CHECK(run->cases == 5);
  CHECK(run->total_jobs == 10);
  CHECK_FALSE(run->finished_at.empty());
  Sha256 digest;  // as the preflight computes it: the cases' content hashes in case order
  for (int c = 0; c < 5; ++c) digest.update("hash" + std::to_string(c));
  CHECK(run->dataset_fingerprint == digest.hex_digest());

  std::vector<long long> order;
  Store::ResultQuery q;
  q.variant_id = "b";
  store.for_each_result(id, q, [&](const ResultRecord& r) { order.push_back(r.case_index); });
  CHECK(order == std::vector<long long>{0, 1, 2, 3, 4});

  SECTION("a shard whose cases the run has already is refused whole") {
    CHECK_THROWS_WITH(
        store.import_run(dir / "s1.db", 1, id),
        Catch::Contains("holds 3 cases that the merged run has already from another input"));
    CHECK(store.count_results(id) == 10);
  }
  SECTION("a failed merge's run is deleted with everything it holds") {
    store.delete_run(id);
    CHECK_FALSE(store.run(id));
    CHECK(test::count(merged_db, "select count(*) from results") == 1);
    CHECK(test::count(merged_db, "select count(*) from check_outcomes") == 0);
    CHECK(test::count(merged_db, "select count(*) from cases") == 0);
  }
}

TEST_CASE("import_run refuses the database it merges into", "[store][merge]") {
  test::TempDir dir;
  write_shard(dir / "s0.db", 0, {0}, 0);
  Store store(dir / "s0.db");
  CHECK_THROWS_WITH(store.import_run(dir / "s0.db", 1, 1),
                    Catch::Contains("is the database being merged into"));
}
