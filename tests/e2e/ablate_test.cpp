// `tunebench ablate` through the real CLI against the built-in mock over loopback: a prompt
// whose only needed section is the schema block keeps that block and loses the rest; and the
// mistakes a user makes on the command line end with exit 2 before anything is sent.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "e2e/cli.hpp"
#include "e2e/sqlite_query.hpp"
#include "test_paths.hpp"

using namespace tb;
using test::tunebench;
using json = nlohmann::json;

namespace {

const char* kTerms[][2] = {{"Raft", "distributed-systems"},
                           {"B-tree", "databases"},
                           {"mutex", "operating-systems"},
                           {"Bloom filter", "programming"},
                           {"Paxos", "distributed-systems"},
                           {"TLS", "security"},
                           {"TCP", "networking"},
                           {"GPU", "hardware"},
                           {"CSS", "web"},
                           {"SQL", "databases"},
                           {"kernel", "operating-systems"},
                           {"XSS", "security"}};

// The schema block is the one section that names JSON and the fields: the mock's base model
// keeps the format exactly when its prompt does (format_break 0), and never otherwise
// (format_break_unprompted 1). No other section says "json" or any field's name.
const std::string kSchema =
    "```json\n"
    "{\"term\": \"the word asked about\", \"definition\": \"one sentence\", \"category\": \"its "
    "field\"}\n"
    "```";
const std::string kPrompt =
    "# Role\n"
    "You are a careful assistant working for a glossary team at a large software company.\n"
    "\n"
    "Write for engineers who read quickly: plain words, no filler, no marketing tone, and no "
    "sentence that says nothing. Prefer the usage a textbook would prefer over slang.\n"
    "\n" +
    kSchema +
    "\n"
    "\n"
    "Some history: this glossary started in 2019 and grew to thousands of entries, kept up to "
    "date by volunteers across several teams.\n"
    "\n"
    "Thank you.\n";

void write_suite(const test::TempDir& dir) {
  std::string eval;
  for (int i = 0; i < 12; ++i) {
    const json answer = {{"term", kTerms[i][0]},
                         {"definition", std::string("What ") + kTerms[i][0] + " means."},
                         {"category", kTerms[i][1]}};
    eval += json{{"id", "t" + std::to_string(i)},
                 {"messages",
                  {{{"role", "user"}, {"content", kTerms[i][0]}},
                   {{"role", "assistant"}, {"content", answer.dump()}}}}}
                .dump() +
            "\n";
  }
  test::write_text(dir / "d.jsonl", eval);
  test::write_text(dir / "term.schema.json", R"({"type":"object","additionalProperties":false,
      "properties":{"term":{"type":"string","minLength":1},"definition":{"type":"string"},
                    "category":{"type":"string"}},
      "required":["term","definition","category"]})");
  test::write_text(dir / "long.txt", kPrompt);
  test::write_text(dir / "s.yaml", R"(name: ablate-e2e
dataset: d.jsonl
expect:
  format: json
  schema: term.schema.json
  checks: [{type: field-equals, path: /term}]
baseline: prompted
variants:
  - {id: prompted, endpoint: mock, model: gpt-4o-mini, system: long.txt}
  - {id: fine-tuned, endpoint: mock, model: "ft:gpt-4o-mini-2024-07-18:acme::x", system_text: "Define the term."}
  - {id: plain, endpoint: mock, model: gpt-4o-mini}
  - {id: one-line, endpoint: mock, model: gpt-4o-mini, system_text: "Define the term as JSON."}
endpoints:
  mock: {kind: mock, mock: {seed: 7, profiles: {base: {format_break: 0, format_break_unprompted: 1, field_error: 0}}}}
run: {concurrency: 4}
)");
}

}  // namespace

