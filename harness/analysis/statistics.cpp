#include "analysis/statistics.hpp"

#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <cstdint>
#include <random>

namespace tb {

double percentile(std::vector<double> values, double p) {
  if (values.empty()) return std::numeric_limits<double>::quiet_NaN();
  std::sort(values.begin(), values.end());
  return sorted_percentile(values, p);
}

double sorted_percentile(const std::vector<double>& sorted, double p) {
  const double rank = std::clamp(p, 0.0, 100.0) / 100.0 * static_cast<double>(sorted.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(rank));
  const auto hi = static_cast<std::size_t>(std::ceil(rank));
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - static_cast<double>(lo));
}

Interval quantile_interval(const std::vector<double>& sorted, double p, double confidence) {
  if (sorted.empty()) return {0, 0};
  const double n = static_cast<double>(sorted.size());
  const double q = std::clamp(p, 0.0, 100.0) / 100.0;
  // z for the two-sided confidence, from the inverse of erfc by bisection (no table needed).
  const double tail = (1 - confidence) / 2;
  double lo = 0, hi = 10;
  for (int i = 0; i < 60; ++i) {
    const double mid = (lo + hi) / 2;
    (0.5 * std::erfc(mid / std::sqrt(2.0)) > tail ? lo : hi) = mid;
  }
  const double z = (lo + hi) / 2;
  const double half = z * std::sqrt(n * q * (1 - q));
  const auto rank = [&](double r) {
    return static_cast<std::size_t>(std::clamp(r, 0.0, n - 1));
  };
  return {sorted[rank(std::floor(n * q - half) - 1)], sorted[rank(std::ceil(n * q + half))]};
}

double mean(std::span<const double> values) {
  if (values.empty()) return std::numeric_limits<double>::quiet_NaN();
  return std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
}

Interval wilson_interval(long long successes, long long n, double z) {
  return wilson_interval_real(static_cast<double>(successes), static_cast<double>(n), z);
}

Interval wilson_interval_real(double successes, double nn, double z) {
  if (nn <= 0) return {0, 0};
  const double phat = successes / nn;
  const double z2 = z * z;
  const double centre = (phat + z2 / (2 * nn)) / (1 + z2 / nn);
  const double half = z * std::sqrt(phat * (1 - phat) / nn + z2 / (4 * nn * nn)) / (1 + z2 / nn);
  return {std::max(0.0, centre - half), std::min(1.0, centre + half)};
}

Interval bootstrap_mean_interval(std::span<const double> values, int resamples, double confidence,
                                 unsigned seed) {
  if (values.empty()) return {0, 0};
  ResampleIndices draw(seed);
  const std::size_t n = values.size();
  std::vector<double> means;
  means.reserve(static_cast<std::size_t>(resamples));
  for (int r = 0; r < resamples; ++r) {
    double sum = 0;
    for (std::size_t i = 0; i < n; ++i) sum += values[draw.next(n)];
    means.push_back(sum / static_cast<double>(n));
  }
  const double tail = (1 - confidence) / 2 * 100;
  return {percentile(means, tail), percentile(std::move(means), 100 - tail)};
}

double mcnemar_p_value(long long b, long long c) {
  const long long n = b + c;
  if (n == 0) return 1.0;
  const long long k = std::min(b, c);
  // P(X <= k) for X ~ Binomial(n, 1/2), in log space to stay finite for large n.
  double cdf = 0;
  for (long long i = 0; i <= k; ++i) {
    const double log_term = std::lgamma(static_cast<double>(n) + 1) - std::lgamma(static_cast<double>(i) + 1) -
                            std::lgamma(static_cast<double>(n - i) + 1) - static_cast<double>(n) * std::log(2.0);
    cdf += std::exp(log_term);
  }
  return std::min(1.0, 2 * cdf);
}

LatencyModel fit_latency_model(std::span<const double> latency_ms,
                               std::span<const double> prompt_tokens,
                               std::span<const double> completion_tokens) {
  LatencySums sums;
  if (prompt_tokens.size() != latency_ms.size() || completion_tokens.size() != latency_ms.size()) return {};
  for (std::size_t i = 0; i < latency_ms.size(); ++i) sums.add(prompt_tokens[i], completion_tokens[i], latency_ms[i]);
  return fit_latency_model(sums);
}

LatencyModel fit_latency_model(const LatencySums& s) {
  LatencyModel model;
  if (s.n < 10) return model;
  // Prompts that barely differ in length (a fixed template) cannot tell what a prompt token
  // costs: the coefficient would be noise amplified by a nearly constant column.
  const double prompt_variance = s.pp / s.n - (s.p / s.n) * (s.p / s.n);
  if (prompt_variance < 25.0) return model;  // standard deviation under 5 tokens
  Eigen::Matrix3d xtx;
  xtx << s.n, s.p, s.c, s.p, s.pp, s.pc, s.c, s.pc, s.cc;
  const Eigen::Vector3d xty(s.y, s.py, s.cy);
  // Full-pivoting LU reports a rank below 3 when a column is constant (every prompt the same
  // length): then the per-token cost cannot be told apart from the intercept.
  Eigen::FullPivLU<Eigen::Matrix3d> lu(xtx);
  lu.setThreshold(1e-10);
  if (lu.rank() < 3) return model;
  const Eigen::Vector3d beta = lu.solve(xty);
  const double ss_res = s.yy - 2 * beta.dot(xty) + beta.dot(xtx * beta);
  const double ss_tot = s.yy - s.y * s.y / s.n;
  model.ok = true;
  model.intercept_ms = beta(0);
  model.ms_per_prompt_token = beta(1);
  model.ms_per_completion_token = beta(2);
  model.r_squared = ss_tot > 1e-12 ? std::clamp(1 - ss_res / ss_tot, 0.0, 1.0) : 0;
  return model;
}

Interval normal_mean_interval(double n, double sum, double sum_sq, double z) {
  if (n < 2) return {sum, sum};
  const double m = sum / n;
  const double variance = std::max(0.0, (sum_sq - sum * sum / n) / (n - 1));
  const double half = z * std::sqrt(variance / n);
  return {m - half, m + half};
}

}  // namespace tb
