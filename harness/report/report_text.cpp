#include "report/report_text.hpp"

#include <cmath>

#include "common/text.hpp"

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

}  // namespace tb
