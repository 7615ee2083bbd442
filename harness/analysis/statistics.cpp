#include "analysis/statistics.hpp"

#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>

namespace tb {

double percentile(std::vector<double> values, double p) {
  if (values.empty()) return std::numeric_limits<double>::quiet_NaN();
  std::sort(values.begin(), values.end());
  const double rank = std::clamp(p, 0.0, 100.0) / 100.0 * static_cast<double>(values.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(rank));
  const auto hi = static_cast<std::size_t>(std::ceil(rank));
  return values[lo] + (values[hi] - values[lo]) * (rank - static_cast<double>(lo));
}

double mean(std::span<const double> values) {
  if (values.empty()) return std::numeric_limits<double>::quiet_NaN();
  return std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
}

Interval wilson_interval(long long successes, long long n, double z) {
  if (n <= 0) return {0, 0};
  const double nn = static_cast<double>(n);
  const double phat = static_cast<double>(successes) / nn;
  const double z2 = z * z;
  const double centre = (phat + z2 / (2 * nn)) / (1 + z2 / nn);
  const double half = z * std::sqrt(phat * (1 - phat) / nn + z2 / (4 * nn * nn)) / (1 + z2 / nn);
  return {std::max(0.0, centre - half), std::min(1.0, centre + half)};
}

Interval bootstrap_mean_interval(std::span<const double> values, int resamples, double confidence,
                                 unsigned seed) {
  if (values.empty()) return {0, 0};
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<std::size_t> pick(0, values.size() - 1);
  std::vector<double> means;
  means.reserve(static_cast<std::size_t>(resamples));
  for (int r = 0; r < resamples; ++r) {
    double sum = 0;
    for (std::size_t i = 0; i < values.size(); ++i) sum += values[pick(rng)];
    means.push_back(sum / static_cast<double>(values.size()));
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
  LatencyModel model;
  const auto n = static_cast<Eigen::Index>(latency_ms.size());
  if (n < 10 || prompt_tokens.size() != latency_ms.size() ||
      completion_tokens.size() != latency_ms.size())
    return model;
  Eigen::MatrixXd x(n, 3);
  Eigen::VectorXd y(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    const auto k = static_cast<std::size_t>(i);
    x(i, 0) = 1.0;
    x(i, 1) = prompt_tokens[k];
    x(i, 2) = completion_tokens[k];
    y(i) = latency_ms[k];
  }
  // Column-pivoting QR copes with a constant column (e.g. every prompt the same length).
  const Eigen::ColPivHouseholderQR<Eigen::MatrixXd> qr(x);
  if (qr.rank() < 3) return model;
  const Eigen::VectorXd beta = qr.solve(y);
  const Eigen::VectorXd residual = y - x * beta;
  const double ss_res = residual.squaredNorm();
  const double ss_tot = (y.array() - y.mean()).square().sum();
  model.ok = true;
  model.intercept_ms = beta(0);
  model.ms_per_prompt_token = beta(1);
  model.ms_per_completion_token = beta(2);
  model.r_squared = ss_tot > 0 ? 1 - ss_res / ss_tot : 0;
  return model;
}

}  // namespace tb
