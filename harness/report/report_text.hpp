#pragma once
#include <string>
#include <string_view>

namespace tb {

// Number formats shared by the terminal, HTML and CSV reports, so they print alike.
std::string format_usd(double usd);             // "$0.0123", "$12.35", "$1,234"
std::string format_pct(double fraction01);      // 0.973 -> "97.3%"
std::string format_count(double v);             // 1234.5 -> "1,235" (rounded)
std::string html_escape(std::string_view s);

}  // namespace tb
