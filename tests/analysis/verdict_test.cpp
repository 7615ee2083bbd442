#include <catch2/catch.hpp>

#include <cmath>

#include "analysis/verdict.hpp"

using namespace tb;

namespace {

VerdictCandidate candidate(std::string id, double conformance, Interval ci, double p95,
                           double per_request, double once) {
  VerdictCandidate c;
  c.variant = std::move(id);
  c.results = 100;
  c.conformance = conformance;
  c.conformance_ci = ci;
  c.latency_p95_ms = p95;
  c.cost_per_request = per_request;
  c.cost_per_request_ci = {per_request, per_request};
  c.one_time_usd = once;
  return c;
}

Decide settings(long long monthly) {
  Decide d;
  d.monthly_requests = monthly;
  d.min_conformance = 0.95;
  d.horizon_months = 6;
  d.verdict = true;
  return d;
}

// The costs a verdict reads: per request and every pair's break-even from the candidates.
CostIntervals costs_of(const std::vector<VerdictCandidate>& cs, int horizon) {
  CostIntervals out;
  for (std::size_t i = 0; i < cs.size(); ++i)
    for (std::size_t j = i + 1; j < cs.size(); ++j) {
      const bool i_first = cs[i].one_time_usd >= cs[j].one_time_usd;
      BreakEven p{i_first ? i : j, i_first ? j : i, std::nullopt, {}};
      p.monthly_requests =
          break_even_monthly(cs[p.a].one_time_usd, cs[p.a].cost_per_request, cs[p.b].one_time_usd,
                             cs[p.b].cost_per_request, horizon);
      if (p.monthly_requests) p.ci = {*p.monthly_requests * 0.5, *p.monthly_requests * 2};
      out.pairs.push_back(p);
    }
  return out;
}

}  // namespace

TEST_CASE("the verdict names the cheapest strategy over the horizon, training amortised",
          "[analysis][verdict]") {
  // At 1,000 requests a month for 6 months: prompted 6,000 x $0.005 = $30; fine-tuned $50 + 6,000
  // x $0.001 = $56; short $12 but far below the bar.
  const std::vector<VerdictCandidate> cs = {
      candidate("prompted", 0.97, {0.93, 0.99}, 800, 0.005, 0),
      candidate("fine-tuned", 0.98, {0.94, 0.995}, 400, 0.001, 50),
      candidate("short", 0.60, {0.50, 0.70}, 300, 0.002, 0),
  };
  const Verdict low = decide_verdict(cs, costs_of(cs, 6), settings(1000));
  REQUIRE(low.winner);
  CHECK(cs[*low.winner].variant == "prompted");
  CHECK(low.entries[0].horizon_cost == Approx(30));
  CHECK(low.entries[1].candidate == 1);
  CHECK(low.entries[1].horizon_cost == Approx(56));
  CHECK(low.entries[2].excluded == Exclusion::conformance);
  // Where it flips: 50 / (0.005 - 0.001) / 6 = 2,083.3 requests a month; prompted wins below.
  REQUIRE(low.flip);
  CHECK(low.flip->other == 1);
  CHECK_FALSE(low.flip->winner_above);
  CHECK(low.flip->monthly_requests == Approx(50 / 0.004 / 6));

  // At 100,000 a month the training has paid for itself: the fine-tune wins, above the same volume.
  const Verdict high = decide_verdict(cs, costs_of(cs, 6), settings(100000));
  REQUIRE(high.winner);
  CHECK(cs[*high.winner].variant == "fine-tuned");
  REQUIRE(high.flip);
  CHECK(high.flip->winner_above);
  CHECK(high.flip->monthly_requests == Approx(50 / 0.004 / 6));
  CHECK(high.flip->ci.low == Approx(50 / 0.004 / 6 * 0.5));
}

TEST_CASE("a strategy below the bar but not significantly so stays in the running",
          "[analysis][verdict]") {
  // 93% measured, but its interval reaches 95%: not significantly below. The other's interval
  // tops out at 94.9%: significantly below, however cheap.
  const std::vector<VerdictCandidate> cs = {
      candidate("close", 0.93, {0.88, 0.96}, 500, 0.004, 0),
      candidate("below", 0.90, {0.85, 0.949}, 500, 0.0001, 0),
  };
  const Verdict v = decide_verdict(cs, costs_of(cs, 6), settings(10000));
  REQUIRE(v.winner);
  CHECK(cs[*v.winner].variant == "close");
  CHECK(v.entries[1].excluded == Exclusion::conformance);
  CHECK_FALSE(v.flip);  // no other eligible strategy to flip to
}

TEST_CASE("a strategy whose p95 latency is over the limit is excluded", "[analysis][verdict]") {
  const std::vector<VerdictCandidate> cs = {
      candidate("slow-cheap", 0.99, {0.97, 1.0}, 2500, 0.0001, 0),
      candidate("fast", 0.99, {0.97, 1.0}, 900, 0.003, 0),
  };
  Decide d = settings(10000);
  d.max_p95_latency_ms = 1000;
  const Verdict v = decide_verdict(cs, costs_of(cs, 6), d);
  REQUIRE(v.winner);
  CHECK(cs[*v.winner].variant == "fast");
  CHECK(v.entries[1].excluded == Exclusion::latency);
  // Without the limit the cheap one wins.
  d.max_p95_latency_ms.reset();
  CHECK(cs[*decide_verdict(cs, costs_of(cs, 6), d).winner].variant == "slow-cheap");
}

TEST_CASE("no winner when every strategy is excluded or has no results", "[analysis][verdict]") {
  std::vector<VerdictCandidate> cs = {candidate("a", 0.5, {0.4, 0.6}, 100, 0.001, 0),
                                      candidate("b", 0, {0, 0}, 0, 0, 0)};
  cs[1].results = 0;
  const Verdict v = decide_verdict(cs, costs_of(cs, 6), settings(1000));
  CHECK_FALSE(v.winner);
  CHECK_FALSE(v.flip);
  REQUIRE(v.entries.size() == 2);
  CHECK((v.entries[0].excluded == Exclusion::conformance ||
         v.entries[1].excluded == Exclusion::conformance));
  CHECK((v.entries[0].excluded == Exclusion::no_results ||
         v.entries[1].excluded == Exclusion::no_results));
}

TEST_CASE("the volume sweep runs from 1k to 100M requests a month in half-decades",
          "[analysis][verdict]") {
  const std::vector<VerdictCandidate> cs = {
      candidate("prompted", 0.97, {0.93, 0.99}, 800, 0.005, 0),
      candidate("fine-tuned", 0.98, {0.94, 0.995}, 400, 0.001, 60),
  };
  const Verdict v = decide_verdict(cs, costs_of(cs, 6), settings(1000));
  const auto sweep = volume_sweep(cs, v);
  REQUIRE(sweep.size() == 11);
  CHECK(sweep.front().monthly_requests == 1000);
  CHECK(sweep[1].monthly_requests == 3000);
  CHECK(sweep.back().monthly_requests == 100000000);
  // 1,000 a month: prompted $5; fine-tuned $60 / 6 + $1 = $11.
  CHECK(sweep.front().monthly_cost[0] == Approx(5));
  CHECK(sweep.front().monthly_cost[1] == Approx(11));
  CHECK(sweep.front().cheapest_eligible == 0u);
  CHECK(sweep.back().cheapest_eligible == 1u);  // flips at 2,500 a month
  CHECK(sweep[2].cheapest_eligible == 1u);      // 10,000
  CHECK(sweep[1].cheapest_eligible == 1u);      // 3,000: $15 vs $13
}
