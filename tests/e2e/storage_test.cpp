// A hostile disk, through the real CLI: a database another process keeps locked, a disk that
// fills up, a damaged file, a read-only folder. No answer that was paid for is lost, every
// message names the file, and `tunebench doctor` says what it finds.
#include <catch2/catch.hpp>

#include <sqlite3.h>

#include <fstream>
#include <regex>

#include "e2e/cli.hpp"
#include "e2e/private_mount.hpp"
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

std::string suite(int latency_ms) { return test::paced_suite("storage-test", 5, latency_ms); }

// Another process's write lock on the database (this test's own connection), until released.
class WriteLock {
 public:
  explicit WriteLock(const std::filesystem::path& db) {
    sqlite3_open(db.c_str(), &handle_);
    sqlite3_busy_timeout(handle_, 5000);
    REQUIRE(sqlite3_exec(handle_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK);
  }
  ~WriteLock() { release(); }
  WriteLock(const WriteLock&) = delete;
  WriteLock& operator=(const WriteLock&) = delete;
  void release() {
    if (handle_ == nullptr) return;
    sqlite3_exec(handle_, "COMMIT", nullptr, nullptr, nullptr);
    sqlite3_close(handle_);
    handle_ = nullptr;
  }

 private:
  sqlite3* handle_ = nullptr;
};

// "requests sent: N" of a run's output; -1 when absent.
long long requests_sent(const std::string& output) {
  std::smatch m;
  if (!std::regex_search(output, m, std::regex("requests sent: (\\d+) "))) return -1;
  return std::stoll(m[1]);
}

long long kept_aside(const std::string& output) {
  std::smatch m;
  if (!std::regex_search(output, m, std::regex("stored (\\d+) results that an earlier run on ")))
    return -1;
  return std::stoll(m[1]);
}

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
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

TEST_CASE(
    "a write lock held by another process past the busy timeout: the run waits, says so, and "
    "stores every answer",
    "[e2e][storage][lock]") {
  test::TempDir dir;
  test::write_text(dir / "s.yaml", suite(20));
  const auto db = dir / "t.db";
  test::TunebenchProcess run({"run", "s.yaml", "--no-report", "--no-cache", "--db", "t.db"},
                             dir / "run.log", dir.path());
  REQUIRE(test::wait_until([&] { return count(db, "select count(*) from results") >= 10; }, 30));
  {
    WriteLock lock(db);
    // Longer than the writer's own busy timeout (1 s): the wait is the writer's, and said.
    REQUIRE(test::wait_until(
        [&] {
          return has(test::read_text(dir / "run.log"), "database is locked by another process");
        },
        10));
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  }
  const int code = run.wait(60);
  const std::string log = test::read_text(dir / "run.log");
  INFO(log);
  CHECK(code == 0);
  CHECK(has(log, "database is locked by another process; waiting to store "));
  CHECK(has(log, "(up to 120.0 s, "));
  CHECK(has(log, "the database is writable again: "));
  CHECK(requests_sent(log) == 120);
  CHECK(count(db, "select count(*) from results") == 120);
  CHECK(query(db, "select status from runs") == "done");
}

TEST_CASE(
    "a lock that outlasts the wait: the run fails keeping its answers beside the database, and "
    "the resume stores them without paying for them again",
    "[e2e][storage][lock]") {
  test::TempDir dir;
  test::write_text(dir / "s.yaml", suite(20));
  const auto db = dir / "t.db";
  test::TunebenchProcess run({"run", "s.yaml", "--no-report", "--no-cache", "--db", "t.db"},
                             dir / "run.log", dir.path(), {"TUNEBENCH_LOCK_WAIT_S=0.5"});
  REQUIRE(test::wait_until([&] { return count(db, "select count(*) from results") >= 10; }, 30));
  {
    WriteLock lock(db);
    // Held until the writer gives up and keeps what waits in a file beside the database.
    REQUIRE(test::wait_until(
        [&] {
          for (const auto& entry : std::filesystem::directory_iterator(dir.path()))
            if (has(entry.path().filename().string(), "t.db.unsaved-")) return true;
          return false;
        },
        20));
  }
  const int code = run.wait(60);
  const std::string log = test::read_text(dir / "run.log");
  INFO(log);
  CHECK(code == 3);
  CHECK(std::regex_search(
      log, std::regex("run 1 failed: storing results failed: .*t\\.db stayed locked by another "
                      "process for [0-9.]+ s; the [0-9]+ results not stored are kept in .*t\\.db\\."
                      "unsaved-[0-9]+\\.jsonl; the next `tunebench run` on this database stores "
                      "them")));
  const long long stored = count(db, "select count(*) from results");
  const long long first_sent = requests_sent(log);
  CHECK(stored < first_sent);  // some answers could not be stored...
  CHECK(query(db, "select status from runs") == "failed");

  const auto resumed =
      tunebench("run s.yaml --no-report --no-cache --db t.db --resume 1", dir.path().string());
  INFO(resumed.output);
  CHECK(resumed.exit_code == 0);
  // ...and are stored now, not sent again: every job was paid for once.
  CHECK(kept_aside(resumed.output) == first_sent - stored);
  CHECK(first_sent + requests_sent(resumed.output) == 120);
  CHECK(count(db, "select count(*) from results") == 120);
  CHECK(query(db, "select status from runs") == "done");
  for (const auto& entry : std::filesystem::directory_iterator(dir.path()))
    CHECK_FALSE(has(entry.path().filename().string(), ".unsaved-"));
}

TEST_CASE(
    "a disk that fills up: 'database or disk is full', no .tmp report left, nothing stays "
    "running, and once there is room the resume loses no answer",
    "[e2e][storage][disk]") {
  test::TempDir dir;
  test::write_text(dir / "s.yaml", suite(20));
  // 8 MiB of disk with about 700 KiB free: room to create the database and store a few
  // answers. The answers that do not fit go to $TMPDIR, which is elsewhere.
  const auto r = test::in_private_mounts(dir.path(), R"(
mkdir -p disk tmp && mount -t tmpfs -o size=8m tunebench-test disk || exit 77
dd if=/dev/zero of=disk/ballast bs=1k count=7450 2>/dev/null
TMPDIR=$PWD/tmp "$TB" run s.yaml --db disk/t.db --out disk/out --no-cache > first.log 2>&1
echo $? > first.code
ls -a disk/out > out.ls 2>&1
"$TB" runs --db disk/t.db > runs.log 2>&1
rm disk/ballast
TMPDIR=$PWD/tmp "$TB" run s.yaml --db disk/t.db --out disk/out --no-cache --resume 1 > second.log 2>&1
echo $? > second.code
ls -a disk/out >> out.ls 2>&1
ls tmp > tmp.ls
cp disk/t.db t.db
)");
  if (r.exit_code == test::kNoPrivateMounts) {
    WARN("skipped: no private mounts here (unshare -rm): " << r.output);
    return;
  }
  REQUIRE(r.exit_code == 0);
  const std::string first = test::read_text(dir / "first.log");
  const std::string second = test::read_text(dir / "second.log");
  INFO("first run:\n"
       << first << "\nruns:\n"
       << test::read_text(dir / "runs.log") << "\nresumed:\n"
       << second);
  CHECK(test::read_text(dir / "first.code") == "3\n");
  CHECK(has(first, "database or disk is full: cannot write disk/t.db"));
  CHECK(has(first, " results not stored are kept in " + (dir / "tmp").string() + "/tunebench-"));
  CHECK(has(first, "error: cannot write disk/out/run-1.html: No space left on device"));
  CHECK_FALSE(has(test::read_text(dir / "out.ls"), ".tmp"));
  // Not left running: failed, or interrupted (stale) when even that could not be stored.
  const std::string runs = test::read_text(dir / "runs.log");
  CHECK((has(runs, " failed ") || has(runs, " interrupted (stale) ")));
  CHECK_FALSE(has(runs, " running "));

  CHECK(test::read_text(dir / "second.code") == "0\n");
  CHECK(kept_aside(second) > 0);
  CHECK(requests_sent(first) + requests_sent(second) == 120);
  CHECK(test::read_text(dir / "tmp.ls").empty());  // stored, and removed
  CHECK(count(dir / "t.db", "select count(*) from results") == 120);
  CHECK(query(dir / "t.db", "select status from runs") == "done");
}

TEST_CASE("a read-only folder: the message names the database file", "[e2e][storage]") {
  test::TempDir dir;
  test::write_text(dir / "s.yaml", suite(0));
  const auto r = test::in_private_mounts(dir.path(), R"(
mkdir -p ro && "$TB" run s.yaml --db ro/t.db --no-report --quiet > /dev/null 2>&1
mount --bind ro ro && mount -o remount,bind,ro ro || exit 77
"$TB" run s.yaml --db ro/t.db --no-report --quiet > existing.log 2>&1
echo $? >> existing.log
"$TB" run s.yaml --db ro/new.db --no-report --quiet > new.log 2>&1
echo $? >> new.log
)");
  if (r.exit_code == test::kNoPrivateMounts) {
    WARN("skipped: no private mounts here (unshare -rm): " << r.output);
    return;
  }
  REQUIRE(r.exit_code == 0);
  const std::string existing = test::read_text(dir / "existing.log");
  const std::string created = test::read_text(dir / "new.log");
  INFO(existing << "\n" << created);
  CHECK(existing.ends_with("\n3\n"));
  CHECK(has(existing, "ro/t.db"));
  CHECK((has(existing, "read-only") || has(existing, "can it be written")));
  CHECK(created.ends_with("\n3\n"));
  CHECK(has(created, "cannot open ro/new.db"));
  CHECK(has(created, "does its folder exist and can it be written?"));
}

TEST_CASE("a damaged database is refused before anything is sent, and doctor reports the damage",
          "[e2e][storage][doctor]") {
  test::TempDir dir;
  test::write_text(dir / "s.yaml", suite(0));
  const auto db = dir / "t.db";
  REQUIRE(tunebench("run s.yaml --quiet --no-report --db t.db", dir.path().string()).exit_code ==
          0);
  const auto healthy = tunebench("doctor --db t.db", dir.path().string());
  INFO(healthy.output);
  CHECK(healthy.exit_code == 0);
  CHECK(has(healthy.output, "t.db: 1 runs, 120 results, schema version "));
  CHECK(has(healthy.output, "integrity: ok (PRAGMA integrity_check)\nconsistency: ok\n"));

  damage(db);
  for (const std::string command :
       {"run s.yaml --no-report --no-cache --db t.db", "runs --db t.db", "report 1 --db t.db"}) {
    const auto r = tunebench(command, dir.path().string());
    INFO(command << ": " << r.output);
    CHECK(r.exit_code == 3);
    CHECK(has(r.output, "t.db is damaged (PRAGMA quick_check: "));
    CHECK(has(r.output, "`tunebench doctor --db t.db` says more"));
    CHECK_FALSE(has(r.output, "requests sent"));
    CHECK_FALSE(has(r.output, "run id"));
  }
  const auto doctor = tunebench("doctor --db t.db", dir.path().string());
  INFO(doctor.output);
  CHECK(doctor.exit_code == 1);
  CHECK(has(doctor.output, "integrity: DAMAGED (PRAGMA integrity_check):\n"));
  CHECK(has(doctor.output, "restore it from a copy"));
  CHECK(tunebench("doctor --db missing.db", dir.path().string()).exit_code == 2);
}
