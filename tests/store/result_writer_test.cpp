#include <catch2/catch.hpp>

#include <sqlite3.h>

#include <chrono>
#include <functional>
#include <mutex>
#include <thread>

#include "common/secrets.hpp"
#include "store/record_scrub.hpp"
#include "store/result_writer.hpp"
#include "store/store.hpp"
#include "store/store_fixture.hpp"
#include "store/unsaved_results.hpp"
#include "test_paths.hpp"

using namespace tb;

namespace {

using test::one_run;
using test::one_variant;
using test::result;

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
    writer.add_case({id, 0, "c0", 1, R"([{"role":"user","content":")" + key + R"("}])", key, "t", ""});
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

namespace {

// Another process's write lock on the database, held until release() (or destruction).
class WriteLock {
 public:
  explicit WriteLock(const std::filesystem::path& db) {
    sqlite3_open(db.c_str(), &handle_);
    REQUIRE(sqlite3_exec(handle_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK);
  }
  ~WriteLock() { release(); }
  void release() {
    if (handle_ == nullptr) return;
    sqlite3_exec(handle_, "COMMIT", nullptr, nullptr, nullptr);
    sqlite3_close(handle_);
    handle_ = nullptr;
  }

 private:
  sqlite3* handle_ = nullptr;
};

struct Reports {
  std::mutex mutex;
  std::vector<std::string> lines;
  std::function<void(const std::string&)> sink() {
    return [this](const std::string& line) {
      std::lock_guard lock(mutex);
      lines.push_back(line);
    };
  }
  bool any(const std::string& part) {
    std::lock_guard lock(mutex);
    for (const auto& l : lines)
      if (l.find(part) != std::string::npos) return true;
    return false;
  }
};

}  // namespace

TEST_CASE(
    "a write lock held longer than the busy timeout: the writer keeps the results, says so and "
    "stores them once it is free",
    "[store][lock]") {
  test::TempDir dir;
  const auto db = dir / "t.db";
  Store store(db);
  const long long id = store.create_run(one_run(20), one_variant());
  Reports reports;
  ResultWriter writer(db, {30, reports.sink()});
  {
    WriteLock lock(db);
    for (int i = 0; i < 20; ++i) writer.add_result(result(id, i));
    // Well past the writer's 1 s busy timeout.
    std::this_thread::sleep_for(std::chrono::milliseconds(2500));
    CHECK(writer.committed_results() == 0);
    CHECK_FALSE(writer.error().has_value());
    CHECK(reports.any(
        "database is locked by another process; waiting to store 20 results (up to 30.0 s"));
  }
  REQUIRE(writer.flush());
  CHECK(writer.committed_results() == 20);
  CHECK(store.count_results(id) == 20);
  CHECK(reports.any("the database is writable again: 20 results that waited are stored"));
}

TEST_CASE(
    "a lock that outlasts the wait: the results are kept in a file beside the database and stored "
    "by the next run",
    "[store][lock]") {
  test::TempDir dir;
  const auto db = dir / "t.db";
  Store store(db);
  const long long id = store.create_run(one_run(10), one_variant());
  Reports reports;
  {
    ResultWriter writer(db, {0.5, reports.sink()});
    WriteLock lock(db);
    for (int i = 0; i < 6; ++i) writer.add_result(result(id, i));
    CHECK_FALSE(writer.flush());
    REQUIRE(writer.error().has_value());
    CHECK_THAT(
        *writer.error(),
        Catch::Contains(db.string() + " stayed locked by another process for") &&
            Catch::Contains("the 6 results not stored are kept in " + db.string() + ".unsaved-"));
    // Results that come after the failure are kept as well.
    writer.add_result(result(id, 6));
    CHECK_FALSE(writer.flush());
  }
  const auto files = unsaved_result_files(db);
  REQUIRE(files.size() == 1);
  CHECK(store.count_results(id) == 0);
  // One of them was stored meanwhile (by a resume, say): it is not stored twice.
  {
    ResultWriter writer(db);
    writer.add_result(result(id, 0));
    REQUIRE(writer.flush());
  }
  CHECK(store_unsaved_results(db) == 6);
  CHECK(store.count_results(id) == 7);
  CHECK(unsaved_result_files(db).empty());
  std::vector<ResultRecord> back = read_back(store, id);
  REQUIRE(back.size() == 7);
  CHECK(back[3].response_body == result(id, 3).response_body);
}
