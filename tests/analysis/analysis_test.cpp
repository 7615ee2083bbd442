#include <catch2/catch.hpp>

#include <cmath>

#include "analysis/cost.hpp"
#include "analysis/price_catalog.hpp"
#include "analysis/statistics.hpp"
#include "test_paths.hpp"

using namespace tb;

TEST_CASE("the price catalog knows base, dated and fine-tuned models", "[cost]") {
  Diagnostics errors;
  const auto catalog = PriceCatalog::load(test::source_dir() / "datasets/prices.json", errors);
  REQUIRE(catalog);
  const auto mini = catalog->find("gpt-4o-mini");
  REQUIRE(mini);
  CHECK(mini->input == 0.15);
  CHECK(mini->output == 0.60);
  CHECK(catalog->find("gpt-4o-mini-2024-07-18")->input == 0.15);
  const auto ft = catalog->find("ft:gpt-4o-mini-2024-07-18:acme::9xyz");
  REQUIRE(ft);
  CHECK(ft->input == 0.30);
  CHECK(ft->output == 1.20);
  CHECK(ft->training == std::optional<double>(3.00));
  CHECK(catalog->find("ft:gpt-4o-2024-08-06:acme::x")->training == std::optional<double>(25.0));
  CHECK(catalog->find("ft:gpt-3.5-turbo-0125:acme::x")->input == 12.0);
  CHECK_FALSE(catalog->find("llama-3-70b").has_value());
  CHECK(catalog->training_example_limit("gpt-3.5-turbo") == std::optional<long long>(16385));
}

TEST_CASE("request cost uses input, cached and output prices", "[cost]") {
  const ModelPrice p{0.15, 0.075, 0.60, 3.0, std::nullopt};
  CHECK(request_cost(p, 1000, 0, 100) == Approx((1000 * 0.15 + 100 * 0.60) / 1e6));
  CHECK(request_cost(p, 1000, 400, 100) == Approx((600 * 0.15 + 400 * 0.075 + 100 * 0.60) / 1e6));
  CHECK(training_cost(p, 106000, 3) == Approx(0.954));
  CHECK(break_even_requests(0.954, 0.000153, 0.000108) == Approx(0.954 / 0.000045));
  CHECK(break_even_requests(1.0, 0.0001, 0.0002) < 0);
}

TEST_CASE("percentiles interpolate like numpy", "[stats]") {
  CHECK(percentile({1, 2, 3, 4}, 50) == Approx(2.5));
  CHECK(percentile({5, 1, 3}, 0) == 1);
  CHECK(percentile({1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 95) == Approx(9.55));
  CHECK(std::isnan(percentile({}, 50)));
}

TEST_CASE("Wilson interval matches published values", "[stats]") {
  const auto i = wilson_interval(8, 10);
  CHECK(i.low == Approx(0.4902).epsilon(0.001));
  CHECK(i.high == Approx(0.9433).epsilon(0.001));
  const auto all = wilson_interval(50, 50);
  CHECK(all.high == Approx(1.0));
  CHECK(all.low < 1.0);
}

TEST_CASE("McNemar's exact test", "[stats]") {
  CHECK(mcnemar_p_value(0, 0) == 1.0);
  CHECK(mcnemar_p_value(5, 5) == Approx(1.0));
  CHECK(mcnemar_p_value(10, 0) == Approx(2.0 / 1024).epsilon(0.001));
  CHECK(mcnemar_p_value(1, 9) == Approx(0.02148).epsilon(0.01));
}

TEST_CASE("the latency model recovers a linear relationship", "[stats]") {
  std::vector<double> latency, prompt, completion;
  for (int i = 0; i < 50; ++i) {
    prompt.push_back(100.0 + 37 * (i % 7));
    completion.push_back(20.0 + 11 * (i % 5));
    latency.push_back(30 + 0.05 * prompt.back() + 1.5 * completion.back());
  }
  const auto m = fit_latency_model(latency, prompt, completion);
  REQUIRE(m.ok);
  CHECK(m.intercept_ms == Approx(30).margin(1e-6));
  CHECK(m.ms_per_prompt_token == Approx(0.05).margin(1e-9));
  CHECK(m.ms_per_completion_token == Approx(1.5).margin(1e-9));
  CHECK(m.r_squared == Approx(1.0));
  const std::vector<double> two = {1, 2};
  CHECK_FALSE(fit_latency_model(two, two, two).ok);
  // A fixed prompt template (lengths within a token or two) cannot price a prompt token.
  std::vector<double> flat_prompt;
  for (int i = 0; i < 50; ++i) flat_prompt.push_back(20.0 + i % 2);
  CHECK_FALSE(fit_latency_model(latency, flat_prompt, completion).ok);
}

TEST_CASE("bootstrap interval brackets the mean", "[stats]") {
  std::vector<double> v;
  for (int i = 0; i < 100; ++i) v.push_back(i % 10);
  const auto ci = bootstrap_mean_interval(v);
  CHECK(ci.low < 4.5);
  CHECK(ci.high > 4.5);
  CHECK(ci.low > 3.5);
  CHECK(ci.high < 5.5);
}
