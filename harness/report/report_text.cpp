#include "report/report_text.hpp"

#include <cmath>

#include <nlohmann/json.hpp>

#include "common/text.hpp"
#include "store/records.hpp"

namespace tb {

std::string format_usd(double usd) {
  const double a = std::fabs(usd);
  if (a >= 1000) return "$" + with_thousands(std::llround(usd));
  if (a >= 1) return "$" + fixed(usd, 2);
  if (a >= 0.01) return "$" + fixed(usd, 4);
  if (a == 0) return "$0";
  return "$" + fixed(usd, 6);
}

std::string format_pct(double fraction01) { return fixed(100.0 * fraction01, 1) + "%"; }

std::string format_count(double v) { return with_thousands(std::llround(v)); }

std::string html_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (const char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string html_text_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + s.size() / 16);
  for (const char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string run_scope(const RunRecord& run) {
  if (run.shard_index)
    return "shard " + std::to_string(*run.shard_index) + "/" + std::to_string(run.shard_count);
  if (run.merged_from.empty()) return "";
  const auto merged = nlohmann::json::parse(run.merged_from, nullptr, false);
  const std::size_t inputs = merged.is_array() ? merged.size() : 0;
  return "merged from " + std::to_string(inputs) + " of " + std::to_string(run.shard_count) +
         " shards" + (run.partial ? ": PARTIAL" : "");
}

}  // namespace tb
