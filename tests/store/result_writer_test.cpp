#include <catch2/catch.hpp>

#include "common/secrets.hpp"
#include "store/record_scrub.hpp"
#include "store/result_writer.hpp"
#include "store/store.hpp"
#include "test_paths.hpp"

using namespace tb;

namespace {

RunRecord one_run() {
  RunRecord r;
  r.suite_name = "s";
  r.suite_file = "s.yaml";
  r.suite_json = "{}";
  r.dataset_file = "d.jsonl";
  r.baseline = "a";
  r.started_at = "2026-11-22T00:00:00Z";
  r.status = "running";
  r.total_jobs = 4;
  r.cases = 4;
  r.tool_version = "test";
  r.price_catalog = "prices.json (x)";
  return r;
}

std::vector<VariantRecord> one_variant() {
  VariantRecord a;
  a.id = "a";
  a.kind = "prompted";
  a.model = "m";
  a.params_json = "{}";
  a.is_baseline = true;
  return {a};
}

ResultRecord result(long long run_id, long long case_index) {
  ResultRecord r;
  r.run_id = run_id;
  r.variant_id = "a";
  r.case_index = case_index;
  r.status = "ok";
  r.error_class = "none";
  r.attempts = 1;
  r.created_at = "now";
  return r;
}

std::vector<ResultRecord> read_back(Store& store, long long run_id) {
  std::vector<ResultRecord> out;
  Store::ResultQuery q;
  q.with_checks = true;
  q.with_bodies = true;
  store.for_each_result(run_id, q, [&](const ResultRecord& r) { out.push_back(r); });
  return out;
}

}  // namespace

TEST_CASE("the writer redacts a registered key from every text it stores, whatever form it is in",
          "[store][security]") {
  const std::string key = "sk-writer-test/Key_13579";
  Secrets::add(key);
  test::TempDir dir;
  Store store(dir / "t.db");
  const long long id = store.create_run(one_run(), one_variant());
  {
    ResultWriter writer(dir / "t.db");
    writer.add_case({id, 0, "c0", 1, R"([{"role":"user","content":")" + key + R"("}])", key, "t", "", ""});
    ResultRecord r = result(id, 0);
    r.output = "the key is " + key;
    r.request_json = R"({"messages":[{"content":")" + key + R"("}]})";
    r.response_body = R"({"content":"sk-writer-test\/Key_1357\u0039"})";
    r.checks.push_back({"equals", "equals", false, true, 1, 0, "expected x, got " + key});
    writer.add_result(std::move(r));
    ResultRecord e = result(id, 1);
    e.status = "error";
    e.error_class = "auth";
    e.error_message = "HTTP 401: Incorrect API key provided: " + key;
    // Split across the events of a stream: the output assembled from them is whole.
    e.response_body =
        "data: {\"choices\":[{\"delta\":{\"content\":\"sk-writer\"}}]}\n\n"
        "data: {\"choices\":[{\"delta\":{\"content\":\"-test/Key_13579\"}}]}\n\n";
    writer.add_result(std::move(e));
    writer.add_cache({"k", 200, "cached " + key, 1, -1, -1, -1});
    REQUIRE(writer.flush());
  }
  const auto results = read_back(store, id);
  REQUIRE(results.size() == 2);
  CHECK(results[0].output == "the key is [REDACTED]");
  CHECK(results[0].request_json == R"({"messages":[{"content":"[REDACTED]"}]})");
  CHECK(results[0].response_body == R"({"content":"[REDACTED]"})");
  CHECK(results[0].checks.at(0).detail == "expected x, got [REDACTED]");
  CHECK(results[1].error_message == "HTTP 401: Incorrect API key provided: [REDACTED]");
  CHECK(results[1].response_body.find("sk-writer") == std::string::npos);
  CHECK(results[1].response_body.find("Key_13579") == std::string::npos);
  CHECK(store.test_case(id, 0)->reference == "[REDACTED]");
  CHECK(store.test_case(id, 0)->messages_json.find(key) == std::string::npos);
  CHECK(store.cache_lookup("k")->body == "cached [REDACTED]");
}

TEST_CASE("texts that are not UTF-8 are stored with U+FFFD for each stray byte", "[store][utf8]") {
  std::string text = "caf\xC3\xA9 \xC3\x28 \xFF\xFE end \xE2\x82";
  make_valid_utf8(text);
  CHECK(text == "caf\xC3\xA9 \xEF\xBF\xBD( \xEF\xBF\xBD\xEF\xBF\xBD end \xEF\xBF\xBD\xEF\xBF\xBD");
  std::string valid = "plain \xF0\x9F\x94\x91 text";
  const std::string before = valid;
  make_valid_utf8(valid);
  CHECK(valid == before);

  test::TempDir dir;
  Store store(dir / "t.db");
  const long long id = store.create_run(one_run(), one_variant());
  {
    ResultWriter writer(dir / "t.db");
    ResultRecord r = result(id, 0);
    r.status = "error";
    r.error_class = "bad_response";
    r.error_message =
        "the body is not JSON: \"\x1f\x8b\x08"
        "Z\xff\"";
    r.response_body =
        "\x1f\x8b\x08"
        "Z\xff";
    writer.add_result(std::move(r));
    REQUIRE(writer.flush());
  }
  const auto results = read_back(store, id);
  REQUIRE(results.size() == 1);
  CHECK(results[0].error_message ==
        "the body is not JSON: \"\x1f\xEF\xBF\xBD\x08"
        "Z\xEF\xBF\xBD\"");
  CHECK(results[0].response_body ==
        "\x1f\xEF\xBF\xBD\x08"
        "Z\xEF\xBF\xBD");
}
