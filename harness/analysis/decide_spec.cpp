#include "analysis/decide_spec.hpp"

#include <nlohmann/json.hpp>

namespace tb {

Decide decide_from_suite_json(std::string_view suite_json) {
  Decide out;
  const auto suite = nlohmann::json::parse(suite_json, nullptr, false);
  if (!suite.is_object() || !suite.contains("decide") || !suite["decide"].is_object()) return out;
  const auto& d = suite["decide"];
  const auto number = [&](const char* key) -> std::optional<double> {
    if (d.contains(key) && d[key].is_number()) return d[key].get<double>();
    return std::nullopt;
  };
  if (const auto m = number("monthly_requests")) out.monthly_requests = static_cast<long long>(*m);
  out.min_conformance = number("min_conformance");
  out.max_p95_latency_ms = number("max_p95_latency_ms");
  if (const auto h = number("horizon_months"); h && *h >= 1)
    out.horizon_months = static_cast<int>(*h);
  out.verdict = d.contains("min_conformance") || d.contains("horizon_months") ||
                d.contains("max_p95_latency_ms");
  return out;
}

}  // namespace tb
