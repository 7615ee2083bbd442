#include "analysis/self_hosted_cost.hpp"

#include <nlohmann/json.hpp>

namespace tb {

std::optional<SelfHosted> self_hosted_from_params(std::string_view params_json) {
  const auto params = nlohmann::json::parse(params_json, nullptr, false);
  if (!params.is_object() || !params.contains("self_hosted") || !params["self_hosted"].is_object())
    return std::nullopt;
  const auto& j = params["self_hosted"];
  SelfHosted out;
  out.price.gpu_hour_usd = j.value("gpu_hour_usd", 0.0);
  out.price.gpus = j.value("gpus", 1);
  if (j.contains("tokens_per_s") && j["tokens_per_s"].is_number())
    out.price.tokens_per_s = j["tokens_per_s"].get<double>();
  out.concurrency = std::max(1, j.value("concurrency", 1));
  return out;
}

SelfHostedCost self_hosted_cost(const SelfHosted& s, double latency_s, double tokens) {
  SelfHostedCost out;
  if (s.price.tokens_per_s) {
    out.measured = false;
    out.tokens_per_s = *s.price.tokens_per_s;
  } else if (latency_s > 0) {
    out.tokens_per_s = s.concurrency * tokens / latency_s;
  }
  if (out.tokens_per_s <= 0) return out;
  const double per_token = s.price.usd_per_second() / out.tokens_per_s;
  out.usd = per_token * tokens;
  out.usd_per_1m_tokens = per_token * 1e6;
  return out;
}

}  // namespace tb
