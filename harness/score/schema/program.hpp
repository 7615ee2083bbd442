#pragma once
// The compiled form of a JSON Schema: what the compiler (compiler*.cpp) builds and the
// evaluators read, the json one (evaluator*.cpp) and the JsonTape one (tape_evaluator.cpp).
// Internal to the validator: nothing outside score/json_schema.cpp and score/schema/ includes it.
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "score/json_schema.hpp"
#include "score/schema/regex.hpp"

namespace tb::schema_detail {

using json = nlohmann::json;

constexpr std::int32_t kNone = -1;
constexpr std::size_t kUnbounded = std::numeric_limits<std::size_t>::max();

enum TypeBit : std::uint8_t {
  kTypeNull = 1,
  kTypeBoolean = 2,
  kTypeObject = 4,
  kTypeArray = 8,
  kTypeNumber = 16,
  kTypeString = 32,
  kTypeInteger = 64,
};
constexpr std::uint8_t kAllTypes = 127;

enum NumFlag : std::uint8_t {
  kMinimum = 1,
  kMaximum = 2,
  kExclusiveMinimum = 4,
  kExclusiveMaximum = 8,
  kMultipleOf = 16,
};

struct NamedChild {
  std::string name;
  std::int32_t node;
};

// A name from "properties" and/or "required": both are checked in one pass over the instance.
struct Member {
  std::string name;
  std::int32_t node = kNone;  // the "properties" subschema, if any
  bool required = false;
};

struct DependentRequired {
  std::string name;
  std::vector<std::string> required;
};

struct Node {
  enum class Kind : std::uint8_t { kTrue, kFalse, kSchema };
  Kind kind = Kind::kSchema;
  std::uint8_t types = kAllTypes;
  std::uint8_t num_flags = 0;
  bool has_inplace = false;      // any of $ref .. dependentSchemas below
  bool has_unevaluated = false;  // unevaluatedItems or unevaluatedProperties
  bool has_const = false;
  bool unique_items = false;
  bool draft7 = false;  // for keyword names in messages: items/additionalItems, dependencies
  bool assert_format = false;
  bool format_is_regex = false;
  int format = 0;
  std::uint32_t resource = 0;

  // In-place applicators.
  std::int32_t ref = kNone;
  std::int32_t dynamic_ref = kNone;   // static target
  std::int32_t dynamic_name = kNone;  // anchor to look up in the dynamic scope, if any
  std::vector<std::int32_t> all_of, any_of, one_of;
  std::int32_t not_ = kNone, if_ = kNone, then_ = kNone, else_ = kNone;
  std::vector<NamedChild> dependent_schemas;

  json const_value;
  std::vector<json> enum_values;
  std::vector<std::string> enum_strings;  // the string members of enum, compared directly
  bool has_enum = false;

  double minimum = 0, maximum = 0, exclusive_minimum = 0, exclusive_maximum = 0, multiple_of = 0;
  std::uint64_t multiple_of_int = 0;  // > 0 when multipleOf is an integer: exact for integers

  std::size_t min_length = 0, max_length = kUnbounded;
  std::int32_t pattern = kNone;

  std::vector<std::int32_t> prefix_items;
  std::int32_t items = kNone;  // applies from index prefix_items.size()
  std::int32_t contains = kNone;
  std::size_t min_contains = 1, max_contains = kUnbounded;
  std::size_t min_items = 0, max_items = kUnbounded;
  std::int32_t unevaluated_items = kNone;

  std::vector<NamedChild> properties;  // while building only; evaluation uses members
  std::vector<Member> members;         // sorted by name, like the keys of a json object
  std::size_t required_count = 0;      // distinct names in required
  std::vector<std::pair<std::int32_t, std::int32_t>> pattern_properties;  // regex, node
  std::int32_t additional_properties = kNone;
  std::int32_t property_names = kNone;
  std::int32_t unevaluated_properties = kNone;
  std::size_t min_properties = 0, max_properties = kUnbounded;
  std::vector<std::string> required;
  std::vector<DependentRequired> dependent_required;
};

struct RuntimeResource {
  std::vector<std::pair<std::int32_t, std::int32_t>> dynamic_anchors;  // name id, node
};

struct Program {
  std::vector<Node> nodes;
  std::vector<Regex> regexes;
  std::vector<RuntimeResource> resources;
  std::vector<std::string> format_names;  // by format id, for messages
  std::int32_t root = kNone;
  bool uses_dynamic = false;
  std::size_t max_depth = 256;
  std::size_t eval_depth_limit = 1024;
  SchemaDraft draft = SchemaDraft::draft2020_12;
  bool tape_supported = false;  // every node within what the JsonTape evaluator implements
};

}  // namespace tb::schema_detail
