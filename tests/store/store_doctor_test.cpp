#include <catch2/catch.hpp>

#include <fstream>

#include "store/result_writer.hpp"
#include "store/store.hpp"
#include "store/store_doctor.hpp"
#include "store/store_fixture.hpp"
#include "test_paths.hpp"

using namespace tb;

namespace {

// A database with one finished run of `n` results (with bodies), closed.
long long filled(const std::filesystem::path& db, int n) {
  Store store(db);
  const long long id = store.create_run(test::one_run(n), test::one_variant());
  {
    ResultWriter writer(db);
    for (int i = 0; i < n; ++i) writer.add_result(test::result(id, i));
    REQUIRE(writer.flush());
  }
  store.set_run_status(id, "done", true);
  return id;
}

// Garbage over the middle of the file, as a bad disk or a stray write would leave it.
void damage(const std::filesystem::path& db) {
  const auto size = std::filesystem::file_size(db);
  std::fstream f(db, std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(static_cast<std::streamoff>(size / 2));
  const std::string garbage(16384, '\x5a');
  f.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
}

}  // namespace

TEST_CASE("a healthy database passes doctor's checks", "[store][doctor]") {
  test::TempDir dir;
  filled(dir / "t.db", 50);
  const auto e = examine_store(dir / "t.db");
  CHECK(e.sound());
  CHECK(e.healthy());
  CHECK(e.runs == 1);
  CHECK(e.results == 50);
  CHECK(e.schema_version == Store::kSchemaVersion);
}

TEST_CASE("doctor finds runs stuck running, results without bodies or beyond their jobs, orphans",
          "[store][doctor]") {
  test::TempDir dir;
  const auto db = dir / "t.db";
  const long long id = filled(db, 5);
  test::exec(db,
             "UPDATE runs SET status='running' WHERE id=" + std::to_string(id) +
                 ";"
                 "DELETE FROM result_bodies WHERE result_id IN (SELECT id FROM results LIMIT 2);"
                 "UPDATE runs SET total_jobs=4;"
                 "PRAGMA foreign_keys=OFF; INSERT INTO results(run_id, variant_id, case_index, "
                 "repeat, status, error_class,"
                 " attempts, cost_usd, conformant, score, created_at) "
                 "VALUES(99,'a',0,0,'ok','none',1,0,1,1,'t')");
  const auto e = examine_store(db);
  CHECK(e.sound());
  CHECK_FALSE(e.healthy());
  const auto has = [&](const std::string& part) {
    for (const auto& p : e.problems)
      if (p.find(part) != std::string::npos) return true;
    return false;
  };
  INFO(Catch::Detail::stringify(e.problems));
  CHECK(has("run " + std::to_string(id) +
            " is marked running but no process drives it; it reads as interrupted"));
  CHECK(has("3 results have no stored request and response bodies"));
  CHECK(has("run " + std::to_string(id) + " has 5 results for 4 jobs"));
  CHECK(has("1 rows of results refer to runs rows that do not exist"));
  CHECK(has("1 results belong to no variant of their run"));
}

TEST_CASE("a damaged file is refused when opened, and doctor reports the damage",
          "[store][doctor]") {
  test::TempDir dir;
  const auto db = dir / "t.db";
  filled(db, 400);
  damage(db);
  try {
    Store store(db);
    FAIL("a damaged store was opened");
  } catch (const StoreError& e) {
    CHECK(e.failure() == StoreFailure::damaged);
    CHECK_THAT(e.what(), Catch::Contains(db.string() + " is damaged") &&
                             Catch::Contains("tunebench doctor --db " + db.string()));
  }
  const auto e = examine_store(db);
  CHECK_FALSE(e.sound());
  CHECK_FALSE(e.healthy());
  CHECK(e.integrity.front() != "ok");
}
