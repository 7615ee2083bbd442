#pragma once
// The TypeScript converter's schema emitter: the JSON Schema of a union, an object type and a
// reference to a named type. Internal to the converter (score/typescript_schema.cpp and
// score/typescript/).
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "score/typescript/lexer.hpp"

namespace tb::typescript_detail {

using nlohmann::json;

// One alternative of a union, kept apart until the union is complete so that literal
// alternatives can merge into a single enum.
struct Operand {
  enum class Kind { kLiteral, kPrimitive, kAny, kSchema };
  Kind kind;
  json value;  // the literal, the primitive's JSON type name, or a finished schema
};
using Alternatives = std::vector<Operand>;

// A member of an interface or object type literal, its type already a schema.
struct Member {
  std::string name;
  bool optional = false;
  json schema;
  Doc doc;
  Place at;
};

// Merges a union's alternatives: any absorbs everything, literals covered by a primitive
// vanish, the remaining literals become one enum, and the rest an anyOf in source order.
json schema_of(const Alternatives& alternatives);

// A closed object (additionalProperties: false) with the members as properties; the ones not
// optional are required.
json object_schema(const std::vector<Member>& members);

// The $ref to a named type: "#" for the root, else under $defs. Identifiers may hold non-ASCII
// letters, which a URI must percent-encode.
std::string ref_to(std::string_view name, std::string_view root);

// Appends value to a json array unless it is there already.
void push_unique(json& array, const json& value);

}  // namespace tb::typescript_detail
