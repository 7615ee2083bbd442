#include "analysis/case_outcomes.hpp"

#include <algorithm>
#include <cmath>

namespace tb {

ClusteredRate clustered_rate(std::span<const CaseOutcome> cases) {
  ClusteredRate out;
  double sum = 0, results = 0;
  for (const auto& c : cases) {
    if (c.runs == 0) continue;
    ++out.cases;
    sum += static_cast<double>(c.passed) / c.runs;
    results += c.runs;
  }
  if (out.cases == 0) return out;
  const double n = static_cast<double>(out.cases);
  out.rate = sum / n;
  // Between-case variance of the mean rate (the cluster-robust estimate, divided by n^2 so that
  // one repeat per case gives exactly the binomial variance and the plain Wilson interval).
  double squares = 0;
  for (const auto& c : cases) {
    if (c.runs == 0) continue;
    const double d = static_cast<double>(c.passed) / c.runs - out.rate;
    squares += d * d;
  }
  const double variance = squares / (n * n);
  const double binomial = out.rate * (1 - out.rate);
  // At 0% or 100% the spread between cases says nothing: the cases are the sample.
  out.effective_n = variance > 0 ? std::clamp(binomial / variance, n, results) : n;
  out.ci = wilson_interval_real(out.rate * out.effective_n, out.effective_n);
  return out;
}

namespace {

// log C(n, k) for 0 <= k <= n.
double log_choose(int n, int k) {
  return std::lgamma(n + 1.0) - std::lgamma(k + 1.0) - std::lgamma(n - k + 1.0);
}

}  // namespace

double pass_at_k(int n, int c, int k) {
  if (k <= 0 || n < k || c < 0 || c > n) return 0;
  if (n - c < k) return 1;  // every choice of k samples holds a pass
  return 1 - std::exp(log_choose(n - c, k) - log_choose(n, k));
}

double pass_hat_k(int n, int c, int k) {
  if (k <= 0 || n < k || c < 0 || c > n) return 0;
  if (c < k) return 0;
  return std::exp(log_choose(c, k) - log_choose(n, k));
}

RepeatStats repeat_stats(std::span<const CaseOutcome> cases, int k) {
  RepeatStats out;
  out.k = std::max(1, k);
  double at = 0, hat = 0;
  for (const auto& c : cases) {
    if (c.runs < static_cast<std::uint32_t>(out.k)) continue;
    ++out.cases;
    const int n = static_cast<int>(c.runs), passed = static_cast<int>(c.passed);
    at += pass_at_k(n, passed, out.k);
    hat += pass_hat_k(n, passed, out.k);
    out.flaky += passed > 0 && passed < n;
  }
  if (out.cases > 0) {
    out.pass_at_k = at / static_cast<double>(out.cases);
    out.pass_hat_k = hat / static_cast<double>(out.cases);
  }
  return out;
}

}  // namespace tb
