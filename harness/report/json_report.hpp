#pragma once
// The machine-readable report of a run (`report --format json`, and `run --out` beside the HTML
// and CSV): the run, its gates, the summary of every variant exactly as the other reports give
// it (one RunSummary), and one record per result. Its JSON Schema is docs/report.schema.json;
// `format` names the version of that schema, bumped when a field changes meaning or goes away.
#include <ostream>
#include <string_view>

namespace tb {

class Store;
struct RunSummary;

inline constexpr std::string_view kJsonReportFormat = "tunebench-run/1";

// Streams the report: results are written one by one from the store, so a run of a million
// results does not need its report in memory.
void write_json_report(Store& store, const RunSummary& summary, std::ostream& out);

}  // namespace tb
