#include "analysis/verdict.hpp"

#include <algorithm>
#include <cmath>

namespace tb {

namespace {

Exclusion exclusion(const VerdictCandidate& c, const Decide& decide) {
  if (c.results == 0) return Exclusion::no_results;
  // Not significantly below the bar: the bar lies within or under the 95% interval.
  if (decide.min_conformance && c.conformance_ci.high < *decide.min_conformance)
    return Exclusion::conformance;
  if (decide.max_p95_latency_ms && c.latency_p95_ms > *decide.max_p95_latency_ms)
    return Exclusion::latency;
  return Exclusion::none;
}

double horizon_requests(const Decide& d) {
  return static_cast<double>(d.monthly_requests) * d.horizon_months;
}

}  // namespace

Verdict decide_verdict(std::span<const VerdictCandidate> candidates, const CostIntervals& costs,
                       const Decide& decide) {
  Verdict out;
  out.decide = decide;
  const double requests = horizon_requests(decide);
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    const auto& c = candidates[i];
    VerdictEntry e;
    e.candidate = i;
    e.excluded = exclusion(c, decide);
    e.horizon_cost = c.one_time_usd + c.cost_per_request * requests;
    e.horizon_cost_ci = {c.one_time_usd + c.cost_per_request_ci.low * requests,
                         c.one_time_usd + c.cost_per_request_ci.high * requests};
    out.entries.push_back(e);
  }
  // Eligible first, cheapest first; ties keep the suite's order (stable).
  std::stable_sort(
      out.entries.begin(), out.entries.end(), [](const VerdictEntry& a, const VerdictEntry& b) {
        const bool ea = a.excluded == Exclusion::none, eb = b.excluded == Exclusion::none;
        if (ea != eb) return ea;
        return a.horizon_cost < b.horizon_cost;
      });
  if (out.entries.empty() || out.entries.front().excluded != Exclusion::none) return out;
  const std::size_t w = out.entries.front().candidate;
  out.winner = w;

  // The flip nearest the suite's volume among the eligible others.
  const double volume = static_cast<double>(std::max(1LL, decide.monthly_requests));
  for (const auto& e : out.entries) {
    if (e.candidate == w || e.excluded != Exclusion::none) continue;
    for (const auto& pair : costs.pairs) {
      if (!((pair.a == w && pair.b == e.candidate) || (pair.b == w && pair.a == e.candidate)))
        continue;
      if (!pair.monthly_requests || *pair.monthly_requests <= 0) continue;
      Flip f{e.candidate, pair.a == w, *pair.monthly_requests, pair.ci};
      const auto distance = [&](const Flip& x) {
        return std::fabs(std::log(x.monthly_requests / volume));
      };
      if (!out.flip || distance(f) < distance(*out.flip)) out.flip = f;
    }
  }
  return out;
}

std::vector<SweepPoint> volume_sweep(std::span<const VerdictCandidate> candidates,
                                     const Verdict& verdict) {
  std::vector<SweepPoint> out;
  // Half-decades: 1k, 3k, 10k, ..., 100M.
  for (double v = 1000; v <= 1e8 * 1.0001; v *= std::sqrt(10.0)) {
    SweepPoint p;
    const double rounded = std::round(v / std::pow(10.0, std::floor(std::log10(v)))) *
                           std::pow(10.0, std::floor(std::log10(v)));
    p.monthly_requests = static_cast<long long>(rounded);
    double best = 0;
    for (std::size_t i = 0; i < candidates.size(); ++i) {
      const auto& c = candidates[i];
      const double monthly =
          c.one_time_usd / verdict.decide.horizon_months + c.cost_per_request * rounded;
      p.monthly_cost.push_back(monthly);
      const bool eligible = std::any_of(
          verdict.entries.begin(), verdict.entries.end(),
          [&](const VerdictEntry& e) { return e.candidate == i && e.excluded == Exclusion::none; });
      if (eligible && (!p.cheapest_eligible || monthly < best)) {
        p.cheapest_eligible = i;
        best = monthly;
      }
    }
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace tb
