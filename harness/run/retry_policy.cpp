#include "run/retry_policy.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace tb {

std::optional<double> parse_duration_ms(std::string_view text) {
  if (text.empty()) return std::nullopt;
  double total = 0;
  bool any = false;
  while (!text.empty()) {
    double value = 0;
    const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc()) return std::nullopt;
    text.remove_prefix(static_cast<std::size_t>(p - text.data()));
    any = true;
    if (text.empty()) return total + value * 1000;  // a bare number is seconds
    if (text.starts_with("ms")) {
      total += value;
      text.remove_prefix(2);
    } else if (text.starts_with("s")) {
      total += value * 1000;
      text.remove_prefix(1);
    } else if (text.starts_with("m")) {
      total += value * 60000;
      text.remove_prefix(1);
    } else if (text.starts_with("h")) {
      total += value * 3600000;
      text.remove_prefix(1);
    } else {
      return std::nullopt;
    }
  }
  return any ? std::optional<double>(total) : std::nullopt;
}

std::optional<double> server_wait_ms(const HttpResponse& r) {
  std::optional<double> wait;
  auto consider = [&](std::optional<double> v) {
    if (v && *v >= 0) wait = std::max(wait.value_or(0), *v);
  };
  // retry-after-ms is the precise form of retry-after (which rounds up to whole seconds).
  bool precise = false;
  if (auto ms = r.header("retry-after-ms"); !ms.empty()) {
    double v = 0;
    if (std::from_chars(ms.data(), ms.data() + ms.size(), v).ec == std::errc()) {
      consider(v);
      precise = true;
    }
  }
  if (auto s = r.header("retry-after"); !precise && !s.empty()) {
    double v = 0;
    if (std::from_chars(s.data(), s.data() + s.size(), v).ec == std::errc()) consider(v * 1000);
  }
  for (const char* budget : {"requests", "tokens"}) {
    const std::string suffix(budget);
    if (r.header("x-ratelimit-remaining-" + suffix) == "0")
      consider(parse_duration_ms(r.header("x-ratelimit-reset-" + suffix)));
  }
  return wait;
}

std::string wait_refused_note(double hint_ms, double max_retry_wait_s) {
  auto seconds = [](double s) {
    if (s == std::floor(s) && s < 1e15) return std::to_string(static_cast<long long>(s));
    char text[32];
    std::snprintf(text, sizeof text, "%.1f", s);
    return std::string(text);
  };
  return "the server asked to wait " + seconds(hint_ms / 1000) +
         " s before a retry, more than run.max_retry_wait_s (" + seconds(max_retry_wait_s) + " s)";
}

double backoff_ms(int attempt, double uniform01, double base_ms, double cap_ms) {
  const double ceiling = std::min(cap_ms, base_ms * std::pow(2.0, std::max(0, attempt - 1)));
  return ceiling * std::clamp(uniform01, 0.0, 1.0);
}

}  // namespace tb
