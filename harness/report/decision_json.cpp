#include "report/decision_json.hpp"

#include <cmath>

#include "analysis/run_summary.hpp"
#include "report/verdict_text.hpp"

namespace tb {

using json = nlohmann::json;

json json_number(double v) {
  return std::isfinite(v) ? json(v) : json(nullptr);
}
json json_interval(const Interval& i) {
  return json::array({json_number(i.low), json_number(i.high)});
}

namespace {

const auto number = json_number;
const auto interval = json_interval;

std::string_view exclusion_name(Exclusion e) {
  switch (e) {
    case Exclusion::none:
      return "none";
    case Exclusion::conformance:
      return "conformance";
    case Exclusion::latency:
      return "latency";
    case Exclusion::no_results:
      return "no_results";
  }
  return "none";
}

json verdict_json(const RunSummary& summary) {
  if (!summary.verdict) return nullptr;
  const Verdict& v = *summary.verdict;
  const auto& cs = summary.candidates;
  const VerdictText text = verdict_text(summary);
  json entries = json::array();
  for (const auto& e : v.entries)
    entries.push_back({{"variant", cs[e.candidate].variant},
                       {"eligible", e.excluded == Exclusion::none},
                       {"excluded_by", exclusion_name(e.excluded)},
                       {"horizon_cost_usd", number(e.horizon_cost)},
                       {"horizon_cost_ci95", interval(e.horizon_cost_ci)},
                       {"derived", cs[e.candidate].derived}});
  json flip = nullptr;
  if (v.flip)
    flip = {{"other", cs[v.flip->other].variant},
            {"winner_cheaper", v.flip->winner_above ? "above" : "below"},
            {"monthly_requests", number(v.flip->monthly_requests)},
            {"ci95", interval(v.flip->ci)}};
  return {{"winner", v.winner ? json(cs[*v.winner].variant) : json(nullptr)},
          {"headline", text.headline},
          {"why", text.why},
          {"flip_text", text.flip},
          {"flip", std::move(flip)},
          {"entries", std::move(entries)}};
}

}  // namespace

void add_cost_intervals(const VariantSummary& v, json& cost) {
  cost["per_request_ci95"] = interval(v.cost_per_request_ci);
  cost["monthly_ci95"] = interval(v.cost_monthly_ci);
  cost["one_time_usd"] = number(v.one_time_cost);
  cost["derived"] = v.self_hosted.has_value();
  if (v.self_hosted) {
    const auto& h = *v.self_hosted;
    cost["self_hosted"] = {{"gpu_hour_usd", number(h.setting.price.gpu_hour_usd)},
                           {"gpus", h.setting.price.gpus},
                           {"concurrency", h.setting.concurrency},
                           {"tokens_per_s", number(h.cost.tokens_per_s)},
                           {"throughput_measured", h.cost.measured},
                           {"usd_per_1m_tokens", number(h.cost.usd_per_1m_tokens)},
                           {"note", derived_cost_note(v)}};
  }
}

json decision_json(const RunSummary& summary) {
  const auto& cs = summary.candidates;
  const Decide& d = summary.decide;
  json pairs = json::array();
  for (const auto& p : summary.costs.pairs)
    pairs.push_back(
        {{"cheaper_above", cs[p.a].variant},
         {"cheaper_below", cs[p.b].variant},
         {"monthly_requests", p.monthly_requests ? number(*p.monthly_requests) : json(nullptr)},
         {"ci95", p.monthly_requests ? interval(p.ci) : json(nullptr)}});
  json sweep = json::array();
  for (const auto& point : summary.sweep) {
    json costs = json::object();
    for (std::size_t i = 0; i < cs.size() && i < point.monthly_cost.size(); ++i)
      costs[cs[i].variant] = number(point.monthly_cost[i]);
    sweep.push_back(
        {{"monthly_requests", point.monthly_requests},
         {"monthly_usd", std::move(costs)},
         {"cheapest_eligible",
          point.cheapest_eligible ? json(cs[*point.cheapest_eligible].variant) : json(nullptr)}});
  }
  return {
      {"monthly_requests", d.monthly_requests},
      {"horizon_months", d.horizon_months},
      {"min_conformance", d.min_conformance ? json(*d.min_conformance) : json(nullptr)},
      {"max_p95_latency_ms", d.max_p95_latency_ms ? json(*d.max_p95_latency_ms) : json(nullptr)},
      {"resamples", summary.costs.resamples},
      {"break_even", std::move(pairs)},
      {"sweep", std::move(sweep)},
      {"verdict", verdict_json(summary)}};
}

}  // namespace tb
