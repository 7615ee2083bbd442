#pragma once
// TypeScript interface -> JSON Schema, so a suite can reuse the interface its prompt already
// spells out (`expect: {typescript: term.ts, type: Term}`) instead of keeping a second,
// hand-written schema in step with it.
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace tb {

// Where the source leaves the supported subset. line and column are 1-based (columns count
// Unicode characters); both are 0 when the error is about the request, not a place in the
// source (the requested type is not declared).
struct TypeScriptError {
  int line = 0;
  int column = 0;
  std::string message;
};

// Converts `type_name` (an interface or type alias declared in `source`) and everything it
// references into a draft 2020-12 JSON Schema (referenced named types go under $defs and are
// referenced with $ref, the root is the requested type itself). Returns nullopt with `error` set
// on anything outside the supported subset.
//
// Supported: `[export] interface X [extends Y, Z] { ... }`, `[export] type X = ...`; members
// `name: T` / `name?: T` / `readonly name: T` / `"quoted name": T`, separated by `;`, `,` or a
// line break; string, number, boolean, null; any and unknown (no constraint); string, number
// and boolean literal types; unions (literals merge into one enum); T[], readonly T[],
// Array<T>; object type literals; Record<string, T>; parentheses; references to any type
// declared in the source, in any order, recursive ones included. A `/** ... */` comment before
// a declaration or member becomes its "description", and its @minLength, @maxLength,
// @minItems, @maxItems, @minProperties, @maxProperties, @minimum, @maximum,
// @exclusiveMinimum, @exclusiveMaximum, @multipleOf, @pattern and @format lines (one tag a
// line) become those keywords: the bounds a type cannot state. Objects reject unknown members
// (additionalProperties: false), as the interface does.
std::optional<nlohmann::json> typescript_to_schema(std::string_view source,
                                                   std::string_view type_name,
                                                   TypeScriptError& error);

// "3:14: message", or just the message when the error has no position.
std::string to_string(const TypeScriptError& error);

}  // namespace tb
