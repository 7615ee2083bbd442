#pragma once
// The decision as the JSON export carries it (docs/report.schema.json: "decision" and each
// variant's cost intervals): the same figures and words as the terminal and the HTML.
#include <nlohmann/json.hpp>

namespace tb {

struct Interval;
struct RunSummary;
struct VariantSummary;

// JSON has no NaN or infinity: a figure that is not a number (an unbounded "never") is null.
nlohmann::json json_number(double v);
// [low, high], each end as json_number writes it.
nlohmann::json json_interval(const Interval& i);

// A variant's cost intervals, one-time cost and, for a self-hosted one, how it was derived:
// merged into the variant's "cost" object.
void add_cost_intervals(const VariantSummary& v, nlohmann::json& cost);

// "decision": the suite's decide settings, the break-even of every pair, the volume sweep and
// the verdict (null when the suite asks for none).
nlohmann::json decision_json(const RunSummary& summary);

}  // namespace tb
