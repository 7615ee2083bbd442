// Cases, not requests, as the unit: the clustered rate, pass@k / pass^k and the paired test,
// checked against values computed by hand (the arithmetic is in each comment).
#include <catch2/catch.hpp>

#include <vector>

#include "analysis/case_outcomes.hpp"
#include "analysis/paired_cases.hpp"

using namespace tb;
using Catch::Detail::Approx;

namespace {

// 60 cases with `repeats` identical repeats each: `b_only` cases pass only on side b,
// `a_only` only on side a, `both` on both sides, the rest on neither.
std::vector<PairedCase> demo_like(int repeats, int b_only, int a_only, int both) {
  std::vector<PairedCase> cases(60);
  const auto k = static_cast<std::uint32_t>(repeats);
  for (int i = 0; i < 60; ++i) {
    auto& c = cases[static_cast<std::size_t>(i)];
    c.a.runs = c.b.runs = k;
    if (i < b_only) c.b.passed = k;
    else if (i < b_only + a_only) c.a.passed = k;
    else if (i < b_only + a_only + both) c.a.passed = c.b.passed = k;
  }
  return cases;
}

}  // namespace

TEST_CASE("five identical repeats do not make a non-significant difference significant", "[statistics]") {
  // 8 cases pass only with b, 3 only with a. On cases: exact McNemar, n = 11 discordant,
  // p = 2 * P(X <= 3), X ~ Bin(11, 1/2) = 2 * (1 + 11 + 55 + 165) / 2048 = 0.2265625.
  const auto once = compare_paired(demo_like(1, 8, 3, 40));
  CHECK(once.p_value == Approx(0.2265625));
  // Counted as 300 independent pairs (40 vs 15 discordant) the p-value would be 0.0010; on
  // cases with their five repeats clustered it stays 0.2265625.
  const auto five = compare_paired(demo_like(5, 8, 3, 40));
  CHECK(five.p_value == Approx(0.2265625));
  CHECK(five.exact);
  CHECK(five.cases == 60);
  CHECK(five.b_better == 8);
  CHECK(five.a_better == 3);
  CHECK(five.difference == Approx(5.0 / 60));
  CHECK(mcnemar_p_value(40, 15) == Approx(0.0010158).epsilon(1e-3));

  // The conformance interval of side a (43 of 60 cases pass) is the Wilson interval on the 60
  // cases, with one repeat or five.
  std::vector<CaseOutcome> a1, a5;
  for (const auto& c : demo_like(1, 8, 3, 40)) a1.push_back(c.a);
  for (const auto& c : demo_like(5, 8, 3, 40)) a5.push_back(c.a);
  const auto r1 = clustered_rate(a1), r5 = clustered_rate(a5);
  CHECK(r1.rate == Approx(43.0 / 60));
  CHECK(r5.effective_n == Approx(60));
  CHECK(r5.ci.low == Approx(r1.ci.low));
  CHECK(r5.ci.high == Approx(r1.ci.high));
  CHECK(r1.ci.low == Approx(wilson_interval(43, 60).low));
}

TEST_CASE("a flaky case's repeats count within the case", "[statistics]") {
  // Rates 1, 1, 0.5, 0 over 4 cases of 2 repeats: mean 0.625; between-case variance of the
  // mean = ((.375^2)*2 + .125^2 + .625^2) / 16 = 0.6875 / 16; binomial variance .625 * .375 =
  // 0.234375; effective n = 0.234375 / 0.04296875 = 5.4545 (between 4 cases and 8 results);
  // Wilson(0.625 * 5.4545, 5.4545) = [0.25787, 0.88882].
  const std::vector<CaseOutcome> cases = {{2, 2}, {2, 2}, {1, 2}, {0, 2}};
  const auto r = clustered_rate(cases);
  CHECK(r.rate == Approx(0.625));
  CHECK(r.effective_n == Approx(5.454545));
  CHECK(r.ci.low == Approx(0.257872).epsilon(1e-4));
  CHECK(r.ci.high == Approx(0.888817).epsilon(1e-4));
  CHECK(r.cases == 4);

  // Differences of 2 and 1 passes: the sign flips give sums +-3, +-1, each 1/4, so
  // P(|S| >= 3) = 1/2.
  const std::vector<PairedCase> pairs = {{{0, 2}, {2, 2}}, {{1, 2}, {2, 2}}, {{2, 2}, {2, 2}}};
  const auto p = compare_paired(pairs);
  CHECK(p.p_value == Approx(0.5));
  CHECK(p.exact);
  CHECK(p.difference == Approx((1.0 + 0.5 + 0) / 3));
}

TEST_CASE("pass@k and pass^k are the unbiased estimators", "[statistics]") {
  // n = 5 samples, c = 2 passed, k = 2: pass@2 = 1 - C(3,2)/C(5,2) = 1 - 3/10; pass^2 = C(2,2)/C(5,2).
  CHECK(pass_at_k(5, 2, 2) == Approx(0.7));
  CHECK(pass_hat_k(5, 2, 2) == Approx(0.1));
  CHECK(pass_at_k(5, 0, 2) == 0);
  CHECK(pass_at_k(5, 4, 2) == 1);  // any 2 of 5 hold a pass
  CHECK(pass_hat_k(5, 5, 5) == Approx(1));
  CHECK(pass_hat_k(5, 4, 5) == 0);
  const std::vector<CaseOutcome> cases = {{5, 5}, {0, 5}, {2, 5}, {1, 1}};
  const auto s = repeat_stats(cases, 5);
  CHECK(s.cases == 3);  // the case with one run cannot say anything about 5 samples
  CHECK(s.flaky == 1);
  CHECK(s.pass_at_k == Approx((1 + 0 + 1) / 3.0));
  CHECK(s.pass_hat_k == Approx((1 + 0 + 0) / 3.0));
}

TEST_CASE("a large paired comparison uses the normal approximation and says so", "[statistics]") {
  std::vector<PairedCase> cases(20000);
  for (std::size_t i = 0; i < cases.size(); ++i) {
    cases[i].a = {static_cast<std::uint32_t>(i % 3 == 0 ? 0 : 3), 3};
    cases[i].b = {static_cast<std::uint32_t>(i % 3 == 0 ? 2 : 3), 3};
  }
  const auto p = compare_paired(cases);
  CHECK_FALSE(p.exact);
  CHECK(p.p_value < 1e-10);
  CHECK(p.difference == Approx(6667 * (2.0 / 3) / 20000));
  CHECK(p.difference_ci.low < p.difference);
  CHECK(p.difference_ci.high > p.difference);
}
