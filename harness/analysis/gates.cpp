#include "analysis/gates.hpp"

#include <cmath>

#include "analysis/run_compare.hpp"
#include "analysis/run_reference.hpp"
#include "common/text.hpp"
#include "store/store.hpp"

namespace tb {

bool GateEvaluation::passed() const {
  for (const auto& g : gates)
    if (!g.passed) return false;
  return true;
}

namespace {

std::string pct(double fraction) {
  return fixed(fraction * 100, 1) + "%";
}

std::string points(double fraction) {
  return (fraction >= 0 ? "+" : "") + fixed(fraction * 100, 1) + " pts";
}

// Expands "*" to every variant of the run; a named variant the run lacks is a FAIL line (a
// gate that silently judged nothing would pass by accident).
template <typename Fn>
void for_each_threshold(const std::map<std::string, double>& thresholds, const RunSummary& summary,
                        const std::string& gate, std::vector<GateRecord>& out, Fn judge) {
  for (const auto& [id, bar] : thresholds) {
    if (id == "*") {
      for (const auto& v : summary.variants) out.push_back(judge(v, bar));
      continue;
    }
    if (const VariantSummary* v = summary.find(id)) {
      out.push_back(judge(*v, bar));
    } else {
      GateRecord g;
      g.gate = gate;
      g.variant = id;
      g.threshold = bar;
      g.detail = "FAIL " + gate + " " + id + ": the run has no variant " + dquote(id);
      out.push_back(std::move(g));
    }
  }
}

GateRecord judged(std::string gate, const std::string& variant, bool passed, double figure, double bar,
                  std::string text) {
  GateRecord g;
  g.gate = std::move(gate);
  g.variant = variant;
  g.passed = passed;
  g.figure = figure;
  g.threshold = bar;
  g.detail = std::string(passed ? "PASS " : "FAIL ") + g.gate + " " + variant + ": " + text;
  return g;
}

void regression_lines(const RegressionGate& gate, const std::string& against, const RunSummary& summary,
                      const RunSide& self, RunResolver& resolver, std::vector<GateRecord>& out) {
  std::vector<std::pair<std::string, std::string>> pairs;
  std::optional<RunSide> other;
  std::string other_name;
  if (against.starts_with("variant:")) {
    const std::string base = against.substr(8);
    other = self;
    other_name = "variant " + base;
    for (const auto& v : gate.variants) pairs.emplace_back(base, v);
  } else {
    other = resolver.resolve(against, summary.run.suite_name, summary.run.id);
    if (!other) {
      // The first gated run of a suite has nothing to compare with: it passes, and says so, so
      // that the next run has a latest-passing run to compare with.
      GateRecord g;
      g.gate = "no_regression";
      for (const auto& v : gate.variants) g.variant += (g.variant.empty() ? "" : ",") + v;
      if (g.variant.empty()) g.variant = "*";
      g.passed = true;
      g.against = against;
      g.detail = "PASS no_regression " + g.variant + ": no earlier run of " + dquote(summary.run.suite_name) +
                 " passed its gates; nothing to compare with (this run becomes the reference once all its gates pass)";
      out.push_back(std::move(g));
      return;
    }
    other_name = describe_run(*other);
    if (other->store == self.store && other->run_id == self.run_id) {
      // A run judged against itself regresses nothing and would pass by construction.
      GateRecord g;
      g.gate = "no_regression";
      g.variant = "*";
      g.against = against;
      g.detail = "FAIL no_regression: the reference " + dquote(against) + " is run " + std::to_string(self.run_id) +
                 " itself; a run cannot show a regression against itself";
      out.push_back(std::move(g));
      return;
    }
    if (gate.variants.empty()) {
      pairs = shared_variants(*other->store, other->run_id, *self.store, self.run_id);
    } else {
      for (const auto& v : gate.variants) pairs.emplace_back(v, v);
    }
  }
  const RunComparison cmp = compare_runs(*other, self, pairs);
  for (const auto& v : cmp.variants) {
    const auto regressed = static_cast<long long>(v.regressed.size());
    const auto& c = v.conformance;
    const bool significant_drop = c.difference < 0 && c.p_value < gate.alpha;
    const bool passed = regressed <= gate.max_regressed_cases && !significant_drop && v.paired_cases > 0;
    GateRecord g;
    g.gate = "no_regression";
    g.variant = v.b_variant;
    g.passed = passed;
    g.figure = static_cast<double>(regressed);
    g.threshold = static_cast<double>(gate.max_regressed_cases);
    g.low = c.difference_ci.low;
    g.high = c.difference_ci.high;
    g.against = against.starts_with("variant:") ? against : describe_run(*other) + " " + v.a_variant;
    std::string text = std::to_string(regressed) + (regressed == 1 ? " case" : " cases") + " regressed against " +
                       other_name + (against.starts_with("variant:") ? "" : " " + v.a_variant) + " (max " +
                       std::to_string(gate.max_regressed_cases) + "); conformance " + pct(v.conformance_a) + " -> " +
                       pct(v.conformance_b) + " (" + points(c.difference) + " on " + std::to_string(v.paired_cases) +
                       " cases, 95% CI " + points(c.difference_ci.low) + " to " + points(c.difference_ci.high) +
                       "), p=" + fixed(c.p_value, c.p_value < 0.001 ? 4 : 3) +
                       (significant_drop ? " < " : " vs alpha ") + fixed(gate.alpha, 2);
    if (v.paired_cases == 0) text = "no case in common with " + other_name + "; nothing can be compared";
    g.detail = std::string(passed ? "PASS " : "FAIL ") + "no_regression " + v.b_variant + ": " + text;
    out.push_back(std::move(g));
  }
}

}  // namespace

GateEvaluation evaluate_gates(const Gates& gates, const RunSummary& summary, const RunSide& self,
                              RunResolver& resolver, const std::optional<std::string>& against) {
  GateEvaluation out;
  auto& lines = out.gates;
  for_each_threshold(gates.min_conformance, summary, "min_conformance", lines, [&](const VariantSummary& v, double bar) {
    const double figure = gates.use_lower_bound ? v.conformance_ci.low : v.conformance;
    auto g = judged("min_conformance", v.variant.id, figure >= bar, figure, bar,
                    (gates.use_lower_bound ? "lower bound " + pct(v.conformance_ci.low) + " of " + pct(v.conformance)
                                           : pct(v.conformance)) +
                        (figure >= bar ? " >= " : " < ") + pct(bar) + " (95% CI " + pct(v.conformance_ci.low) + "-" +
                        pct(v.conformance_ci.high) + ", " + std::to_string(v.cases) + " cases)");
    g.low = v.conformance_ci.low;
    g.high = v.conformance_ci.high;
    return g;
  });
  std::vector<RegressionGate> regressions = gates.no_regression;
  if (against) {
    if (regressions.empty()) regressions.emplace_back();
    for (auto& r : regressions)
      if (!r.against.starts_with("variant:")) r.against = *against;
  }
  for (const auto& r : regressions) regression_lines(r, r.against, summary, self, resolver, lines);
  for_each_threshold(gates.max_cost_per_1k, summary, "max_cost_per_1k", lines, [](const VariantSummary& v, double bar) {
    return judged("max_cost_per_1k", v.variant.id, v.cost_per_1k <= bar, v.cost_per_1k, bar,
                  "$" + fixed(v.cost_per_1k, 4) + " per 1k requests" + (v.cost_per_1k <= bar ? " <= $" : " > $") +
                      fixed(bar, 4));
  });
  for_each_threshold(gates.max_p95_latency_ms, summary, "max_p95_latency_ms", lines, [](const VariantSummary& v, double bar) {
    return judged("max_p95_latency_ms", v.variant.id, v.latency_p95 <= bar, v.latency_p95, bar,
                  "p95 " + fixed(v.latency_p95, 0) + " ms" + (v.latency_p95 <= bar ? " <= " : " > ") + fixed(bar, 0) +
                      " ms");
  });
  for_each_threshold(gates.max_error_rate, summary, "max_error_rate", lines, [](const VariantSummary& v, double bar) {
    const double rate = v.results > 0 ? static_cast<double>(v.errors) / static_cast<double>(v.results) : 0;
    return judged("max_error_rate", v.variant.id, rate <= bar, rate, bar,
                  pct(rate) + " of requests failed (" + std::to_string(v.errors) + " of " + std::to_string(v.results) +
                      ")" + (rate <= bar ? " <= " : " > ") + pct(bar));
  });
  for_each_threshold(gates.min_pass_all, summary, "min_pass_all", lines, [&](const VariantSummary& v, double bar) {
    const auto& r = v.repeat_stats;
    return judged("min_pass_all", v.variant.id, r.pass_hat_k >= bar, r.pass_hat_k, bar,
                  "pass^" + std::to_string(r.k) + " " + pct(r.pass_hat_k) + (r.pass_hat_k >= bar ? " >= " : " < ") +
                      pct(bar) + " (cases passing in every one of " + std::to_string(r.k) +
                      (r.k == 1 ? " repeat" : " repeats") + "; " + std::to_string(r.flaky) + " flaky)");
  });
  return out;
}

}  // namespace tb
