#include <catch2/catch.hpp>

#include <limits>

#include "analysis/run_summary.hpp"
#include "report/verdict_text.hpp"

using namespace tb;

TEST_CASE("volumes read with two significant figures, more when an interval is narrow",
          "[report][decide]") {
  CHECK(format_volume(913) == "910");
  CHECK(format_volume(1394) == "1,400");
  CHECK(format_volume(612.4) == "610");
  CHECK(format_volume(2083.3, 3) == "2,080");
  CHECK(format_volume(std::numeric_limits<double>::infinity()) == "never");
  CHECK(volume_with_interval(900, 612, 1394) == "900 requests a month; 95% interval 610 to 1,400");
  // 150 to 150 would say nothing: the digits grow until the ends read apart from the estimate.
  CHECK(volume_with_interval(152.03, 149.06, 154.95) ==
        "152 requests a month; 95% interval 149 to 155");
  CHECK(volume_with_interval(10040, 9812, 10230) ==
        "10,000 requests a month; 95% interval 9,810 to 10,200");
  CHECK(volume_with_interval(4620, 4580, 4690) ==
        "4,620 requests a month; 95% interval 4,580 to 4,690");
  CHECK(volume_with_interval(1000, 700, std::numeric_limits<double>::infinity()) ==
        "1,000 requests a month; 95% interval 700 to never");
}

namespace {

VerdictCandidate candidate(std::string id, double conformance, Interval ci, double per_request,
                           double once) {
  VerdictCandidate c;
  c.variant = std::move(id);
  c.results = 60;
  c.conformance = conformance;
  c.conformance_ci = ci;
  c.latency_p95_ms = 100;
  c.cost_per_request = per_request;
  c.cost_per_request_ci = {per_request, per_request};
  c.one_time_usd = once;
  return c;
}

RunSummary decided(std::vector<VerdictCandidate> cs, long long monthly) {
  RunSummary s;
  s.decide.monthly_requests = monthly;
  s.decide.min_conformance = 0.95;
  s.decide.verdict = true;
  s.candidates = std::move(cs);
  std::vector<CostInput> inputs(s.candidates.size());
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    inputs[i].one_time_usd = s.candidates[i].one_time_usd;
    inputs[i].cases = {{0, 1, s.candidates[i].cost_per_request, 0, 0}};
  }
  s.costs = bootstrap_costs(inputs, s.decide.horizon_months);
  s.verdict = decide_verdict(s.candidates, s.costs, s.decide);
  return s;
}

}  // namespace

TEST_CASE("the verdict in words: the winner, why the others lose, where it flips",
          "[report][decide]") {
  // 50 / (0.005 - 0.001) / 6 = 2,083 requests a month.
  const auto flips = verdict_text(decided({candidate("prompted", 0.97, {0.93, 0.99}, 0.005, 0),
                                           candidate("fine-tuned", 0.98, {0.94, 0.995}, 0.001, 50),
                                           candidate("short", 0.6, {0.5, 0.7}, 0.0001, 0)},
                                          100000));
  CHECK(flips.headline.starts_with(
      "ship fine-tuned at 100,000 requests a month over 6 months (conformance not "
      "significantly below 95.0%): $650.00 over 6 months"));
  REQUIRE(flips.why.size() == 2);
  CHECK(flips.why[0].starts_with("prompted: costs $2,350 more: $3,000 over 6 months"));
  CHECK(flips.why[1] ==
        "short: conformance 60.0% (95% CI 50.0% to 70.0%) is significantly below 95.0%");
  // One case: every resample is the sample, so the interval is the point itself.
  CHECK(flips.flip ==
        "fine-tuned wins above 2,100 requests a month; 95% interval 2,100 to 2,100 (below it, "
        "prompted is cheaper)");

  const auto every =
      verdict_text(decided({candidate("tools", 0.92, {0.82, 0.96}, 0.00004, 0),
                            candidate("fine-tuned", 0.95, {0.86, 0.98}, 0.000075, 0.072)},
                           100000));
  CHECK(every.flip ==
        "tools is the cheapest that meets the bar at every volume: the next, fine-tuned, costs "
        "$0.000075 per request against $0.000040 and $0.0720 once");

  const auto none = verdict_text(decided({candidate("a", 0.5, {0.4, 0.6}, 0.001, 0)}, 1000));
  CHECK(none.headline ==
        "no strategy meets the bar at 1,000 requests a month over 6 months (conformance not "
        "significantly below 95.0%)");
  CHECK(none.flip.empty());
}
