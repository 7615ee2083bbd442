#include "report/verdict_text.hpp"

#include <cmath>

#include "analysis/run_summary.hpp"
#include "common/text.hpp"
#include "report/report_text.hpp"

namespace tb {

namespace {

std::string months(int n) {
  return std::to_string(n) + (n == 1 ? " month" : " months");
}

std::string conformance_text(const VerdictCandidate& c) {
  return "conformance " + format_pct(c.conformance) + " (95% CI " +
         format_pct(c.conformance_ci.low) + " to " + format_pct(c.conformance_ci.high) + ")";
}

std::string cost_text(const VerdictCandidate& c, const VerdictEntry& e, const Decide& d) {
  std::string out = format_usd(e.horizon_cost) + " over " + months(d.horizon_months) + " (95% CI " +
                    format_usd(e.horizon_cost_ci.low) + " to " +
                    format_usd(e.horizon_cost_ci.high) + "; " + format_usd(c.cost_per_request) +
                    " per request";
  if (c.one_time_usd > 0) out += " + " + format_usd(c.one_time_usd) + " once";
  if (c.derived) out += ", derived from GPU time";
  return out + ")";
}

}  // namespace

std::string format_volume(double requests, int digits) {
  if (std::isinf(requests)) return "never";
  if (requests < 1) return fixed(requests, 2);
  const double magnitude = std::pow(10.0, std::floor(std::log10(requests)) - (digits - 1));
  return with_thousands(std::llround(std::round(requests / magnitude) * magnitude));
}

std::string volume_with_interval(double requests, double low, double high) {
  int digits = 2;
  // An end that differs from the estimate must read differently from it.
  const auto blurred = [&](int d) {
    const std::string point = format_volume(requests, d);
    return (low < requests * (1 - 1e-9) && format_volume(low, d) == point) ||
           (high > requests * (1 + 1e-9) && format_volume(high, d) == point);
  };
  while (digits < 4 && blurred(digits)) ++digits;
  return format_volume(requests, digits) + " requests a month; 95% interval " +
         format_volume(low, digits) + " to " + format_volume(high, digits);
}

VerdictText verdict_text(const RunSummary& summary) {
  VerdictText out;
  if (!summary.verdict) return out;
  const Verdict& v = *summary.verdict;
  const Decide& d = v.decide;
  const auto& cs = summary.candidates;
  std::string bar;
  if (d.min_conformance)
    bar += "conformance not significantly below " + format_pct(*d.min_conformance);
  if (d.max_p95_latency_ms)
    bar += (bar.empty() ? "" : ", ") + std::string("p95 latency at most ") +
           format_count(*d.max_p95_latency_ms) + " ms";
  const std::string at = "at " + format_count(static_cast<double>(d.monthly_requests)) +
                         " requests a month over " + months(d.horizon_months) +
                         (bar.empty() ? "" : " (" + bar + ")");
  if (v.winner) {
    const auto& w = cs[*v.winner];
    out.headline = "ship " + w.variant + " " + at + ": " + cost_text(w, v.entries.front(), d) +
                   ", " + conformance_text(w) + ", p95 " + format_count(w.latency_p95_ms) + " ms";
  } else {
    out.headline = "no strategy meets the bar " + at;
  }
  for (const auto& e : v.entries) {
    if (v.winner && e.candidate == *v.winner) continue;
    const auto& c = cs[e.candidate];
    std::string line = c.variant + ": ";
    switch (e.excluded) {
      case Exclusion::no_results:
        line += "no results";
        break;
      case Exclusion::conformance:
        line += conformance_text(c) + " is significantly below " + format_pct(*d.min_conformance);
        break;
      case Exclusion::latency:
        line += "p95 latency " + format_count(c.latency_p95_ms) + " ms is over " +
                format_count(*d.max_p95_latency_ms) + " ms";
        break;
      case Exclusion::none: {
        const double more = e.horizon_cost - v.entries.front().horizon_cost;
        line += "costs " + format_usd(more) + " more: " + cost_text(c, e, d);
        break;
      }
    }
    out.why.push_back(line);
  }
  if (v.winner) {
    const auto& w = cs[*v.winner];
    if (v.flip) {
      const auto& f = *v.flip;
      const auto& other = cs[f.other];
      out.flip = w.variant + " wins " + (f.winner_above ? "above " : "below ") +
                 volume_with_interval(f.monthly_requests, f.ci.low, f.ci.high) + " (" +
                 (f.winner_above ? "below" : "above") + " it, " + other.variant + " is cheaper)";
    } else if (v.entries.size() > 1 && v.entries[1].excluded == Exclusion::none) {
      // No volume changes the answer: the next eligible one costs at least as much per request
      // and up front. Say so with its figures, so the reader sees why.
      const auto& next = cs[v.entries[1].candidate];
      out.flip =
          w.variant + " is the cheapest that meets the bar at every volume: the next, " +
          next.variant + ", costs " + format_usd(next.cost_per_request) + " per request against " +
          format_usd(w.cost_per_request) +
          (next.one_time_usd > w.one_time_usd ? " and " + format_usd(next.one_time_usd) + " once"
                                              : "");
    } else {
      out.flip = w.variant + " is the only strategy that meets the bar";
    }
  }
  return out;
}

std::vector<std::string> break_even_lines(const RunSummary& summary) {
  std::vector<std::string> out;
  const auto& cs = summary.candidates;
  for (const auto& p : summary.costs.pairs) {
    if (!p.monthly_requests) continue;
    out.push_back(cs[p.a].variant + " is cheaper than " + cs[p.b].variant + " above " +
                  volume_with_interval(*p.monthly_requests, p.ci.low, p.ci.high) + " (over " +
                  months(summary.decide.horizon_months) + ")");
  }
  return out;
}

std::string derived_cost_note(const VariantSummary& v) {
  if (!v.self_hosted) return "";
  const auto& h = *v.self_hosted;
  return "derived: " + format_usd(h.setting.price.gpu_hour_usd) + "/GPU-hour x " +
         std::to_string(h.setting.price.gpus) + (h.setting.price.gpus == 1 ? " GPU" : " GPUs") +
         " at " + format_count(h.cost.tokens_per_s) + " tokens/s " +
         (h.cost.measured ? "measured at concurrency " + std::to_string(h.setting.concurrency)
                          : std::string("as given")) +
         " = " + format_usd(h.cost.usd_per_1m_tokens) + " per 1M tokens";
}

}  // namespace tb
