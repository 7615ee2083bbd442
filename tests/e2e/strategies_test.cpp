// The few-shot, structured and tools strategies through the real CLI against the mock: what each
// sends, that a tool call's arguments are stored and scored by the suite's checks (whole and
// streamed), that a dataset line's tools are sent, and that cut-offs still break answers.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "e2e/cli.hpp"
#include "e2e/sqlite_query.hpp"
#include "test_paths.hpp"

using namespace tb;
using test::tunebench;
using json = nlohmann::json;

namespace {

const char* kTerms[][2] = {{"Raft", "distributed-systems"},  {"B-tree", "databases"},
                           {"mutex", "operating-systems"},   {"Bloom filter", "databases"},
                           {"Paxos", "distributed-systems"}, {"TLS", "security"}};

std::string line(int i, const std::string& extra = "") {
  const json answer = {{"term", kTerms[i][0]},
                       {"definition", std::string("What ") + kTerms[i][0] + " means, at length."},
                       {"category", kTerms[i][1]}};
  json l = {{"id", "t" + std::to_string(i)},
            {"messages",
             {{{"role", "system"}, {"content", "Define the term."}},
              {{"role", "user"}, {"content", kTerms[i][0]}},
              {{"role", "assistant"}, {"content", answer.dump()}}}}};
  if (!extra.empty()) l.update(json::parse(extra));
  return l.dump() + "\n";
}

void write_files(const test::TempDir& dir, const std::string& mock_profile) {
  std::string eval, train;
  for (int i = 0; i < 4; ++i) eval += line(i);
  for (int i = 0; i < 6; ++i)
    train += line(i);  // holds the eval cases too: never their own example
  test::write_text(dir / "d.jsonl", eval);
  test::write_text(dir / "train.jsonl", train);
  test::write_text(dir / "term.schema.json", R"({"type":"object","properties":{
      "term":{"type":"string","minLength":1},"definition":{"type":"string"},"category":{"type":"string"}},
      "required":["term","definition","category"]})");
  test::write_text(dir / "s.yaml", R"(name: strategies-e2e
dataset: d.jsonl
expect:
  format: json
  schema: term.schema.json
  checks: [{type: field-equals, path: /term}, {type: field-equals, path: /category}]
variants:
  - {id: structured, endpoint: mock, model: gpt-4o-mini, system_text: "Define the term.", structured: true}
  - {id: tools, endpoint: mock, model: gpt-4o-mini, system_text: "Define the term.", tools: {name: record_term}}
  - {id: tools-stream, endpoint: mock, model: gpt-4o-mini, system_text: "Define the term.", tools: true, stream: true}
  - id: few-shot
    endpoint: mock
    model: gpt-4o-mini
    system_text: "Define the term."
    few_shot: {from: train.jsonl, k: 2, select: random, seed: 3}
endpoints:
  mock: {kind: mock, mock: {seed: 1, profiles: {base: )" +
                                       mock_profile + R"(}}}
run: {concurrency: 4}
)");
}

}  // namespace

