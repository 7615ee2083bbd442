// The HTML report's detail sections below the charts (see report/html_report.hpp): latency,
// streaming, the failure taxonomy, why answers failed and the failing cases with their answers.
#pragma once

#include <ostream>
#include <string>

#include "analysis/run_summary.hpp"

namespace tb {

class Store;

// "Latency" and, when some result streamed, "Streaming".
void write_latency_section(const RunSummary& summary, std::ostream& h);
// "Failure taxonomy" (only the kinds that occur) and "Why answers failed".
void write_failure_sections(const RunSummary& summary, std::ostream& h);
// "Failing cases": per variant its first `per_variant` failing results, each with the failed
// checks and the whole answer.
void write_failing_cases(Store& store, const RunSummary& summary, int per_variant, std::ostream& h);

// An answer in a <pre>, whole: one longer than a screen scrolls inside its box, and a line
// under it says so.
std::string html_output_box(const std::string& text);

}  // namespace tb
