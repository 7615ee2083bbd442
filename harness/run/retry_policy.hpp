#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "net/http_types.hpp"

namespace tb {

// Durations as providers write them in headers: "1s", "6m0s", "20ms", "1h2m3.5s", or a bare
// number of seconds ("0.5"). nullopt when unreadable.
std::optional<double> parse_duration_ms(std::string_view text);

// How long the server asked us to wait: retry-after-ms, else retry-after (seconds), and the
// x-ratelimit-reset-requests / -tokens of whichever budget is exhausted (remaining 0).
std::optional<double> server_wait_ms(const HttpResponse& response);

// Why a server's wait hint was not waited: "the server asked to wait 3600 s before a retry, more
// than run.max_retry_wait_s (60 s)".
std::string wait_refused_note(double hint_ms, double max_retry_wait_s);

// Exponential backoff with full jitter: uniform in [0, min(cap, base * 2^(attempt-1))], so
// clients that failed together do not retry together. `uniform01` is a draw in [0, 1).
double backoff_ms(int attempt, double uniform01, double base_ms = 500, double cap_ms = 30000);

}  // namespace tb
