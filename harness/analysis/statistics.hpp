#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace tb {

// Sums for the least-squares fit of latency on prompt (p) and completion (c) tokens.
struct LatencySums {
  double n = 0, p = 0, c = 0, pp = 0, pc = 0, cc = 0, y = 0, py = 0, cy = 0, yy = 0;
  // One observation: latency y (ms) of a request with p prompt and c completion tokens.
  void add(double prompt, double completion, double latency) {
    n += 1;
    p += prompt;
    c += completion;
    pp += prompt * prompt;
    pc += prompt * completion;
    cc += completion * completion;
    y += latency;
    py += prompt * latency;
    cy += completion * latency;
    yy += latency * latency;
  }
};

// Linear-interpolated percentile (numpy's default) of unsorted data; NaN when empty.
double percentile(std::vector<double> values, double p);
// The same of values already sorted ascending (not empty): several percentiles, one sort.
double sorted_percentile(const std::vector<double>& sorted, double p);
double mean(std::span<const double> values);

struct Interval {
  double low = 0;
  double high = 0;
};

// Wilson score interval for a proportion: honest at small n and near 0% or 100%, where the
// textbook normal interval claims certainty it does not have.
Interval wilson_interval(long long successes, long long n, double z = 1.96);
// The same for an effective sample size (repeats clustered within cases): n need not be whole.
Interval wilson_interval_real(double successes, double n, double z = 1.96);

// A distribution-free interval of the p-th percentile of values sorted ascending: the order
// statistics whose ranks bound the binomial count of values below the true percentile (normal
// approximation of the binomial). Empty values give {0, 0}.
Interval quantile_interval(const std::vector<double>& sorted, double p, double confidence = 0.95);

// The index stream every bootstrap here draws from: splitmix64 from a fixed seed, so a report
// recomputed from the store gives the same intervals (modulo bias below 1e-9 for any sample
// size here; mt19937 with uniform_int_distribution made resampling the slowest part of a report).
class ResampleIndices {
 public:
  explicit ResampleIndices(std::uint64_t seed) : state_(seed) {}
  // Uniform in [0, n), n > 0.
  std::size_t next(std::size_t n) {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    return static_cast<std::size_t>(z % static_cast<std::uint64_t>(n));
  }

 private:
  std::uint64_t state_;
};

// Percentile-bootstrap confidence interval of the mean (deterministic seed, so reports are
// reproducible from the store).
Interval bootstrap_mean_interval(std::span<const double> values, int resamples = 2000,
                                 double confidence = 0.95, unsigned seed = 12345);

// Two-sided exact McNemar test on paired pass/fail outcomes: b = only A passed, c = only B
// passed. Small p means the two variants' conformance really differs on the same cases.
double mcnemar_p_value(long long b, long long c);

// Ordinary least squares of latency on prompt and completion tokens (Eigen): how much each
// prompt token costs in time. `ok` is false when the data cannot support a fit.
struct LatencyModel {
  bool ok = false;
  double intercept_ms = 0;
  double ms_per_prompt_token = 0;
  double ms_per_completion_token = 0;
  double r_squared = 0;
};
LatencyModel fit_latency_model(std::span<const double> latency_ms,
                               std::span<const double> prompt_tokens,
                               std::span<const double> completion_tokens);
// The same fit from the sums the store computes, so a run of any size fits in constant memory.
LatencyModel fit_latency_model(const LatencySums& sums);

// The normal-approximation interval of a mean from its count, sum and sum of squares: for large
// samples, where the bootstrap would need every value in memory.
Interval normal_mean_interval(double n, double sum, double sum_sq, double z = 1.96);

}  // namespace tb
