// `expect:` of a suite: the expected format (JSON Schema or a TypeScript type) and the checks.
#include <array>

#include "common/files.hpp"
#include "common/text.hpp"
#include "score/check.hpp"
#include "score/typescript_schema.hpp"
#include "suite/suite_sections.hpp"

namespace tb {

namespace {

using json = nlohmann::json;

constexpr std::array<std::string_view, 5> kExpectKeys = {"format", "schema", "typescript", "type",
                                                        "checks"};

void compile_schema(const FieldReader::At& where, Expect& expect) {
  try {
    expect.compiled_schema = where.value.is_string() ? CompiledSchema::load(expect.schema_file)
                                                     : CompiledSchema::compile(where.value);
  } catch (const SchemaError&) {
    // Already reported by the json-schema check, which compiles the same schema.
  }
}

// `typescript: term.ts, type: Term`: the interface people paste into prompts, as the format.
void read_typescript(FieldReader& r, const FieldReader::At& at, Suite& suite) {
  auto& expect = suite.expect;
  const auto file = r.string(at, "typescript", true);
  const auto type = r.string(at, "type", false);
  if (!file) return;
  if (!type) {
    r.error(at, "type: missing; name the interface or type alias to expect (e.g. type: Term)");
    return;
  }
  if (at.value.contains("schema")) {
    r.error(at.child("typescript"), "give either schema or typescript, not both");
    return;
  }
  expect.typescript_file = resolve_relative(suite.file, *file);
  expect.typescript_type = *type;
  std::string why;
  const auto source = read_file(expect.typescript_file, &why);
  if (!source) {
    r.error(at.child("typescript"), "cannot read " + expect.typescript_file.string() + ": " + why);
    return;
  }
  TypeScriptError error;
  auto schema = typescript_to_schema(*source, *type, error);
  if (!schema) {
    r.error(at.child("typescript"), display_path(suite, *file) + ":" + std::to_string(error.line) + ":" +
                                        std::to_string(error.column) + ": " + error.message);
    return;
  }
  const CheckContext context{suite.file};
  std::string message;
  auto check = make_check(json{{"type", "json-schema"}, {"schema", *schema}}, context, message);
  if (!check) {
    r.error(at.child("typescript"), "the converted schema is invalid: " + message);
    return;
  }
  expect.checks.push_back(std::move(check));
  expect.check_specs.push_back(json{{"type", "json-schema"}, {"typescript", *file}, {"type_name", *type}});
  expect.schema = *schema;
  try {
    expect.compiled_schema = CompiledSchema::compile(*schema);
  } catch (const SchemaError&) {
  }
}

}  // namespace

void read_expect(FieldReader& r, const FieldReader::At& root, Suite& suite) {
  if (!root.value.contains("expect")) return;
  const auto at = root.child("expect");
  if (!r.expect_mapping(at, kExpectKeys)) return;
  auto& expect = suite.expect;
  const auto format = r.string(at, "format", false);
  if (format && *format != "json" && *format != "text")
    r.error(at.child("format"), "expected json or text; got " + dquote(*format));
  const bool typed = at.value.contains("schema") || at.value.contains("typescript");
  expect.format = format.value_or(typed ? "json" : "text");
  const CheckContext context{suite.file};
  auto add_check = [&](const json& spec, const FieldReader::At& where) {
    std::string error;
    auto check = make_check(spec, context, error);
    if (!check) {
      r.error(where, error);
      return;
    }
    expect.checks.push_back(std::move(check));
    expect.check_specs.push_back(spec);
  };
  if (expect.format == "json") add_check(json{{"type", "is-json"}}, at);
  if (at.value.contains("schema")) {
    const auto schema = at.child("schema");
    if (schema.value.is_string()) expect.schema_file = resolve_relative(suite.file, schema.value.get<std::string>());
    const auto problem =
        schema.value.is_string() ? file_read_problem(expect.schema_file) : std::nullopt;
    if (problem) {
      r.error(schema, *problem);
    } else {
      add_check(json{{"type", "json-schema"}, {"schema", schema.value}}, schema);
      expect.schema = schema.value;
      compile_schema(schema, expect);
    }
  }
  if (at.value.contains("typescript")) read_typescript(r, at, suite);
  else if (at.value.contains("type"))
    r.error(at.child("type"), "only with typescript: FILE (the interface or type alias to expect)");
  if (at.value.contains("checks")) {
    const auto checks = at.child("checks");
    if (!checks.value.is_array()) {
      r.error(checks, std::string("expected a list of checks; got ") + json_type_name(checks.value));
      return;
    }
    for (std::size_t i = 0; i < checks.value.size(); ++i) add_check(checks.value[i], checks.item(i));
  }
}

}  // namespace tb
