#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store/store.hpp"
#include "store/store_fixture.hpp"
#include "test_paths.hpp"

using namespace tb;

namespace {

std::string host_name() {
  char name[256] = {};
  gethostname(name, sizeof name - 1);
  return name;
}

// A process that does nothing until killed: the holder of a lease that is alive.
class Sleeper {
 public:
  Sleeper() {
    pid_ = fork();
    if (pid_ == 0) {
      pause();
      _exit(0);
    }
  }
  ~Sleeper() { stop(); }
  void stop() {
    if (pid_ <= 0) return;
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  // Killed, but not yet reaped: a zombie until stop().
  void kill_only() {
    kill(pid_, SIGKILL);
    siginfo_t info{};
    waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOWAIT);
  }
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
};

void hand_lease(const std::filesystem::path& db, long long run_id, long long pid,
                const std::string& host, long long heartbeat_age_s) {
  test::exec(db, "UPDATE run_leases SET pid=" + std::to_string(pid) + ", host='" + host +
                     "', process_start='', started_at='2026-11-22T10:00:00Z', "
                     "heartbeat_unix=strftime('%s','now')-" +
                     std::to_string(heartbeat_age_s) + " WHERE run_id=" + std::to_string(run_id));
}

}  // namespace

TEST_CASE("a run is driven by the process holding its lease; a second one is refused",
          "[store][lease]") {
  test::TempDir dir;
  const auto db = dir / "t.db";
  Store store(db);
  const long long id = store.create_run(test::one_run(), test::one_variant());
  auto lease = store.lease(id);
  REQUIRE(lease);
  CHECK(lease->mine);
  CHECK(lease->live);
  CHECK(lease->pid == getpid());
  CHECK(store.run(id)->status == "running");
  CHECK_FALSE(store.acquire_lease(id).has_value());  // already ours: taken again quietly

  Sleeper other;
  hand_lease(db, id, other.pid(), host_name(), 0);
  CHECK(store.lease(id)->live);
  CHECK_FALSE(store.lease(id)->mine);
  CHECK_THROWS_MATCHES(
      store.acquire_lease(id), RunRefused,
      Catch::Message("run " + std::to_string(id) + " is being driven by process " +
                     std::to_string(other.pid()) + " on " + host_name() +
                     " since 2026-11-22T10:00:00Z; wait for it to finish, or stop it (Ctrl-C) "
                     "and resume then"));
  CHECK(store.run(id)->status == "running");

  // Its process is gone: the run reads as interrupted and the lease is taken over.
  const long long other_pid = other.pid();
  other.stop();
  CHECK_FALSE(store.lease(id)->live);
  CHECK(store.run(id)->status == "interrupted");
  CHECK(store.run(id)->stale);
  const auto previous = store.acquire_lease(id);
  REQUIRE(previous);
  CHECK(previous->pid == other_pid);  // the owner that is gone
  CHECK_FALSE(previous->live);
  CHECK(store.lease(id)->mine);
  CHECK(store.run(id)->status == "running");
  CHECK_FALSE(store.run(id)->stale);

  // A finished run lets go of its lease.
  store.set_run_status(id, "done", true);
  CHECK_FALSE(store.lease(id).has_value());
  CHECK(store.run(id)->status == "done");
}

TEST_CASE("a lease from another host is judged by its heartbeat", "[store][lease]") {
  test::TempDir dir;
  const auto db = dir / "t.db";
  Store store(db);
  const long long id = store.create_run(test::one_run(), test::one_variant());
  hand_lease(db, id, 4242, "another-host.example", 10);
  CHECK(store.lease(id)->live);
  CHECK_THROWS_AS(store.acquire_lease(id), RunRefused);
  hand_lease(db, id, 4242, "another-host.example", 120);
  CHECK_FALSE(store.lease(id)->live);
  const auto previous = store.acquire_lease(id);
  REQUIRE(previous);
  CHECK(previous->host == "another-host.example");
  CHECK(previous->pid == 4242);
}

TEST_CASE("a killed process that is not yet reaped holds no lease", "[store][lease]") {
  test::TempDir dir;
  const auto db = dir / "t.db";
  Store store(db);
  const long long id = store.create_run(test::one_run(), test::one_variant());
  Sleeper other;
  hand_lease(db, id, other.pid(), host_name(), 0);
  CHECK(store.lease(id)->live);
  other.kill_only();  // its pid still exists, as a zombie
  CHECK(kill(other.pid(), 0) == 0);
  CHECK_FALSE(store.lease(id)->live);
  CHECK(store.run(id)->stale);
}
