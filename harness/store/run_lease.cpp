#include "store/run_lease.hpp"

#include <chrono>

#include "common/clock.hpp"
#include "store/process_identity.hpp"
#include "store/store.hpp"
#include "store/store_impl.hpp"

namespace tb {
namespace {

long long now_unix() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

namespace run_lease {

void take(sqlite::Database& db, long long run_id) {
  const auto& me = ProcessIdentity::self();
  db.prepare(
        "INSERT OR REPLACE INTO run_leases(run_id, pid, host, process_start, started_at,"
        " heartbeat_unix) VALUES(?,?,?,?,?,?)")
      .bind(1, run_id)
      .bind(2, me.pid)
      .bind(3, me.host)
      .bind(4, me.start)
      .bind(5, utc_now_iso8601())
      .bind(6, now_unix())
      .run();
}

std::optional<LeaseRecord> read(sqlite::Database& db, long long run_id) {
  auto q = db.prepare(
      "SELECT pid, host, process_start, started_at, heartbeat_unix FROM run_leases WHERE run_id=?");
  q.bind(1, run_id);
  if (!q.step()) return std::nullopt;
  ProcessIdentity owner;
  owner.pid = q.int64(0);
  owner.host = q.text(1);
  owner.start = q.text(2);
  LeaseRecord lease;
  lease.run_id = run_id;
  lease.pid = owner.pid;
  lease.host = owner.host;
  lease.started_at = q.text(3);
  lease.heartbeat_age_s = now_unix() - q.int64(4);
  lease.mine = owner == ProcessIdentity::self();
  lease.live =
      lease.mine || (owner.same_host() ? owner.alive_here() : lease.heartbeat_age_s < kStaleAfterS);
  return lease;
}

void heartbeat(sqlite::Database& db) {
  const auto& me = ProcessIdentity::self();
  db.prepare("UPDATE run_leases SET heartbeat_unix=? WHERE pid=? AND host=? AND process_start=?")
      .bind(1, now_unix())
      .bind(2, me.pid)
      .bind(3, me.host)
      .bind(4, me.start)
      .run();
}

}  // namespace run_lease

std::optional<LeaseRecord> Store::acquire_lease(long long run_id) {
  auto& db = impl_->db;
  db.exec("BEGIN IMMEDIATE");
  try {
    auto held = run_lease::read(db, run_id);
    if (held && held->live && !held->mine) {
      db.rollback();
      throw RunRefused("run " + std::to_string(run_id) + " is being driven by process " +
                       std::to_string(held->pid) + " on " + held->host + " since " +
                       held->started_at +
                       "; wait for it to finish, or stop it (Ctrl-C) and resume then");
    }
    run_lease::take(db, run_id);
    db.exec("COMMIT");
    if (held && !held->mine) return held;  // taken over from a process that is gone
    return std::nullopt;
  } catch (const RunRefused&) {
    throw;
  } catch (...) {
    db.rollback();
    throw;
  }
}

void Store::release_lease(long long run_id) {
  const auto& me = ProcessIdentity::self();
  impl_->db
      .prepare("DELETE FROM run_leases WHERE run_id=? AND pid=? AND host=? AND process_start=?")
      .bind(1, run_id)
      .bind(2, me.pid)
      .bind(3, me.host)
      .bind(4, me.start)
      .run();
}

std::optional<LeaseRecord> Store::lease(long long run_id) {
  return run_lease::read(impl_->db, run_id);
}

void Store::derive_status(RunRecord& run) {
  if (run.status != "running") return;
  const auto held = run_lease::read(impl_->db, run.id);
  if (held && held->live) return;
  run.status = "interrupted";
  run.stale = true;
}

}  // namespace tb
