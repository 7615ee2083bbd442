#pragma once
// Values quoted in schema errors and violation messages: short, one line, and bounded on
// arbitrarily deep or long values (json::dump() recurses). Internal to the JSON Schema engine
// (score/schema/).
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace tb::schema_detail {

// At most 80 characters of the value as JSON, "..." marking a cut.
std::string short_dump(const nlohmann::json& v);
std::string short_dump(const std::vector<nlohmann::json>& values);

// A string as a JSON string literal, cut to about 80 characters.
std::string quote(std::string_view s);

// A keyword location of at most about 200 characters: a long one (a deep recursion through
// "$ref"s) keeps its first and last segments around "/...", so a violation stays one short line.
std::string short_location(std::string pointer);

}  // namespace tb::schema_detail
