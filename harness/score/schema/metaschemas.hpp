#pragma once
// The draft 2020-12 and draft-07 metaschemas, built in so that "$schema" and "$ref" to them
// resolve offline. Internal to the JSON Schema engine (score/schema/).
#include <string_view>

namespace tb::schema_detail {

// The text of the built-in metaschema known as `uri` (absolute, no fragment; http and https
// spellings of json-schema.org both match), or empty when none is.
std::string_view builtin_metaschema(std::string_view uri);

}  // namespace tb::schema_detail
