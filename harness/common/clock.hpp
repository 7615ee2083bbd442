#pragma once
#include <string>

namespace tb {

// UTC wall time as ISO 8601 ("2026-11-22T10:15:00Z"): what the store and reports show.
std::string utc_now_iso8601();

// Monotonic milliseconds for latency measurements, never affected by clock changes.
double steady_ms();

}  // namespace tb
