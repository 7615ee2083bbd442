#pragma once
#include <string>

#include "analysis/run_summary.hpp"

namespace tb {

class Store;

// A self-contained HTML page (inline CSS, no scripts, no external assets) for one run.
std::string render_html_report(Store& store, const RunSummary& summary,
                               int failing_cases_per_variant = 20);

}  // namespace tb
