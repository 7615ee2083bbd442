// A variant's strategy keys beside its prompt: `few_shot:` (worked examples from a training
// file), `structured:` (a strict json_schema response format) and `tools:` (the answer as a
// function call). The last two build what they send from `expect:`, read before the variants.
#include <algorithm>
#include <array>

#include "common/files.hpp"
#include "common/text.hpp"
#include "suite/dataset_reader.hpp"
#include "suite/prompt_renderer.hpp"
#include "suite/strict_schema.hpp"
#include "suite/suite_sections.hpp"

namespace tb {
namespace {

using json = nlohmann::json;

constexpr std::array<std::string_view, 4> kFewShotKeys = {"from", "k", "select", "seed"};
constexpr std::array<std::string_view, 2> kSelections = {"random", "similar"};
constexpr std::array<std::string_view, 3> kToolsKeys = {"name", "description", "strict"};

// Every line of the training file as an example; the first problem is reported with its line.
std::shared_ptr<const std::vector<FewShotExample>> read_examples(FieldReader& r,
                                                                 const FieldReader::At& from,
                                                                 const FewShotSpec& spec) {
  if (auto unreadable = file_read_problem(spec.file)) {
    r.error(from, *unreadable);
    return nullptr;
  }
  DatasetReader reader(spec.file, spec.display);
  Diagnostic problem;
  if (!reader.open(problem)) {
    r.error(from, problem.to_string());
    return nullptr;
  }
  auto examples = std::make_shared<std::vector<FewShotExample>>();
  TestCase line;
  while (true) {
    const auto status = reader.next(line, problem);
    if (status == DatasetReader::Status::end) break;
    if (status == DatasetReader::Status::error) {
      r.error(from, "the training file is not a chat dataset: " + problem.to_string());
      return nullptr;
    }
    if (!line.has_reference) {
      r.error(from, spec.display + ":" + std::to_string(line.line) +
                        ": the line ends without an assistant answer; an example needs one");
      return nullptr;
    }
    FewShotExample e;
    e.id = line.id;
    e.line = line.line;
    e.question = question_text(line.messages);
    e.turns = json::array();
    for (const auto& m : line.messages)
      if (m.value("role", "") != "system" && m.value("role", "") != "developer")
        e.turns.push_back(m);
    e.turns.push_back({{"role", "assistant"}, {"content", line.reference}});
    examples->push_back(std::move(e));
  }
  if (examples->empty()) {
    r.error(from, "the training file " + dquote(spec.display) + " has no examples");
    return nullptr;
  }
  return examples;
}

void read_few_shot(FieldReader& r, const FieldReader::At& v, const Suite& suite, Variant& variant) {
  const auto at = v.child("few_shot");
  if (!r.expect_mapping(at, kFewShotKeys)) return;
  FewShotSpec spec;
  const std::size_t before = r.error_count();
  const auto from = r.string(at, "from", true);
  spec.k = static_cast<int>(r.integer(at, "k", 1, 100).value_or(3));
  if (auto select = r.string(at, "select", false)) {
    const auto it = std::find(kSelections.begin(), kSelections.end(), *select);
    if (it == kSelections.end()) {
      std::string message =
          "expected one of " + join_choices(kSelections) + "; got " + dquote(*select);
      if (auto hint = did_you_mean(*select, kSelections))
        message += " (did you mean " + dquote(*hint) + "?)";
      r.error(at.child("select"), message);
    } else {
      spec.select =
          it == kSelections.begin() ? FewShotSpec::Select::random : FewShotSpec::Select::similar;
    }
  }
  spec.seed = r.integer(at, "seed", -(1LL << 62), 1LL << 62).value_or(variant.seed.value_or(0));
  if (!from || r.error_count() != before) return;
  spec.file = resolve_relative(suite.file, *from);
  spec.display = display_path(suite, *from);
  spec.examples = read_examples(r, at.child("from"), spec);
  if (!spec.examples) return;
  if (static_cast<std::size_t>(spec.k) > spec.examples->size()) {
    r.error(at.child("k"), "k is " + std::to_string(spec.k) + " but " + spec.display + " holds " +
                               std::to_string(spec.examples->size()) + " examples");
    return;
  }
  variant.few_shot = std::move(spec);
}

// The name the expected format goes by: the TypeScript type, the schema's title, its file's stem.
std::string format_name(const Expect& expect, const json& schema) {
  if (!expect.typescript_type.empty()) return api_name(expect.typescript_type);
  if (schema.contains("title") && schema["title"].is_string())
    return api_name(schema["title"].get<std::string>());
  if (!expect.schema_file.empty()) return api_name(expect.schema_file.stem().string());
  return "answer";
}

// The expected schema as sent (strict, or as written without $schema/$id); nullopt after an error.
std::optional<json> sent_schema(FieldReader& r, const FieldReader::At& at, const Suite& suite,
                                bool strict, const char* what) {
  const Expect& expect = suite.expect;
  // A schema given as a file is held as its name; its content is what is sent.
  json loaded = expect.schema;
  if (loaded.is_string() && !expect.schema_file.empty()) {
    std::string why;
    const auto text = read_file(expect.schema_file, &why);
    loaded = text ? json::parse(*text, nullptr, false) : json();
    if (loaded.is_discarded()) loaded = json();
  }
  if (!loaded.is_object()) {
    r.error(
        at,
        std::string(what) +
            " builds its schema from the expected format: give expect.schema (a JSON Schema) or "
            "expect.typescript with expect.type");
    return std::nullopt;
  }
  const std::string source =
      !expect.typescript_file.empty()
          ? "the TypeScript type " + expect.typescript_type
          : (expect.schema_file.empty() ? std::string("expect.schema")
                                        : expect.schema_file.filename().string());
  if (!strict) {
    json schema = loaded;
    schema.erase("$schema");
    schema.erase("$id");
    return schema;
  }
  std::string problem;
  auto schema = strict_schema(loaded, problem);
  if (!schema)
    r.error(at, std::string(what) + " sends " + source +
                    " as a strict schema, which it cannot be " + problem);
  return schema;
}

void read_structured(FieldReader& r, const FieldReader::At& v, const Suite& suite,
                     Variant& variant) {
  const auto on = r.boolean(v, "structured");
  if (!on || !*on) return;
  const auto at = v.child("structured");
  if (!variant.response_format.is_null()) {
    r.error(at, "structured: true builds response_format; remove the variant's response_format");
    return;
  }
  auto schema = sent_schema(r, at, suite, true, "structured: true");
  if (!schema) return;
  variant.structured = true;
  variant.response_format = {{"type", "json_schema"},
                             {"json_schema",
                              {{"name", format_name(suite.expect, *schema)},
                               {"strict", true},
                               {"schema", std::move(*schema)}}}};
}

void read_tools(FieldReader& r, const FieldReader::At& v, const Suite& suite, Variant& variant) {
  const auto at = v.child("tools");
  ToolsSpec spec;
  if (at.value.is_boolean()) {
    if (!at.value.get<bool>()) return;
  } else if (at.value.is_object()) {
    if (!r.expect_mapping(at, kToolsKeys)) return;
    if (auto name = r.string(at, "name", false)) {
      if (api_name(*name) != *name) {
        r.error(at.child("name"),
                "a function name is letters, digits, _ and - (at most 64); got " + dquote(*name));
        return;
      }
      spec.name = *name;
    }
    spec.description = r.string(at, "description", false).value_or("");
    spec.strict = r.boolean(at, "strict").value_or(true);
  } else {
    r.error(at, std::string("expected true or {name, description, strict}; got ") +
                    json_type_name(at.value));
    return;
  }
  if (variant.structured) {
    r.error(at,
            "a variant answers either by structured output or by a tool call; remove structured or "
            "tools");
    return;
  }
  auto schema = sent_schema(r, at, suite, spec.strict, "tools:");
  if (!schema) return;
  if (spec.name.empty()) spec.name = format_name(suite.expect, *schema);
  if (spec.description.empty())
    spec.description = "Give the answer as the arguments of this function.";
  json function = {
      {"name", spec.name}, {"description", spec.description}, {"parameters", std::move(*schema)}};
  if (spec.strict) function["strict"] = true;
  variant.tools = json::array({{{"type", "function"}, {"function", std::move(function)}}});
  // The model is made to call it: a strategy whose answer may come as prose is another strategy.
  variant.tool_choice = {{"type", "function"}, {"function", {{"name", spec.name}}}};
  variant.tools_spec = std::move(spec);
}

}  // namespace

void read_variant_strategies(FieldReader& r, const FieldReader::At& v, const Suite& suite,
                             Variant& variant) {
  if (v.value.contains("few_shot")) read_few_shot(r, v, suite, variant);
  if (v.value.contains("structured")) read_structured(r, v, suite, variant);
  if (v.value.contains("tools")) read_tools(r, v, suite, variant);
}

}  // namespace tb
