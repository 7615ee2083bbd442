#pragma once
// The run summary as JSON (`tunebench report RUN --format json`): every figure the terminal, HTML
// and CSV reports show, for scripts and dashboards, from the same RunSummary.
#include <ostream>

namespace tb {

struct RunSummary;

// One JSON object: "run" (the run record: suite, status, cases, fingerprints, shard or merge)
// and "variants" (per variant, in the suite's order: counts, conformance with its interval,
// tokens, savings, cost, latency, failure taxonomy). Numbers are written to full precision, so
// two runs with the same results give the same text apart from ids, times and latencies.
void write_summary_json(const RunSummary& summary, std::ostream& out);

}  // namespace tb
