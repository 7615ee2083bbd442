#pragma once
#include <string>

#include "analysis/run_summary.hpp"
#include "report/html_case_grid.hpp"

namespace tb {

class Store;

// A self-contained HTML page (inline CSS, no external assets) for one run. Its one inline script
// filters and sorts the case grid (at most `max_grid_cases` cases); without it the page reads
// the same, as plain tables.
std::string render_html_report(Store& store, const RunSummary& summary,
                               long long max_grid_cases = kDefaultGridCases,
                               int failing_cases_per_variant = 20);

}  // namespace tb
