#pragma once
// Internal to store/: the leases that let one process at a time drive a run (table run_leases),
// shared by Store and the writer, which keeps this process's leases fresh.
#include <optional>

#include "store/records.hpp"
#include "store/sqlite_db.hpp"

namespace tb::run_lease {

// A lease on another host whose heartbeat is older than this is taken to be abandoned; on this
// host the owner's process is asked directly.
inline constexpr long long kStaleAfterS = 60;
// How often the writer refreshes the leases of this process.
inline constexpr long long kHeartbeatEveryS = 5;

// Takes (or takes over) the run's lease for this process; inside the caller's transaction.
void take(sqlite::Database& db, long long run_id);
std::optional<LeaseRecord> read(sqlite::Database& db, long long run_id);
// Refreshes the heartbeat of every lease this process holds.
void heartbeat(sqlite::Database& db);

}  // namespace tb::run_lease
