#pragma once
// JSON equality as JSON Schema defines it ("const", "enum", "uniqueItems"): 1 == 1.0, and
// without recursion, since instances may be arbitrarily deep. Internal to the JSON Schema
// engine (score/schema/).
#include <cstddef>

#include <nlohmann/json.hpp>

namespace tb::schema_detail {

bool json_equal(const nlohmann::json& a, const nlohmann::json& b);

// A hash consistent with json_equal that looks one level deep only: enough to spread the items
// of a large uniqueItems array, cheap, and bounded on deep values.
std::size_t shallow_hash(const nlohmann::json& v);

}  // namespace tb::schema_detail
