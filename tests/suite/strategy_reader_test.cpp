// A variant's few_shot:, structured: and tools: as a suite file gives them: what they build, the
// kind they name, and their mistakes reported with file:line before anything is sent.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "suite/suite_loader.hpp"
#include "test_paths.hpp"

using namespace tb;
using json = nlohmann::json;

namespace {

std::string line(const std::string& id, const std::string& q, const std::string& a) {
  return json{{"id", id},
              {"messages",
               {{{"role", "system"}, {"content", "short"}},
                {{"role", "user"}, {"content", q}},
                {{"role", "assistant"}, {"content", a}}}}}
             .dump() +
         "\n";
}

struct Fixture {
  test::TempDir dir;
  Fixture() {
    test::write_text(dir / "d.jsonl", line("c1", "Raft", R"({"term":"Raft"})"));
    test::write_text(dir / "train.jsonl", line("e1", "Paxos", R"({"term":"Paxos"})") +
                                              line("e2", "B-tree", R"({"term":"B-tree"})"));
    test::write_text(
        dir / "term.schema.json",
        R"({"title":"Term","type":"object","properties":{"term":{"type":"string"}},"required":["term"]})");
  }
  std::optional<Suite> load(
      const std::string& variant, Diagnostics& errors,
      const std::string& expect = "{format: json, schema: term.schema.json}") {
    test::write_text(dir / "s.yaml",
                     "name: t\ndataset: d.jsonl\nexpect: " + expect + "\nvariants:\n" + variant);
    return load_suite(dir / "s.yaml", errors);
  }
  std::string first_error(const std::string& variant,
                          const std::string& expect = "{format: json, schema: term.schema.json}") {
    Diagnostics errors;
    CHECK_FALSE(load(variant, errors, expect));
    REQUIRE_FALSE(errors.empty());
    std::string text = errors.items()[0].to_string();
    const std::string prefix = (dir / "s.yaml").string();
    if (text.starts_with(prefix)) text = "s.yaml" + text.substr(prefix.size());
    return text;
  }
};

}  // namespace

TEST_CASE("few_shot, structured and tools build what they send and name the variant's kind",
          "[suite][strategies]") {
  Fixture f;
  Diagnostics errors;
  const auto suite = f.load(
      "  - {id: shots, endpoint: mock, model: m, system_text: x, few_shot: {from: train.jsonl, k: "
      "2, select: similar, seed: 7}}\n"
      "  - {id: schema, endpoint: mock, model: m, system_text: x, structured: true}\n"
      "  - {id: call, endpoint: mock, model: m, system_text: x, tools: {name: record_term}}\n"
      "  - {id: plain, endpoint: mock, model: m, system_text: x}\n",
      errors);
  INFO(errors.to_string());
  REQUIRE(suite);
  const Variant& shots = suite->variants[0];
  CHECK(shots.kind == VariantKind::few_shot);
  REQUIRE(shots.few_shot);
  CHECK(shots.few_shot->k == 2);
  CHECK(shots.few_shot->select == FewShotSpec::Select::similar);
  CHECK(shots.few_shot->seed == 7);
  REQUIRE(shots.few_shot->examples->size() == 2);
  const auto& e = (*shots.few_shot->examples)[1];
  CHECK(e.id == "e2");
  CHECK(e.line == 2);
  CHECK(e.question == "B-tree");
  // The training file's system message is left out: the variant's prompt is the instructions.
  CHECK(
      e.turns ==
      json::parse(
          R"([{"role":"user","content":"B-tree"},{"role":"assistant","content":"{\"term\":\"B-tree\"}"}])"));

  const Variant& schema = suite->variants[1];
  CHECK(schema.kind == VariantKind::structured);
  CHECK(schema.response_format["type"] == "json_schema");
  CHECK(schema.response_format["json_schema"]["name"] == "Term");
  CHECK(schema.response_format["json_schema"]["strict"] == true);
  CHECK(schema.response_format["json_schema"]["schema"]["additionalProperties"] == false);

  const Variant& call = suite->variants[2];
  CHECK(call.kind == VariantKind::tools);
  CHECK(call.tools[0]["function"]["name"] == "record_term");
  CHECK(call.tools[0]["function"]["strict"] == true);
  CHECK(call.tools[0]["function"]["parameters"]["required"] == json::array({"term"}));
  CHECK(call.tool_choice["function"]["name"] == "record_term");
  CHECK(suite->variants[3].kind == VariantKind::prompted);
  CHECK(to_string(VariantKind::few_shot) == "few-shot");
}

