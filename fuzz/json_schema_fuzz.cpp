// Fuzzes the JSON Schema compiler (score/json_schema): any JSON document is compiled as a schema
// (draft 2020-12 or draft-07 by default, formats asserted or not: both chosen from the input's
// length so that corpus files stay plain schemas), then a few instances are validated three ways
// that must agree: is_valid on the json tree, validate() (the list of violations) and is_valid on
// a JsonTape (the hot path the runner uses, which evaluates tapes itself for common schemas).
// Instances: a fixed set of every JSON type plus the schema's own const, enum, examples and
// default values (the instances a schema author had in mind), and the schema itself.
// Contract: a CompiledSchema or a SchemaError; never a crash, a hang or a disagreement.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/json_tape.hpp"
#include "score/json_schema.hpp"

namespace {

using nlohmann::json;

const std::vector<json>& fixed_instances() {
  static const std::vector<json> instances = {
      nullptr,
      true,
      0,
      -7,
      2.5,
      "",
      "abc",
      "2024-01-31",
      json::array(),
      json::array({1, "a", nullptr}),
      json::object(),
      json{{"term", "idempotency"}, {"related", json::array({"retry"})}}};
  return instances;
}

// How deeply v nests (a scalar is 0), counted without recursion.
std::size_t depth(const json& v) {
  std::size_t deepest = 0;
  std::vector<std::pair<const json*, std::size_t>> stack = {{&v, 0}};
  while (!stack.empty()) {
    const auto [node, d] = stack.back();
    stack.pop_back();
    deepest = std::max(deepest, d);
    if (node->is_structured())
      for (const auto& child : *node) stack.emplace_back(&child, d + 1);
  }
  return deepest;
}

// Values under const, enum, examples and default, found with an explicit stack (schemas may be
// deeply nested) and capped: the fuzzer's time goes to compiling, not to validating.
void harvest(const json& schema, std::vector<const json*>& out) {
  constexpr std::size_t kMax = 6;
  std::vector<const json*> stack = {&schema};
  while (!stack.empty() && out.size() < kMax) {
    const json* node = stack.back();
    stack.pop_back();
    if (node->is_array()) {
      for (const auto& v : *node) stack.push_back(&v);
      continue;
    }
    if (!node->is_object()) continue;
    for (const auto& [key, value] : node->items()) {
      if (key == "const" || key == "default") {
        out.push_back(&value);
      } else if ((key == "enum" || key == "examples") && value.is_array()) {
        for (const auto& v : value)
          if (out.size() < kMax) out.push_back(&v);
      }
      if (value.is_structured()) stack.push_back(&value);
      if (out.size() >= kMax) break;
    }
  }
}

// `tape_text` is the instance as JSON text, or empty to dump it here (shallow instances only:
// dump() recurses).
void check(const tb::CompiledSchema& schema, const json& instance, std::string_view schema_text,
           std::string_view tape_text = {}) {
  const bool tree = schema.is_valid(instance);
  const bool listed = schema.validate(instance).empty();
  const std::string dumped =
      tape_text.empty() ? instance.dump(-1, ' ', false, json::error_handler_t::replace) : "";
  const auto tape = tb::JsonTape::parse(tape_text.empty() ? dumped : tape_text);
  if (!tape) {
    std::fprintf(stderr, "json_schema_fuzz: an instance's text does not parse: %s\n",
                 dumped.c_str());
    std::abort();
  }
  const bool taped = schema.is_valid(*tape);
  if (tree != listed || tree != taped) {
    std::fprintf(stderr,
                 "json_schema_fuzz: verdicts differ (is_valid %d, validate %d, tape %d, tape "
                 "evaluator %d)\nschema: %.*s\ninstance: %s\n",
                 tree, listed, taped, schema.evaluates_tapes(),
                 static_cast<int>(schema_text.size()), schema_text.data(), dumped.c_str());
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const json document = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded()) return 0;
  tb::SchemaOptions options;
  options.default_draft = size % 2 == 0 ? tb::SchemaDraft::draft2020_12 : tb::SchemaDraft::draft7;
  options.assert_formats = size % 4 >= 2;
  std::optional<tb::CompiledSchema> schema;
  try {
    schema = tb::CompiledSchema::compile(document, options);
  } catch (const tb::SchemaError& e) {
    if (std::string_view(e.what()).empty()) std::abort();
    return 0;
  }
  for (const auto& instance : fixed_instances()) check(*schema, instance, text);
  std::vector<const json*> own;
  harvest(document, own);
  // Deep values are checked only where their text is at hand (the document itself): dump()
  // recurses and would overflow the stack in this harness, not in the code under test.
  for (const json* instance : own)
    if (depth(*instance) <= 1024) check(*schema, *instance, text);
  // The document as its own instance, its tape parsed from the input (nlohmann stops at a NUL
  // byte, the tape does not: such inputs skip this step).
  if (text.find('\0') == std::string_view::npos) check(*schema, document, text, text);
  return 0;
}
