#include "analysis/cost_bootstrap.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

namespace tb {

namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();
constexpr double kDrawBudget = 2e7;  // case draws over all resamples and strategies

struct Sums {
  double results = 0, cost = 0, latency_s = 0, tokens = 0;
  void add(const CaseCost& c) {
    results += c.results;
    cost += c.cost_usd;
    latency_s += c.latency_s;
    tokens += c.tokens;
  }
};

double per_request(const CostInput& input, const Sums& s) {
  if (s.results <= 0) return 0;
  // A self-hosted strategy's model cost is derived; what was billed (a query's embedding) adds.
  const double usd =
      s.cost +
      (input.self_hosted ? self_hosted_cost(*input.self_hosted, s.latency_s, s.tokens).usd : 0);
  return usd / s.results;
}

// numpy's linear percentile of sorted values that may end in +infinity: infinite as soon as
// an infinite value takes part.
double percentile_with_infinity(const std::vector<double>& sorted, double p) {
  const double rank = p / 100.0 * static_cast<double>(sorted.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(rank));
  const auto hi = static_cast<std::size_t>(std::ceil(rank));
  if (std::isinf(sorted[lo]) || std::isinf(sorted[hi])) return kInfinity;
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - static_cast<double>(lo));
}

Interval percentile_interval(std::vector<double>& values) {
  if (values.empty()) return {0, 0};
  std::sort(values.begin(), values.end());
  return {percentile_with_infinity(values, 2.5), percentile_with_infinity(values, 97.5)};
}

}  // namespace

double cost_per_request(const CostInput& input, std::span<const CaseCost> cases) {
  Sums s;
  for (const auto& c : cases) s.add(c);
  return per_request(input, s);
}

std::optional<double> break_even_monthly(double one_time_a, double per_request_a, double one_time_b,
                                         double per_request_b, int horizon_months) {
  const double saving = per_request_b - per_request_a;  // what a saves per request
  if (one_time_a <= one_time_b || saving <= 0 || horizon_months <= 0) return std::nullopt;
  return (one_time_a - one_time_b) / saving / horizon_months;
}

CostIntervals bootstrap_costs(std::span<const CostInput> inputs, int horizon_months, int resamples,
                              std::uint64_t seed) {
  CostIntervals out;
  const std::size_t k = inputs.size();
  // The cases any strategy has, and each strategy's cost facts aligned to them (a strategy
  // without results on a case contributes nothing when it is drawn).
  std::map<long long, std::size_t> position;
  for (const auto& input : inputs)
    for (const auto& c : input.cases) position.emplace(c.case_index, 0);
  std::size_t n = 0;
  for (auto& [index, p] : position) p = n++;
  std::vector<std::vector<CaseCost>> aligned(k, std::vector<CaseCost>(n));
  for (std::size_t v = 0; v < k; ++v)
    for (const auto& c : inputs[v].cases) aligned[v][position.at(c.case_index)] = c;

  for (std::size_t v = 0; v < k; ++v)
    out.per_request.push_back(cost_per_request(inputs[v], aligned[v]));
  for (std::size_t i = 0; i < k; ++i)
    for (std::size_t j = i + 1; j < k; ++j) {
      // Orient each pair once, on the point estimates: a has the larger one-time cost.
      const bool i_first = inputs[i].one_time_usd >= inputs[j].one_time_usd;
      BreakEven pair{i_first ? i : j, i_first ? j : i, std::nullopt, {}};
      pair.monthly_requests =
          break_even_monthly(inputs[pair.a].one_time_usd, out.per_request[pair.a],
                             inputs[pair.b].one_time_usd, out.per_request[pair.b], horizon_months);
      out.pairs.push_back(pair);
    }
  if (n == 0) {
    out.per_request_ci.assign(k, {0, 0});
    return out;
  }

  const double draws_per_resample =
      static_cast<double>(n) * static_cast<double>(std::max<std::size_t>(k, 1));
  out.resamples = static_cast<int>(
      std::clamp(kDrawBudget / draws_per_resample, 200.0, static_cast<double>(resamples)));
  if (resamples < 200) out.resamples = resamples;
  std::vector<std::vector<double>> costs(k), break_evens(out.pairs.size());
  ResampleIndices draw(seed);
  std::vector<Sums> sums(k);
  for (int r = 0; r < out.resamples; ++r) {
    std::fill(sums.begin(), sums.end(), Sums{});
    for (std::size_t d = 0; d < n; ++d) {
      const std::size_t c = draw.next(n);
      for (std::size_t v = 0; v < k; ++v) sums[v].add(aligned[v][c]);
    }
    std::vector<double> cost(k);
    for (std::size_t v = 0; v < k; ++v)
      costs[v].push_back(cost[v] = per_request(inputs[v], sums[v]));
    for (std::size_t p = 0; p < out.pairs.size(); ++p) {
      const auto& pair = out.pairs[p];
      const auto m = break_even_monthly(inputs[pair.a].one_time_usd, cost[pair.a],
                                        inputs[pair.b].one_time_usd, cost[pair.b], horizon_months);
      break_evens[p].push_back(m.value_or(kInfinity));
    }
  }
  for (auto& c : costs) out.per_request_ci.push_back(percentile_interval(c));
  for (std::size_t p = 0; p < out.pairs.size(); ++p)
    out.pairs[p].ci = percentile_interval(break_evens[p]);
  return out;
}

}  // namespace tb
