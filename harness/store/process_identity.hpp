#pragma once
// Internal to store/: who this process is, and whether another one is still alive, for the
// leases that let one process at a time drive a run.
#include <string>

namespace tb {

struct ProcessIdentity {
  long long pid = 0;
  std::string host;
  // The process's start time in clock ticks since boot (/proc/PID/stat): with the pid it names
  // one process, even after the pid is reused. Empty where /proc is not available.
  std::string start;

  static const ProcessIdentity& self();
  // On this host: whether that process still runs (the pid exists with the same start time).
  // On another host nothing can be asked: the caller judges by the lease's heartbeat.
  bool alive_here() const;
  bool same_host() const { return host == self().host; }
  bool operator==(const ProcessIdentity&) const = default;
};

}  // namespace tb
