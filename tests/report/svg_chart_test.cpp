#include <catch2/catch.hpp>
#include <regex>

#include "report/history_charts.hpp"
#include "report/run_charts.hpp"
#include "report/svg_chart.hpp"
#include "report/volume_chart.hpp"

#include <limits>

using namespace tb;

namespace {

VariantSummary variant(const std::string& id, double conformance, double cost_per_1k) {
  VariantSummary v;
  v.variant.id = id;
  v.results = 100;
  v.ok = 100;
  v.conformant = static_cast<long long>(conformance * 100);
  v.conformance = conformance;
  v.conformance_ci = {conformance - 0.05, conformance + 0.04};
  v.cost_per_1k = cost_per_1k;
  v.prompt_tokens_mean = 100;
  v.latency_p5 = 10;
  v.latency_p25 = 20;
  v.latency_p50 = 30;
  v.latency_p75 = 40;
  v.latency_p95 = 60;
  v.latency_p99 = 90;
  return v;
}

RunSummary summary_of(std::vector<VariantSummary> variants) {
  RunSummary s;
  s.baseline = variants.front().variant.id;
  s.variants = std::move(variants);
  return s;
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("chart ticks are nice numbers covering the range", "[report][svg]") {
  CHECK(SvgChart::ticks(0, 1, 4) == std::vector<double>{0, 0.25, 0.5, 0.75, 1});
  CHECK(SvgChart::ticks(0, 300, 3) == std::vector<double>{0, 100, 200, 300});
  CHECK(SvgChart::nice_max(0.205) == Approx(0.25));
  CHECK(SvgChart::nice_max(791) == Approx(800));
  CHECK(SvgChart::nice_max(0) == 1);
}

TEST_CASE("a chart is an accessible SVG with its title and text alternative", "[report][svg]") {
  SvgChart c("c1", 400, 200, "A <title>", "numbers & words");
  c.x_axis({0, 1, "share", true});
  const std::string svg = c.svg();
  CHECK(svg.starts_with("<svg class=\"chart\" id=\"c1\" viewBox=\"0 0 400.0 200.0\""));
  CHECK(svg.find("role=\"img\" aria-labelledby=\"c1-t c1-d\"") != std::string::npos);
  CHECK(svg.find("<title id=\"c1-t\">A &lt;title&gt;</title>") != std::string::npos);
  CHECK(svg.find("<desc id=\"c1-d\">numbers &amp; words</desc>") != std::string::npos);
  CHECK(svg.find(">40%</text>") != std::string::npos);
  CHECK(svg.ends_with("</svg>"));
}

TEST_CASE("conformance bars are coloured by level", "[report][svg]") {
  CHECK(conformance_color(0.95) == "#2f9e44");
  CHECK(conformance_color(0.8) == "#d98e04");
  CHECK(conformance_color(0.28) == "#c92a2a");
  const auto s = summary_of({variant("base", 0.28, 1), variant("ft", 0.95, 0.5)});
  const std::string svg = conformance_chart(s);
  CHECK(svg.find("fill=\"#c92a2a\"><title>base: 28.0% (28 of 100)</title>") != std::string::npos);
  CHECK(svg.find("fill=\"#2f9e44\"><title>ft: 95.0% (95 of 100)</title>") != std::string::npos);
  CHECK(svg.find("base 28.0% (23.0% to 32.0%)") != std::string::npos);  // the text alternative
}

TEST_CASE("the Pareto front holds the variants nothing beats on both cost and conformance",
          "[report][svg]") {
  // cheap beats mid on both; dear is the most conformant; cheapest is the cheapest.
  const auto s =
      summary_of({variant("mid", 0.7, 2), variant("cheap", 0.8, 1), variant("dear", 0.95, 5),
                  variant("cheapest", 0.5, 0.5), variant("worse", 0.9, 6)});
  const std::string svg = cost_conformance_chart(s);
  INFO(svg);
  CHECK(svg.find("cheapest $0.5000, 50.0% (Pareto front)") != std::string::npos);
  CHECK(svg.find("cheap $1.00, 80.0% (Pareto front)") != std::string::npos);
  CHECK(svg.find("dear $5.00, 95.0% (Pareto front)") != std::string::npos);
  CHECK(svg.find("mid $2.00, 70.0%;") != std::string::npos);
  CHECK(svg.find("worse $6.00, 90.0%;") != std::string::npos);
  CHECK(count(svg, "fill=\"#3b5bdb\" stroke=\"#3b5bdb\"") == 3);  // filled points: the front
  CHECK(count(svg, "<polyline") == 1);
}

TEST_CASE("charts with nothing to draw are left out", "[report][svg]") {
  auto s = summary_of({variant("a", 1, 1)});
  CHECK(failure_kinds_chart(s).empty());  // no failures
  s.variants[0].failure_kinds["fenced"] = 20;
  s.variants[0].failure_kinds["not_json"] = 5;
  const std::string svg = failure_kinds_chart(s);
  CHECK(svg.find("a fenced 20.0% not_json 5.0%;") != std::string::npos);
  CHECK(svg.find("<title>a fenced: 20 (20.0%)</title>") != std::string::npos);
  CHECK(svg.find(">25.0%</text>") != std::string::npos);  // the stack's total
  s.variants[0].ok = 0;
  CHECK(latency_chart(s).empty());  // no answers, no latencies
}

TEST_CASE("the latency box plot draws the summary's percentiles", "[report][svg]") {
  const auto s = summary_of({variant("a", 1, 1)});
  const std::string svg = latency_chart(s);
  CHECK(svg.find("a p5 10, p25 20, median 30, p75 40, p95 60, p99 90") != std::string::npos);
  CHECK(svg.find("<title>p99 90 ms</title>") != std::string::npos);
}

TEST_CASE("prompt token bars split into instructions, context and case", "[report][svg]") {
  auto s = summary_of({variant("rag", 1, 1)});
  s.variants[0].prompt_tokens_mean = 1000;
  s.variants[0].split_results = 10;
  s.variants[0].instruction_tokens_mean = 700;
  s.variants[0].context_tokens_mean = 250;
  s.variants[0].case_tokens_mean = 50;
  const std::string svg = prompt_tokens_chart(s);
  CHECK(svg.find("rag 1,000 (700 / 250 / 50)") != std::string::npos);
  CHECK(svg.find("<title>rag context: 250 tokens</title>") != std::string::npos);
}

TEST_CASE("a log axis puts powers of ten at equal steps and reads them compactly",
          "[report][svg]") {
  SvgChart c("log", 400, 200, "log", "log");
  c.set_margins(50, 10, 50, 30);  // plot area x from 50 to 350
  SvgChart::Axis x{1e3, 1e8, "requests"};
  x.log = true;
  c.x_axis(x);
  CHECK(c.x(1e3) == Approx(50));
  CHECK(c.x(1e5) == Approx(50 + 300 * 0.4));  // two of five decades
  CHECK(c.x(1e8) == Approx(350));
  CHECK(c.x(0) == Approx(50));  // no log of zero: the axis' start
  const std::string svg = c.svg();
  for (const char* tick :
       {">1k</text>", ">10k</text>", ">100k</text>", ">1M</text>", ">100M</text>"})
    CHECK(svg.find(tick) != std::string::npos);
}

TEST_CASE("monthly cost against volume draws a line per strategy and marks the break-even",
          "[report][svg]") {
  // ft trained once for $600 over 6 months ($100 a month) at $0.001 a request; base pays
  // $0.002 a request: equal at 100 / (0.002 - 0.001) = 100,000 requests a month.
  auto s = summary_of({variant("base", 0.9, 2), variant("ft", 0.95, 1)});
  s.decide.horizon_months = 6;
  s.decide.monthly_requests = 20000;
  s.candidates.resize(2);
  s.candidates[0].variant = "base";
  s.candidates[0].cost_per_request = 0.002;
  s.candidates[1].variant = "ft";
  s.candidates[1].cost_per_request = 0.001;
  s.candidates[1].one_time_usd = 600;
  Verdict none;
  none.decide = s.decide;
  s.sweep = volume_sweep(s.candidates, none);
  REQUIRE(s.sweep.size() == 11);
  BreakEven pair;
  pair.a = 1;
  pair.b = 0;
  pair.monthly_requests = 100000;
  pair.ci = {80000, std::numeric_limits<double>::infinity()};
  s.costs.pairs.push_back(pair);
  const std::string svg = monthly_cost_chart(s);
  INFO(svg);
  CHECK(count(svg, "<polyline") == 2);
  CHECK(svg.find("base $2.00 at 1,000, $200,000 at 100,000,000;") != std::string::npos);
  CHECK(svg.find("ft $101.00 at 1,000, $100,100 at 100,000,000;") != std::string::npos);
  CHECK(svg.find("<title>ft is cheaper than base above 100,000 requests a month (95% interval "
                 "80,000 to never)</title>") != std::string::npos);
  CHECK(svg.find("the suite&#39;s volume is 20,000 requests a month.") != std::string::npos);
  CHECK(svg.find(">$1</text>") != std::string::npos);   // cost decades from $1 ...
  CHECK(svg.find(">$1M</text>") != std::string::npos);  // ... to $1M
  // Without a sweep there is nothing to draw.
  s.sweep.clear();
  CHECK(monthly_cost_chart(s).empty());
}

TEST_CASE("the compare chart draws each pair's change with its interval, red when it drops",
          "[report][svg]") {
  RunComparison cmp;
  cmp.a_label = "1";
  cmp.b_label = "2";
  VariantComparison dropped;
  dropped.a_variant = dropped.b_variant = "fine-tuned";
  dropped.conformance.cases = 60;
  dropped.conformance.difference = -0.2;
  dropped.conformance.difference_ci = {-0.3, -0.1};
  VariantComparison unclear;
  unclear.a_variant = "prompted";
  unclear.b_variant = "few-shot";
  unclear.conformance.cases = 60;
  unclear.conformance.difference = 0.05;
  unclear.conformance.difference_ci = {-0.02, 0.12};
  cmp.variants = {dropped, unclear};
  const std::string svg = compare_conformance_chart(cmp);
  INFO(svg);
  CHECK(svg.find("fine-tuned -20.0 pts (-30.0 pts to -10.0 pts, 60 cases);") != std::string::npos);
  CHECK(svg.find("prompted -&gt; few-shot +5.0 pts (-2.0 pts to +12.0 pts, 60 cases);") !=
        std::string::npos);
  CHECK(count(svg, "stroke=\"#c92a2a\"") == 4);          // the drop: interval, two ends, the point
  CHECK(count(svg, "stroke=\"#495057\"") == 4);          // the unclear change, grey
  CHECK(svg.find(">-30%</text>") != std::string::npos);  // the axis reaches the widest end
  cmp.variants.clear();
  CHECK(compare_conformance_chart(cmp).empty());
}

TEST_CASE("the trend chart puts one point per run and variant in run order", "[report][svg]") {
  const std::vector<long long> runs{3, 7, 9};
  std::vector<TrendPoint> points{{3, "ft", 0.9, {0.8, 0.95}, true},
                                 {7, "ft", 0.8, {0.7, 0.88}, true},
                                 {9, "ft", 0.95, {0.9, 0.98}, true},
                                 {9, "base", 0.5, {0.4, 0.6}, true}};
  const std::string svg = trend_chart(runs, points, "conformance");
  INFO(svg);
  CHECK(svg.find("ft run 3 90.0% run 7 80.0% run 9 95.0%; base run 9 50.0%;") != std::string::npos);
  CHECK(count(svg, "<polyline") == 1);  // base has one run: a point, no line
  CHECK(count(svg, "<circle") == 4);
  for (const char* label : {">#3</text>", ">#7</text>", ">#9</text>"})
    CHECK(svg.find(label) != std::string::npos);
  CHECK(svg.find("<title>ft, run 7: 80.0%</title>") != std::string::npos);
  CHECK(trend_chart(runs, {}, "cost").empty());
}