TEST_CASE("few_shot mistakes are reported with file:line", "[suite][strategies]") {
  Fixture f;
  CHECK(f.first_error(
             "  - id: a\n    endpoint: mock\n    model: m\n    few_shot: {from: nope.jsonl}\n")
            .starts_with("s.yaml:8: variants[0].few_shot.from: file not found"));
  const auto k = f.first_error(
      "  - id: a\n    endpoint: mock\n    model: m\n    few_shot:\n      from: train.jsonl\n      "
      "k: 3\n");
  CHECK(k.starts_with("s.yaml:10: variants[0].few_shot.k: k is 3 but "));
  CHECK(k.ends_with("train.jsonl holds 2 examples"));
  CHECK(f.first_error("  - id: a\n    endpoint: mock\n    model: m\n    few_shot: {from: "
                      "train.jsonl, select: similarity}\n") ==
        "s.yaml:8: variants[0].few_shot.select: expected one of random or similar; got "
        "\"similarity\" (did you mean \"similar\"?)");
  test::write_text(
      f.dir / "bad.jsonl",
      line("e1", "Paxos", "{}") + "{\"messages\":[{\"role\":\"user\",\"content\":\"q\"}]}\n");
  CHECK(f.first_error("  - {id: a, endpoint: mock, model: m, few_shot: {from: bad.jsonl}}\n")
            .ends_with(
                "bad.jsonl:2: the line ends without an assistant answer; an example needs one"));
}

TEST_CASE("structured and tools need an expected schema strict mode can take",
          "[suite][strategies]") {
  Fixture f;
  CHECK(f.first_error("  - {id: a, endpoint: mock, model: m, structured: true}\n",
                      "{format: json}") ==
        "s.yaml:5: variants[0].structured: structured: true builds its schema from the expected "
        "format: give "
        "expect.schema (a JSON Schema) or expect.typescript with expect.type");
  test::write_text(
      f.dir / "open.json",
      R"({"type":"object","properties":{"a":{"type":"string"}},"additionalProperties":true})");
  CHECK(f.first_error("  - {id: a, endpoint: mock, model: m, tools: true}\n",
                      "{format: json, schema: open.json}") ==
        "s.yaml:5: variants[0].tools: tools: sends open.json as a strict schema, which it cannot "
        "be at "
        "/additionalProperties: is true; strict mode allows only false (list every property the "
        "answer may have)");
  // strict: false sends the schema as written.
  Diagnostics errors;
  const auto loose = f.load("  - {id: a, endpoint: mock, model: m, tools: {strict: false}}\n",
                            errors, "{format: json, schema: open.json}");
  REQUIRE(loose);
  CHECK(loose->variants[0].tools[0]["function"]["parameters"]["additionalProperties"] == true);
  CHECK_FALSE(loose->variants[0].tools[0]["function"].contains("strict"));
  CHECK(f.first_error("  - {id: a, endpoint: mock, model: m, structured: true, response_format: "
                      "{type: json_object}}\n") ==
        "s.yaml:5: variants[0].structured: structured: true builds response_format; remove the "
        "variant's response_format");
  CHECK(f.first_error("  - {id: a, endpoint: mock, model: m, structured: true, tools: true}\n") ==
        "s.yaml:5: variants[0].tools: a variant answers either by structured output or by a tool "
        "call; remove structured or tools");
}
