// typescript_to_schema, the TypeScript converter's public face: the source is checked for
// UTF-8, tokenized (typescript/lexer.hpp) and parsed into the schema of the requested type
// (typescript/parser.hpp, which emits through typescript/schema_emitter.hpp).
#include "score/typescript_schema.hpp"

#include <utility>
#include <vector>

#include "score/typescript/lexer.hpp"
#include "score/typescript/parser.hpp"

namespace tb {

using nlohmann::json;
using typescript_detail::Parser;
using typescript_detail::Place;

std::optional<json> typescript_to_schema(std::string_view source, std::string_view type_name,
                                         TypeScriptError& error) {
  error = {};
  if (const std::size_t bad = typescript_detail::invalid_utf8_at(source);
      bad != std::string_view::npos) {
    const Place at = typescript_detail::place_of(source, bad);
    error = {at.line, at.column, "the source is not valid UTF-8"};
    return std::nullopt;
  }
  auto tokens = typescript_detail::tokenize(source, error);
  if (!tokens) return std::nullopt;
  return Parser(std::move(*tokens), type_name, error).convert();
}

std::string to_string(const TypeScriptError& error) {
  if (error.line == 0) return error.message;
  return std::to_string(error.line) + ":" + std::to_string(error.column) + ": " + error.message;
}

}  // namespace tb
