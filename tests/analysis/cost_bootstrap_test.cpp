#include <catch2/catch.hpp>

#include <cmath>

#include "analysis/cost_bootstrap.hpp"
#include "analysis/self_hosted_cost.hpp"

using namespace tb;

// Two strategies on the same two cases, the first with two repeats. With cases resampled whole
// (repeats clustered), a resample of two cases is one of three: case 0 twice, case 1 twice, or
// both (probability 1/4, 1/4, 1/2). So the bootstrap's 2.5th and 97.5th percentiles are the
// extreme outcomes, which can be computed by hand:
//
//   fine-tuned (once $10): case 0 costs 0.001 + 0.003 (2 results), case 1 0.002 (1 result)
//   prompted   (once $0):  case 0 costs 0.005 + 0.007 (2 results), case 1 0.008 (1 result)
//   horizon 2 months; break-even a month = 10 / (prompted - fine-tuned per request) / 2
//
//   draw        fine-tuned per request   prompted per request   saving   break-even a month
//   {0, 0}      0.008 / 4 = 0.002        0.024 / 4 = 0.006      0.004    10 / 0.004 / 2 = 1,250
//   {1, 1}      0.004 / 2 = 0.002        0.016 / 2 = 0.008      0.006    10 / 0.006 / 2 = 833.33
//   {0, 1}      0.006 / 3 = 0.002        0.020 / 3 = 0.006667   0.004667 10 / 0.004667 / 2 =
//   1,071.43
//
// The point estimate is the {0, 1} row (the sample itself); the interval is [833.33, 1,250].
// Resampling results instead of cases would mix repeats of case 0 with case 1 and put other
// values inside those bounds at the 2.5% and 97.5% ranks.
TEST_CASE("the break-even interval on a constructed case matches the hand computation",
          "[analysis][cost]") {
  CostInput fine_tuned;
  fine_tuned.one_time_usd = 10;
  fine_tuned.cases = {{0, 2, 0.001 + 0.003, 0, 0}, {1, 1, 0.002, 0, 0}};
  CostInput prompted;
  prompted.cases = {{0, 2, 0.005 + 0.007, 0, 0}, {1, 1, 0.008, 0, 0}};
  const std::vector<CostInput> inputs = {prompted, fine_tuned};
  const CostIntervals costs = bootstrap_costs(inputs, 2, 2000, 12345);

  CHECK(costs.resamples == 2000);
  REQUIRE(costs.per_request.size() == 2);
  CHECK(costs.per_request[0] == Approx(0.02 / 3));
  CHECK(costs.per_request[1] == Approx(0.002));
  CHECK(costs.per_request_ci[0].low == Approx(0.006));
  CHECK(costs.per_request_ci[0].high == Approx(0.008));
  CHECK(costs.per_request_ci[1].low == Approx(0.002));
  CHECK(costs.per_request_ci[1].high == Approx(0.002));

  REQUIRE(costs.pairs.size() == 1);
  const BreakEven& pair = costs.pairs[0];
  CHECK(pair.a == 1);  // fine-tuned: the larger one-time cost, cheaper above the break-even
  CHECK(pair.b == 0);
  REQUIRE(pair.monthly_requests);
  CHECK(*pair.monthly_requests == Approx(10 / (0.02 / 3 - 0.002) / 2));  // 1,071.43
  CHECK(pair.ci.low == Approx(10 / 0.006 / 2));                          // 833.33
  CHECK(pair.ci.high == Approx(10 / 0.004 / 2));                         // 1,250
}

TEST_CASE("a break-even that some resamples never reach has no upper bound", "[analysis][cost]") {
  // Case 1 makes the fine-tune dearer per request: a resample of case 1 twice never pays back.
  CostInput fine_tuned;
  fine_tuned.one_time_usd = 5;
  fine_tuned.cases = {{0, 1, 0.001, 0, 0}, {1, 1, 0.004, 0, 0}};
  CostInput prompted;
  prompted.cases = {{0, 1, 0.006, 0, 0}, {1, 1, 0.003, 0, 0}};
  const std::vector<CostInput> inputs = {prompted, fine_tuned};
  const CostIntervals costs = bootstrap_costs(inputs, 1);
  const BreakEven& pair = costs.pairs.at(0);
  REQUIRE(pair.monthly_requests);
  CHECK(*pair.monthly_requests == Approx(5 / (0.0045 - 0.0025)));  // 2,500
  CHECK(pair.ci.low == Approx(5 / 0.005));                         // case 0 twice: 1,000
  CHECK(std::isinf(pair.ci.high));
}

TEST_CASE("break-even a month exists only when the one-time cost buys a lower cost per request",
          "[analysis][cost]") {
  CHECK(break_even_monthly(100, 0.001, 0, 0.002, 10).value() == Approx(100 / 0.001 / 10));
  CHECK_FALSE(break_even_monthly(100, 0.003, 0, 0.002, 10));  // dearer per request too: never
  CHECK_FALSE(break_even_monthly(0, 0.001, 0, 0.002, 10));    // nothing to recover
}

TEST_CASE("a self-hosted cost is GPU time over the measured or given throughput",
          "[analysis][cost]") {
  SelfHosted s;
  s.price.gpu_hour_usd = 3.60;  // $0.001 a second
  s.price.gpus = 2;             // $0.002 a second
  s.concurrency = 4;
  // 10 s of latency summed over results with 2,000 tokens, 4 at a time: 800 tokens/s.
  const SelfHostedCost measured = self_hosted_cost(s, 10, 2000);
  CHECK(measured.measured);
  CHECK(measured.tokens_per_s == Approx(800));
  CHECK(measured.usd == Approx(0.002 * 10 / 4));  // GPU dollars a second x latency / concurrency
  CHECK(measured.usd_per_1m_tokens == Approx(0.002 / 800 * 1e6));

  s.price.tokens_per_s = 1000;
  const SelfHostedCost given = self_hosted_cost(s, 10, 2000);
  CHECK_FALSE(given.measured);
  CHECK(given.usd == Approx(0.002 * 2000 / 1000.0));

  const auto parsed = self_hosted_from_params(
      R"({"temperature":0,"self_hosted":{"gpu_hour_usd":2.5,"gpus":2,"concurrency":16,"tokens_per_s":900}})");
  REQUIRE(parsed);
  CHECK(parsed->price.gpu_hour_usd == 2.5);
  CHECK(parsed->price.gpus == 2);
  CHECK(parsed->concurrency == 16);
  CHECK(parsed->price.tokens_per_s == 900);
  CHECK_FALSE(self_hosted_from_params(R"({"temperature":0})"));
}

TEST_CASE("a self-hosted strategy's per-request cost in the bootstrap is derived from its cases",
          "[analysis][cost]") {
  CostInput hosted;
  hosted.self_hosted =
      SelfHosted{GpuPrice{3.6, 1, std::nullopt}, 2};  // $0.001 a second, 2 in flight
  // Each case: one result taking 2 s (case 0) or 4 s (case 1): $0.001 and $0.002 derived.
  hosted.cases = {{0, 1, 0, 2, 100}, {1, 1, 0, 4, 100}};
  const std::vector<CostInput> inputs = {hosted};
  const CostIntervals costs = bootstrap_costs(inputs, 6);
  CHECK(costs.per_request[0] == Approx(0.0015));
  CHECK(costs.per_request_ci[0].low == Approx(0.001));
  CHECK(costs.per_request_ci[0].high == Approx(0.002));
}
