#pragma once
#include <string>
#include <string_view>

namespace tb {

struct RunRecord;

// Number formats shared by the terminal, HTML and CSV reports, so they print alike.
std::string format_usd(double usd);             // "$0.0123", "$12.35", "$1,234"
std::string format_pct(double fraction01);      // 0.973 -> "97.3%"
std::string format_count(double v);             // 1234.5 -> "1,235" (rounded)
std::string html_escape(std::string_view s);
// For text between tags only, where quotes need no escaping: answers in JSON are full of them
// (the case grid's answers are a third smaller without &quot;). Never for an attribute's value.
std::string html_text_escape(std::string_view s);

// How much of its suite a run holds, for headers: "" (all of it, as run), "shard 1/4",
// "merged from 4 of 4 shards", or "merged from 3 of 4 shards: PARTIAL" when shards were missing or
// unfinished.
std::string run_scope(const RunRecord& run);

}  // namespace tb
