#include "analysis/paired_cases.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <vector>

namespace tb {

namespace {

constexpr std::size_t kBootstrapLimit = 5000;
constexpr double kExactBudget = 5e7;  // DP steps for the exact null distribution

// P(|sum of s_i * m_i| >= |observed|) for independent fair signs s_i: the exact null
// distribution of the sum, by dynamic programming over its possible values.
double sign_flip_p_exact(const std::vector<long long>& magnitudes, long long observed) {
  long long total = 0;
  for (const long long m : magnitudes) total += m;
  // dist[v + total] = P(sum = v); sums move by +-m at each step.
  std::vector<double> dist(static_cast<std::size_t>(2 * total + 1), 0.0), next(dist.size());
  dist[static_cast<std::size_t>(total)] = 1.0;
  long long reach = 0;  // sums lie in [-reach, reach]
  for (const long long m : magnitudes) {
    std::fill(next.begin() + (total - reach - m), next.begin() + (total + reach + m + 1), 0.0);
    for (long long v = -reach; v <= reach; ++v) {
      const double p = dist[static_cast<std::size_t>(v + total)];
      if (p == 0) continue;
      next[static_cast<std::size_t>(v + m + total)] += p / 2;
      next[static_cast<std::size_t>(v - m + total)] += p / 2;
    }
    reach += m;
    std::swap(dist, next);
  }
  const long long t = std::llabs(observed);
  double p = 0;
  for (long long v = -total; v <= total; ++v)
    if (std::llabs(v) >= t) p += dist[static_cast<std::size_t>(v + total)];
  return std::min(1.0, p);
}

}  // namespace

PairedComparison compare_paired(std::span<const PairedCase> cases) {
  PairedComparison out;
  std::vector<double> differences;
  differences.reserve(cases.size());
  // Integer differences of pass counts when both sides ran the same number of repeats of every
  // case (the usual situation): then the exact distribution is a sum of integers.
  std::vector<long long> magnitudes;
  long long observed = 0;
  bool integral = true;
  double sum = 0, squares = 0;
  for (const auto& c : cases) {
    if (c.a.runs == 0 || c.b.runs == 0) continue;
    ++out.cases;
    const double ra = static_cast<double>(c.a.passed) / c.a.runs;
    const double rb = static_cast<double>(c.b.passed) / c.b.runs;
    const double d = rb - ra;
    out.b_better += d > 0;
    out.a_better += d < 0;
    differences.push_back(d);
    sum += d;
    squares += d * d;
    if (c.a.runs != c.b.runs) integral = false;
    const long long m = static_cast<long long>(c.b.passed) - static_cast<long long>(c.a.passed);
    if (m != 0) magnitudes.push_back(std::llabs(m));
    observed += m;
  }
  if (out.cases == 0) return out;
  const double n = static_cast<double>(out.cases);
  out.difference = sum / n;
  if (differences.size() <= kBootstrapLimit) {
    out.difference_ci = bootstrap_mean_interval(differences);
  } else {
    const double half = 1.96 * std::sqrt(std::max(0.0, squares / n - out.difference * out.difference) / n);
    out.difference_ci = {out.difference - half, out.difference + half};
  }
  if (squares == 0) return out;  // every case agrees: nothing to test

  bool ones = integral;
  long long total = 0;
  for (const long long m : magnitudes) {
    ones = ones && m == 1;
    total += m;
  }
  if (ones) {
    // One repeat per case (or differences of one): the exact McNemar test itself.
    out.p_value = mcnemar_p_value(out.b_better, out.a_better);
  } else if (integral && static_cast<double>(magnitudes.size()) * static_cast<double>(2 * total + 1) <= kExactBudget) {
    out.p_value = sign_flip_p_exact(magnitudes, observed);
  } else {
    // The sum of the sign-flipped differences is close to normal with variance sum(d_i^2).
    out.exact = false;
    out.p_value = std::erfc(std::fabs(sum) / std::sqrt(squares) / std::sqrt(2.0));
  }
  return out;
}

}  // namespace tb
