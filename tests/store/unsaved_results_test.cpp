#include <catch2/catch.hpp>

#include <fstream>

#include "store/unsaved_results.hpp"
#include "test_paths.hpp"

using namespace tb;

namespace {

// Every field set to a value other than its default, so that a field the file forgets shows.
ResultRecord full_result() {
  ResultRecord r;
  r.run_id = 3;
  r.variant_id = "ft";
  r.case_index = 41;
  r.repeat = 2;
  r.status = "error";
  r.error_class = "server";
  r.error_message = "HTTP 503: \"busy\"\nretry later";
  r.http_status = 503;
  r.output = "{\"term\":\"caf\xC3\xA9\"}";
  r.finish_reason = "length";
  r.prompt_tokens = 1234;
  r.completion_tokens = 56;
  r.cached_tokens = 1024;
  r.prompt_chars = 4321;
  r.local_prompt_tokens = 1230;
  r.latency_ms = 812.5;
  r.ttft_ms = 101.25;
  r.itl_ms = 7.5;
  r.output_tps = 88.125;
  r.cached = true;
  r.attempts = 3;
  r.cost_usd = 0.000123456789;
  r.conformant = true;
  r.score = 0.75;
  r.failure_kind = "fenced";
  r.failure_path = "/definition";
  r.request_json = "{\"model\":\"m\"}";
  r.response_body = "{\"choices\":[]}";
  r.created_at = "2026-11-22T10:00:00Z";
  r.checks.push_back({"is-json", "is-json", false, true, 2.5, 0.5, "not JSON"});
  r.checks.push_back({"short", "max-length", true, false, 1, 1, ""});
  r.judge_calls.push_back({1, "judge", "gpt-4o", 300, 4, 0.002, true, 2, "pass", 0.9, "none"});
  return r;
}

}  // namespace

TEST_CASE("unsaved results round-trip every field of cases, results and cache entries",
          "[store][lock]") {
  test::TempDir dir;
  const auto db = dir / "t.db";
  CaseRecord c{3, 41, "c41", 42, "[{\"role\":\"user\"}]", "ref", "a,b", "abc123"};
  CacheRecord cache{"key-1", 429, "{\"error\":1}", 12.5, 3.5, 1.25, 44.5};
  const ResultRecord r = full_result();
  std::filesystem::path file;
  std::string error;
  REQUIRE(save_unsaved(db, {c, r, cache}, file, error));
  CHECK(file.parent_path() == dir.path());
  CHECK(file.filename().string().starts_with("t.db.unsaved-"));
  // A line torn as its writer died is skipped; the lines before it are kept.
  std::ofstream(file, std::ios::app) << "{\"result\":{\"run_id\":3,\"varia";

  std::vector<StoreItem> items;
  REQUIRE(load_unsaved(file, items, error));
  REQUIRE(items.size() == 3);
  CHECK(std::get<CaseRecord>(items[0]) == c);
  CHECK(std::get<ResultRecord>(items[1]) == r);
  CHECK(std::get<CacheRecord>(items[2]) == cache);
}

TEST_CASE("a file that is not unsaved results is an error naming it", "[store][lock]") {
  test::TempDir dir;
  const auto file = dir / "t.db.unsaved-1.jsonl";
  test::write_text(file, "{\"result\":{\"run_id\":\"three\"}}\n");
  std::vector<StoreItem> items;
  std::string error;
  CHECK_FALSE(load_unsaved(file, items, error));
  CHECK_THAT(error, Catch::StartsWith(file.string() + ": a line is not an unsaved result"));
}