TEST_CASE("ablate keeps the schema section, drops the others and writes the prompt",
          "[e2e][ablate]") {
  test::TempDir dir;
  write_suite(dir);
  const std::string cwd = dir.path().string();
  const auto result = tunebench(
      "ablate s.yaml --variant prompted --sample 10 --seed 3 --db t.db --out kept.txt", cwd);
  INFO(result.output);
  REQUIRE(result.exit_code == 0);

  // The prompt written is the schema block alone: neither everything nor anything without it.
  CHECK(test::read_text(dir / "kept.txt") == kSchema + "\n");
  CHECK(result.output.find("10 of 12 cases (seed 3)") != std::string::npos);
  CHECK(result.output.find("Chosen: 1 of 5 sections") != std::string::npos);
  CHECK(result.output.find("fine-tuned short prompt (fine-tuned)") != std::string::npos);
  CHECK(result.output.find("written: kept.txt") != std::string::npos);

  // Every step is a run of its own, named apart from the suite: the full prompt, then one
  // removal per section (the schema is not the smallest, so all five are tried).
  const auto db = dir / "t.db";
  CHECK(test::count(db,
                    "SELECT count(*) FROM runs WHERE suite_name = 'ablate-e2e/ablate-prompted' AND "
                    "status = 'done'") == 6);
  CHECK(test::count(db, "SELECT count(*) FROM runs WHERE cases != 10") == 0);
  // The full prompt is each step's baseline, sent as written; the candidates beside it.
  CHECK(test::count(
            db, "SELECT count(*) FROM variants WHERE id = 'prompted' AND is_baseline = 1") == 6);
  CHECK(test::query(db, "SELECT system_prompt FROM variants WHERE id = 'prompted' LIMIT 1") ==
        kPrompt.substr(0, kPrompt.size() - 1));
  // The step that dropped the schema conformed on no case; the full prompt on every one.
  const std::string without_schema =
      test::query(db,
                  "SELECT v.id FROM variants v WHERE v.id != 'prompted' AND v.system_prompt NOT "
                  "LIKE '%\"category\"%'");
  REQUIRE_FALSE(without_schema.empty());
  CHECK(test::count(
            db, "SELECT count(*) FROM results WHERE variant_id = '" + without_schema + "'") == 10);
  CHECK(test::count(db, "SELECT count(*) FROM results WHERE variant_id = '" + without_schema +
                            "' AND conformant = 1") == 0);
  CHECK(test::count(db, "SELECT count(*) FROM results WHERE variant_id = 'prompted'") == 60);
  CHECK(test::count(
            db, "SELECT count(*) FROM results WHERE variant_id = 'prompted' AND conformant = 0") ==
        0);

  // The same seed samples the same cases; the full prompt's answers come from the cache.
  const auto again = tunebench(
      "ablate s.yaml --variant prompted --sample 10 --seed 3 --db t.db --out again.txt -q", cwd);
  INFO(again.output);
  REQUIRE(again.exit_code == 0);
  CHECK(test::read_text(dir / "again.txt") == kSchema + "\n");
  CHECK(again.output.find("Sections of the system prompt") == std::string::npos);  // -q
  // ... and so do the candidates': the sample is a new file with the same lines, and the mock's
  // answers are keyed by the dataset's content, not its name.
  CHECK(again.output.find("requests sent: 0 (retries included)") != std::string::npos);
}

TEST_CASE("ablate refuses bad input with exit 2 before sending anything", "[e2e][ablate]") {
  test::TempDir dir;
  write_suite(dir);
  const std::string cwd = dir.path().string();
  auto expect_usage = [&](const std::string& args, const std::string& message) {
    const auto result = tunebench("ablate s.yaml --db t.db " + args, cwd);
    INFO(args << "\n" << result.output);
    CHECK(result.exit_code == 2);
    CHECK(result.output.find(message) != std::string::npos);
  };
  expect_usage("--variant prompt",
               "--variant prompt: s.yaml has no such variant; expected prompted, fine-tuned, plain "
               "or one-line (did you mean prompted?)");
  expect_usage("--variant plain",
               "--variant plain: the variant has no system prompt to ablate in s.yaml");
  expect_usage("--variant one-line", "--variant one-line: its system prompt is one section");
  expect_usage("--variant prompted --sample 0", "--sample");
  expect_usage("--variant prompted --sample many", "--sample");
  expect_usage("--variant prompted --alpha 1.5",
               "--alpha: expected a finite number above 0 and at most 0.5; got \"1.5\"");
  expect_usage("--variant prompted --alpha 0", "above 0 and at most 0.5");
  expect_usage("--variant prompted --out .", "--out . is a folder");
  expect_usage("--variant prompted --out nowhere/x.txt", "the folder nowhere does not exist");
  expect_usage("", "--variant is required");
  CHECK_FALSE(std::filesystem::exists(dir / "t.db"));
}