TEST_CASE("structured, tools and few-shot variants run against the mock; tool arguments are scored",
          "[e2e][strategies]") {
  test::TempDir dir;
  write_files(dir, "{field_error: 0, format_break: 0, format_break_structured: 0}");
  const std::string cwd = dir.path().string();
  const auto db = dir / "t.db";
  const auto run = tunebench("run s.yaml --db t.db --out out", cwd);
  INFO(run.output);
  REQUIRE(run.exit_code == 0);

  // structured: a strict json_schema built from the schema file, sent as response_format.
  const json structured =
      json::parse(test::query(db,
                              "select b.request_json from results r join result_bodies b on "
                              "b.result_id=r.id where r.variant_id='structured' limit 1"));
  CHECK(structured["response_format"]["type"] == "json_schema");
  CHECK(structured["response_format"]["json_schema"]["strict"] == true);
  CHECK(structured["response_format"]["json_schema"]["name"] == "term_schema");
  CHECK(structured["response_format"]["json_schema"]["schema"]["additionalProperties"] == false);
  CHECK(test::count(
            db, "select count(*) from results where variant_id='structured' and conformant=1") ==
        4);

  // tools: the function is forced, its arguments stored as the output and scored by the checks.
  const json tools =
      json::parse(test::query(db,
                              "select b.request_json from results r join result_bodies b on "
                              "b.result_id=r.id where r.variant_id='tools' limit 1"));
  CHECK(tools["tools"][0]["function"]["name"] == "record_term");
  CHECK(tools["tool_choice"]["function"]["name"] == "record_term");
  CHECK(tools["parallel_tool_calls"] == false);
  for (const char* variant : {"tools", "tools-stream"}) {
    INFO(variant);
    CHECK(test::count(
              db, std::string("select count(*) from results where variant_id='") + variant +
                      "' and conformant=1 and finish_reason='tool_calls' and tool_calls is not null"
                      " and json_extract(output, '$.term') = json_extract(json_extract(tool_calls, "
                      "'$[0].arguments'), '$.term')") == 4);
    CHECK(test::count(
              db,
              std::string("select count(*) from check_outcomes c join results r on r.id=c.result_id"
                          " where r.variant_id='") +
                  variant + "' and c.passed=1") == 16);  // is-json, json-schema, /term, /category
  }
  CHECK(test::query(db,
                    "select json_extract(tool_calls, '$[0].name') from results where "
                    "variant_id='tools-stream' limit 1") == "term_schema");

  // few-shot: two examples before each case, never the case itself.
  for (int c = 0; c < 4; ++c) {
    const json body =
        json::parse(test::query(db,
                                "select b.request_json from results r join result_bodies b on "
                                "b.result_id=r.id where r.variant_id='few-shot'"
                                " and r.case_index=" +
                                    std::to_string(c)));
    const auto& m = body["messages"];
    REQUIRE(m.size() == 6);
    CHECK(m[0]["role"] == "system");
    CHECK(m[2]["role"] == "assistant");
    CHECK(m[5]["content"] == kTerms[c][0]);
    CHECK(m[1]["content"] != kTerms[c][0]);
    CHECK(m[3]["content"] != kTerms[c][0]);
  }
  CHECK(test::query(db, "select kind from variants where id='few-shot'").find("few-shot") !=
        std::string::npos);
}

TEST_CASE("cut-offs still break tool answers; a dataset line's tools are sent as they are",
          "[e2e][strategies]") {
  test::TempDir dir;
  write_files(dir, "{format_break_structured: 1}");
  const std::string cwd = dir.path().string();
  test::write_text(dir / "t.yaml", R"(name: cut
dataset: d.jsonl
expect: {format: json, schema: term.schema.json, checks: [{type: field-equals, path: /term}]}
variants:
  - {id: tools, endpoint: mock, model: gpt-4o-mini, system_text: "Define the term.", tools: true}
endpoints:
  mock: {kind: mock, mock: {profiles: {base: {format_break_structured: 1}}}}
)");
  const auto run = tunebench("run t.yaml --db t.db --out out", cwd);
  INFO(run.output);
  CHECK(test::count(dir / "t.db",
                    "select count(*) from results where variant_id='tools' and conformant=0"
                    " and finish_reason='length'") == 4);

  // A line that offers functions: an as-is variant sends them with the line's parallel_tool_calls.
  const std::string tools =
      R"({"tools":[{"type":"function","function":{"name":"lookup","parameters":{"type":"object"}}}],"parallel_tool_calls":true})";
  test::write_text(dir / "d.jsonl", line(0, tools) + line(1, tools));
  test::write_text(dir / "a.yaml",
                   "name: as-is\ndataset: d.jsonl\nexpect: {format: json}\nvariants:\n  - {id: a, "
                   "endpoint: mock, model: gpt-4o-mini}\n");
  const auto as_is = tunebench("run a.yaml --db a.db --out out", cwd);
  INFO(as_is.output);
  REQUIRE(as_is.exit_code <= 1);
  const json body =
      json::parse(test::query(dir / "a.db", "select request_json from result_bodies limit 1"));
  CHECK(body["tools"][0]["function"]["name"] == "lookup");
  CHECK(body["parallel_tool_calls"] == true);
  // The mock answers the offered function: the arguments are the answer.
  CHECK(test::count(
            dir / "a.db",
            "select count(*) from results where tool_calls is not null and json_valid(output)") ==
        2);
}
