// Fuzzes the TypeScript converter (score/typescript_schema). The input's first line is the type
// to convert, the rest the TypeScript source. A converted schema must be what the suite loader
// can use: valid UTF-8 (it is stored and reported) and compilable by the JSON Schema compiler
// (the only allowed SchemaError is a @pattern that is not a valid regex, which the loader reports
// as "the converted schema is invalid").
// Contract: a schema, or an error with a 1-based line and column inside the source; never a crash.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "score/json_schema.hpp"
#include "score/typescript_schema.hpp"

namespace {

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "typescript_schema_fuzz: %s: %s\n", what, detail.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t eol = input.find('\n');
  if (eol == std::string_view::npos) return 0;
  const std::string_view type_name = input.substr(0, eol);
  const std::string_view source = input.substr(eol + 1);

  tb::TypeScriptError error;
  const auto schema = tb::typescript_to_schema(source, type_name, error);
  if (!schema) {
    if (error.message.empty()) fail("an error without a message", "");
    if (error.line < 0 || error.column < 0 || (error.line == 0) != (error.column == 0))
      fail("an error position out of range", tb::to_string(error));
    return 0;
  }
  std::string text;
  try {
    text = schema->dump();  // strict: throws on bytes that are not UTF-8
  } catch (const nlohmann::json::type_error& e) {
    fail("the converted schema is not valid UTF-8", e.what());
  }
  try {
    (void)tb::CompiledSchema::compile(*schema);
  } catch (const tb::SchemaError& e) {
    if (source.find("@pattern") == std::string_view::npos)
      fail("the converted schema does not compile", std::string(e.what()) + "\n" + text);
  }
  return 0;
}
