// "Every case, side by side": the HTML report's case grid. One row per case (its id, the start of
// its input and of its reference answer), one cell per variant (passed or failed, k/n with
// repeats), each cell a <details> that opens to every repeat's whole answer, its checks, tokens,
// latency, cost and a word diff against the reference. A small inline script adds filters
// (failing only, variants disagree, a failure kind, text search) and a sort; without it the grid
// is a plain table. At most `max_cases` rows: the rest are named in a note with where to find them.
#pragma once

#include <ostream>
#include <string>
#include <string_view>

#include "analysis/run_summary.hpp"

namespace tb {

class Store;

// The default of `report --max-cases` and `run --max-cases`.
inline constexpr long long kDefaultGridCases = 5000;

// Writes the section (heading, filters, table, left-out note, script) for the summary's run.
void write_case_grid(Store& store, const RunSummary& summary, long long max_cases, std::ostream& h);

// The grid's CSS, for the report's <style>.
std::string_view case_grid_css();

// The text of a case's last user message (its input), from its stored messages; empty when none.
std::string case_input_text(std::string_view messages_json);

}  // namespace tb
