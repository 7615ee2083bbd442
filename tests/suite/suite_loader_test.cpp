#include <catch2/catch.hpp>

#include <random>

#include "score/check.hpp"
#include "suite/prompt_renderer.hpp"
#include "suite/source_document.hpp"
#include "suite/suite_loader.hpp"
#include "test_paths.hpp"

using namespace tb;

namespace {

// A suite in a temp folder with a tiny dataset and prompt file beside it.
struct Fixture {
  test::TempDir dir;
  Fixture() {
    test::write_text(dir / "data/d.jsonl", R"({"messages":[{"role":"system","content":"old"},{"role":"user","content":"q"},{"role":"assistant","content":"{\"a\":1}"}]})" "\n");
    test::write_text(dir / "suites/p.txt", "Answer in JSON.\n");
  }
  std::optional<Suite> load(const std::string& yaml, Diagnostics& errors) {
    test::write_text(dir / "suites/s.yaml", yaml);
    return load_suite(dir / "suites/s.yaml", errors);
  }
  std::string first_error(const std::string& yaml) {
    Diagnostics errors;
    auto suite = load(yaml, errors);
    CHECK_FALSE(suite.has_value());
    REQUIRE_FALSE(errors.empty());
    const std::string prefix = (dir / "suites/s.yaml").string();
    std::string text = errors.items()[0].to_string();
    if (text.starts_with(prefix)) text = "s.yaml" + text.substr(prefix.size());
    return text;
  }
};

const char* kValid = R"(name: t
dataset: ../data/d.jsonl
expect: {format: json, checks: [{type: equals}]}
variants:
  - {id: long, endpoint: mock, model: gpt-4o-mini, system: p.txt}
  - {id: ft, endpoint: mock, model: "ft:gpt-4o-mini:acme::1", training: {tokens: 1000, epochs: 2}}
  - {id: raw, endpoint: mock, model: gpt-4o-mini}
run: {concurrency: 4, repeats: 2, temperature: 0}
)";

}  // namespace

TEST_CASE("a valid suite loads with paths relative to the suite and kinds inferred", "[suite]") {
  Fixture f;
  Diagnostics errors;
  auto suite = f.load(kValid, errors);
  INFO(errors.to_string());
  REQUIRE(suite);
  CHECK(suite->name == "t");
  CHECK(suite->dataset_file == (f.dir / "data/d.jsonl").lexically_normal());
  CHECK(suite->baseline == "long");  // the first variant by default
  REQUIRE(suite->variants.size() == 3);
  CHECK(suite->variants[0].kind == VariantKind::prompted);
  CHECK(suite->variants[0].system == std::optional<std::string>("Answer in JSON."));
  CHECK(suite->variants[1].kind == VariantKind::fine_tuned);
  CHECK(suite->variants[1].training->tokens == 1000);
  CHECK(suite->variants[2].kind == VariantKind::as_is);
  CHECK(suite->variants[0].temperature == std::optional<double>(0.0));
  CHECK(suite->run.concurrency == 4);
  CHECK(suite->run.repeats == 2);
  // format json adds is-json before the user's checks
  REQUIRE(suite->expect.checks.size() == 2);
  CHECK(suite->expect.checks[0]->type() == "is-json");
  CHECK(suite->expect.checks[1]->type() == "equals");
  CHECK(suite->endpoints.count("mock") == 1);
}

TEST_CASE("a JSON suite loads the same way, with line numbers", "[suite]") {
  Fixture f;
  test::write_text(f.dir / "suites/s.json",
                   "{\n  \"name\": \"t\",\n  \"dataset\": \"../data/d.jsonl\",\n  \"variants\": [\n"
                   "    {\"id\": \"a\", \"endpoint\": \"mock\", \"model\": \"gpt-4o-mini\", \"temprature\": 1}\n  ]\n}\n");
  Diagnostics errors;
  CHECK_FALSE(load_suite(f.dir / "suites/s.json", errors));
  REQUIRE(errors.size() == 1);
  CHECK(errors.items()[0].line == 5);
  CHECK(errors.items()[0].field == "variants[0].temprature");
  CHECK(errors.items()[0].message.find("did you mean \"temperature\"") != std::string::npos);
}

TEST_CASE("the prompt renderer replaces the system message or sends messages as they are", "[suite]") {
  Fixture f;
  Diagnostics errors;
  auto suite = f.load(kValid, errors);
  REQUIRE(suite);
  TestCase c;
  c.messages = nlohmann::json::parse(R"([{"role":"system","content":"old"},{"role":"user","content":"q"}])");
  const auto prompted = render_messages(suite->variants[0], c);
  REQUIRE(prompted.size() == 2);
  CHECK(prompted[0]["content"] == "Answer in JSON.");
  CHECK(prompted[1]["content"] == "q");
  CHECK(render_messages(suite->variants[2], c) == c.messages);
  CHECK(prompt_characters(prompted) == 16);
}

TEST_CASE("unknown keys are errors with file:line and a did-you-mean", "[suite]") {
  Fixture f;
  CHECK(f.first_error("name: t\ndatset: ../data/d.jsonl\n") ==
        "s.yaml:2: datset: unknown key (did you mean \"dataset\"?); expected one of name, description, dataset, limit, expect, baseline, variants, endpoints, run, decide, prices, price_catalog or gate");
  const std::string e = f.first_error("name: t\ndataset: ../data/d.jsonl\nvariants:\n  - id: a\n    endpoint: mock\n    modle: x\n");
  CHECK(e.starts_with("s.yaml:6: variants[0].modle: unknown key (did you mean \"model\"?)"));
}

TEST_CASE("every field is type-checked with its line", "[suite]") {
  Fixture f;
  CHECK(f.first_error("name: t\ndataset: ../data/d.jsonl\nrun: {concurrency: many}\nvariants: [{id: a, endpoint: mock, model: m}]\n") ==
        "s.yaml:3: run.concurrency: expected a whole number; got a string");
  CHECK(f.first_error("name: t\ndataset: ../data/d.jsonl\nrun:\n  repeats: 0\nvariants: [{id: a, endpoint: mock, model: m}]\n") ==
        "s.yaml:4: run.repeats: expected a whole number from 1 to 1000; got 0");
  CHECK(f.first_error("name: [x]\ndataset: ../data/d.jsonl\nvariants: [{id: a, endpoint: mock, model: m}]\n") ==
        "s.yaml:1: name: expected a string; got a list");
}

TEST_CASE("missing required keys and missing files are reported", "[suite]") {
  Fixture f;
  CHECK(f.first_error("dataset: ../data/d.jsonl\nvariants: [{id: a, endpoint: mock, model: m}]\n") ==
        "s.yaml:1: name: missing (required)");
  CHECK(f.first_error("name: t\ndataset: ../data/nope.jsonl\nvariants: [{id: a, endpoint: mock, model: m}]\n")
            .starts_with("s.yaml:2: dataset: file not found"));
  CHECK(f.first_error("name: t\ndataset: ../data/d.jsonl\n") ==
        "s.yaml:1: variants: missing (required); list the strategies to compare");
  CHECK(f.first_error("name: t\ndataset: ../data/d.jsonl\nvariants:\n  - {id: a, endpoint: mock, model: m, system: missing.txt}\n")
            .starts_with("s.yaml:4: variants[0].system: cannot read prompt file"));
}

TEST_CASE(
    "files a suite names are read only when regular and within the cap; bad names are located "
    "errors (fuzz/corpus/suite_loader)",
    "[suite][files]") {
  Fixture f;
  const std::string device =
      "it is not a regular file (a device, FIFO or socket, which may never end)";
  CHECK(f.first_error("name: t\ndataset: ../data/d.jsonl\nvariants:\n  - {id: a, endpoint: mock, "
                      "model: m, system: /dev/zero}\n") ==
        "s.yaml:4: variants[0].system: cannot read prompt file /dev/zero: " + device);
  CHECK(f.first_error("name: t\ndataset: ../data/d.jsonl\nexpect: {schema: /dev/zero}\nvariants: "
                      "[{id: a, endpoint: mock, model: m}]\n") ==
        "s.yaml:3: expect.schema: cannot read /dev/zero: " + device);
  CHECK(f.first_error("name: t\ndataset: ../data/d.jsonl\nexpect: {typescript: /dev/zero, type: "
                      "T}\nvariants: [{id: a, endpoint: mock, model: m}]\n") ==
        "s.yaml:3: expect.typescript: cannot read /dev/zero: " + device);
  CHECK(f.first_error(
            "name: t\ndataset: /dev/zero\nvariants: [{id: a, endpoint: mock, model: m}]\n") ==
        "s.yaml:2: dataset: cannot read /dev/zero: " + device);
  // A name longer than the file system takes: std::filesystem::exists threw filesystem_error.
  const std::string long_name(300, 'x');
  CHECK(f.first_error("name: t\ndataset: " + long_name +
                      ".jsonl\nvariants: [{id: a, endpoint: mock, model: m}]\n") ==
        "s.yaml:2: dataset: cannot read " + (f.dir / "suites" / (long_name + ".jsonl")).string() +
            ": File name too long");
  CHECK(f.first_error("name: t\ndataset: ../data/d.jsonl\nprice_catalog: " + long_name +
                      "\nvariants: [{id: a, endpoint: mock, model: m}]\n") ==
        "s.yaml:3: price_catalog: cannot read " + (f.dir / "suites" / long_name).string() +
            ": File name too long");
  CHECK(f.first_error("name: t\ndataset: ../data/d.jsonl\nexpect: {schema: " + long_name +
                      "}\nvariants: [{id: a, endpoint: mock, model: m}]\n") ==
        "s.yaml:3: expect.schema: cannot read " + (f.dir / "suites" / long_name).string() +
            ": File name too long");
  // A schema whose $ref names a device.
  test::write_text(f.dir / "suites/ref.json", R"({"$ref":"file:///dev/zero"})");
  CHECK(f.first_error("name: t\ndataset: ../data/d.jsonl\nexpect: {schema: ref.json}\nvariants: "
                      "[{id: a, endpoint: mock, model: m}]\n")
            .find("cannot read schema file:///dev/zero (/dev/zero): " + device) !=
        std::string::npos);
}

TEST_CASE("references between sections are checked", "[suite]") {
  Fixture f;
  CHECK(f.first_error("name: t\ndataset: ../data/d.jsonl\nbaseline: promted\nvariants: [{id: prompted, endpoint: mock, model: m}]\n") ==
        "s.yaml:3: baseline: no variant has id \"promted\" (did you mean \"prompted\"?)");
  CHECK(f.first_error("name: t\ndataset: ../data/d.jsonl\nvariants:\n  - {id: a, endpoint: opneai, model: m}\n") ==
        "s.yaml:4: variants[0].endpoint: unknown endpoint \"opneai\"; expected one of mock or openai (did you mean \"openai\"?)");
  CHECK(f.first_error("name: t\ndataset: ../data/d.jsonl\nvariants:\n  - {id: a, endpoint: mock, model: m}\n  - {id: a, endpoint: mock, model: m}\n") ==
        "s.yaml:5: variants[1].id: duplicate variant id \"a\"");
  CHECK(f.first_error("name: t\ndataset: ../data/d.jsonl\nvariants:\n  - {id: a, endpoint: mock, model: m, system: p.txt, system_text: hi}\n")
            .find("either system (a file) or system_text") != std::string::npos);
}

TEST_CASE("check specs are validated when the suite loads", "[suite]") {
  Fixture f;
  const std::string unknown =
      f.first_error("name: t\ndataset: ../data/d.jsonl\nexpect:\n  checks:\n    - {type: is-jsn}\nvariants: [{id: a, endpoint: mock, model: m}]\n");
  CHECK(unknown.starts_with("s.yaml:5: expect.checks[0]: type: unknown check \"is-jsn\"; expected one of is-json, "));
  CHECK(unknown.ends_with(" (did you mean \"is-json\"?)"));
  CHECK(f.first_error("name: t\ndataset: ../data/d.jsonl\nexpect:\n  checks:\n    - {type: regex, pattern: \"(\"}\nvariants: [{id: a, endpoint: mock, model: m}]\n")
            .starts_with("s.yaml:5: expect.checks[0]: pattern: invalid regex"));
}

TEST_CASE("YAML syntax errors carry the line", "[suite]") {
  Fixture f;
  const std::string e = f.first_error("name: t\nvariants: [\n  {id: a\n");
  CHECK(e.find("not valid YAML/JSON") != std::string::npos);
  CHECK(e.starts_with("s.yaml:"));
}

TEST_CASE("duplicate keys are errors, never a silent overwrite", "[suite]") {
  Fixture f;
  CHECK(f.first_error("name: t\nname: u\n") == "s.yaml:2: name: duplicate key (the earlier value would be silently lost)");
}

TEST_CASE("quoted scalars stay strings, plain ones are typed", "[suite]") {
  SourceDocument doc;
  Diagnostics errors;
  REQUIRE(SourceDocument::parse("x.yaml", "x.yaml", "a: \"1\"\nb: 1\nc: 1.5\nd: true\ne: null\nf: hello\n", doc, errors));
  CHECK(doc.root()["a"] == "1");
  CHECK(doc.root()["b"] == 1);
  CHECK(doc.root()["c"] == 1.5);
  CHECK(doc.root()["d"] == true);
  CHECK(doc.root()["e"].is_null());
  CHECK(doc.root()["f"] == "hello");
  CHECK(doc.line_of("/d") == 4);
  CHECK(doc.line_of("/d/missing") == 4);
}

TEST_CASE("the demo suites load", "[suite]") {
  for (const char* name : {"suites/demo.yaml", "suites/tech-terms.openai.yaml"}) {
    Diagnostics errors;
    auto suite = load_suite(test::source_dir() / name, errors);
    INFO(name << ": " << errors.to_string());
    REQUIRE(suite);
    // prompted, fine-tuned, base-short, rag; the demo also fine-tuned-nano, few-shot, structured
    // and tools
    CHECK(suite->variants.size() == (std::string(name) == "suites/demo.yaml" ? 8u : 4u));
    CHECK(suite->baseline == "prompted");
  }
  // The sweep example: a variant per line of its checkpoints file, named by step.
  Diagnostics errors;
  auto sweep = load_suite(test::source_dir() / "suites/checkpoint-sweep.yaml", errors);
  INFO(errors.to_string());
  REQUIRE(sweep);
  REQUIRE(sweep->variants.size() == 4);
  CHECK(sweep->variants[1].id == "fine-tuned@step-100");
  CHECK(sweep->variants[3].id == "fine-tuned@step-300");
  CHECK(sweep->variants[3].sweep->loss == Approx(0.217));
  // The README's regression example: v1 and v2 of a gated fine-tune, v2 forgetting three cases.
  for (const char* name : {"suites/release-gate/v1.yaml", "suites/release-gate/v2.yaml"}) {
    Diagnostics gate_errors;
    auto gated = load_suite(test::source_dir() / name, gate_errors);
    INFO(name << ": " << gate_errors.to_string());
    REQUIRE(gated);
    CHECK(gated->name == "release-gate");
    CHECK(gated->variants.size() == 1);
  }
}

TEST_CASE("a TypeScript interface can be the expected format", "[suite][typescript]") {
  Fixture f;
  test::write_text(f.dir / "suites/t.ts", "export interface T {\n  a: number;\n  tags?: string[];\n}\n");
  Diagnostics errors;
  auto suite = f.load("name: t\ndataset: ../data/d.jsonl\nexpect: {typescript: t.ts, type: T}\n"
                      "variants: [{id: a, endpoint: mock, model: m}]\n", errors);
  INFO(errors.to_string());
  REQUIRE(suite);
  CHECK(suite->expect.format == "json");
  REQUIRE(suite->expect.checks.size() == 2);  // is-json, then the converted schema
  CHECK(suite->expect.checks[1]->type() == "json-schema");
  REQUIRE(suite->expect.compiled_schema.has_value());
  CHECK(suite->expect.compiled_schema->is_valid(nlohmann::json::parse(R"({"a":1,"tags":["x"]})")));
  CHECK_FALSE(suite->expect.compiled_schema->is_valid(nlohmann::json::parse(R"({"a":"1"})")));
  CHECK_FALSE(suite->expect.compiled_schema->is_valid(nlohmann::json::parse(R"({"a":1,"b":2})")));
}

TEST_CASE("TypeScript outside the supported subset is an error with line:column", "[suite][typescript]") {
  Fixture f;
  test::write_text(f.dir / "suites/t.ts", "interface T {\n  a: A & B;\n}\n");
  const std::string e = f.first_error("name: t\ndataset: ../data/d.jsonl\nexpect: {typescript: t.ts, type: T}\n"
                                      "variants: [{id: a, endpoint: mock, model: m}]\n");
  CHECK(e.find("expect.typescript: ") != std::string::npos);
  CHECK(e.find("t.ts:2:") != std::string::npos);
  CHECK(e.find("intersection") != std::string::npos);
  CHECK(f.first_error("name: t\ndataset: ../data/d.jsonl\nexpect: {typescript: t.ts}\nvariants: [{id: a, endpoint: mock, model: m}]\n")
            .find("type: missing") != std::string::npos);
  CHECK(f.first_error("name: t\ndataset: ../data/d.jsonl\nexpect: {type: T}\nvariants: [{id: a, endpoint: mock, model: m}]\n")
            .find("only with typescript") != std::string::npos);
}

TEST_CASE("endpoint headers that would split a request are errors with their line", "[suite][http]") {
  Fixture f;
  const std::string base = "name: t\ndataset: ../data/d.jsonl\nvariants: [{id: a, endpoint: api, model: gpt-4o-mini}]\n"
                           "endpoints:\n  api:\n    base_url: http://127.0.0.1:9/v1\n";
  CHECK(f.first_error(base + "    headers: {\"x team\": a}\n") ==
        "s.yaml:7: endpoints.api.headers.x team: header name \"x team\" is not an HTTP token (letters, digits, !#$%&'*+-.^_`|~)");
  CHECK(f.first_error(base + "    headers: {x-team: \"a\\r\\nX-Injected: 1\"}\n") ==
        "s.yaml:7: endpoints.api.headers.x-team: header x-team has a line break or NUL in its value");
  CHECK(f.first_error(base + "    api_key_header: \"api key\"\n").starts_with("s.yaml:7: endpoints.api.api_key_header: header name"));
  Diagnostics errors;
  CHECK(f.load(base + "    headers: {x-team: search, OpenAI-Organization: org-1}\n", errors));
  CHECK(errors.empty());
}

TEST_CASE("prompt characters count UTF-8 characters in string and text-part contents", "[suite]") {
  // Two-, three- and four-byte characters at every offset of the eight-byte steps.
  const std::string pieces[] = {"a", "é", "—", "😀", " ", "z"};
  std::mt19937 rng(7);
  for (int round = 0; round < 200; ++round) {
    std::string text, part;
    std::size_t expected = 0;
    for (int k = static_cast<int>(rng() % 40); k > 0; --k, ++expected) text += pieces[rng() % 6];
    for (int k = static_cast<int>(rng() % 20); k > 0; --k, ++expected) part += pieces[rng() % 6];
    const auto messages = nlohmann::json::array(
        {{{"role", "system"}, {"content", text}},
         {{"role", "user"}, {"content", nlohmann::json::array({{{"type", "text"}, {"text", part}}})}}});
    INFO(text << " | " << part);
    CHECK(prompt_characters(messages) == expected);
  }
}

TEST_CASE("nested YAML aliases (billion laughs) are refused with the line, in bounded memory", "[suite][hostile]") {
  Fixture f;
  // Nine levels of ten aliases each describe 10^9 values; under an unknown key and under
  // extra_body alike, the loader must stop at its bound instead of expanding them.
  std::string bomb = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i <= 9; ++i) {
    std::string level = "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
    for (int k = 0; k < 10; ++k) level += (k ? ", *a" : "*a") + std::to_string(i - 1);
    bomb += level + "]\n";
  }
  const std::string under_unknown = "lol:\n" + [&] {
    std::string indented;
    for (std::size_t start = 0; start < bomb.size();) {
      const auto end = bomb.find('\n', start);
      indented += "  " + bomb.substr(start, end - start + 1);
      start = end + 1;
    }
    return indented;
  }() + std::string(kValid);
  const std::string error = f.first_error(under_unknown);
  CHECK(error.find("more than 100,000 values") != std::string::npos);
  CHECK(error.starts_with("s.yaml:"));

  // The same through a variant's extra_body, with a long string expanded instead of many values.
  std::string text_bomb = "name: t\ndataset: ../data/d.jsonl\nx0: &x0 \"" + std::string(4096, 'z') + "\"\n";
  for (int i = 1; i <= 4; ++i) {
    text_bomb += "x" + std::to_string(i) + ": &x" + std::to_string(i) + " [";
    for (int k = 0; k < 40; ++k) text_bomb += (k ? ", *x" : "*x") + std::to_string(i - 1);
    text_bomb += "]\n";
  }
  text_bomb += "variants:\n  - {id: a, endpoint: mock, model: m, extra_body: {big: *x4}}\n";
  CHECK(f.first_error(text_bomb).find("MiB of text") != std::string::npos);
}

TEST_CASE("a suite nested deeper than the bound is an error, not a stack overflow", "[suite][hostile]") {
  Fixture f;
  const std::string deep = std::string(kValid) + "description_x: " + std::string(300, '[') + std::string(300, ']') + "\n";
  const std::string error = f.first_error(deep);
  CHECK(error.find("levels deep") != std::string::npos);
  CHECK(error.starts_with("s.yaml:9:"));
}

TEST_CASE("bytes that are not UTF-8 are an error naming the line and column", "[suite][hostile]") {
  Fixture f;
  const std::string text = std::string("name: t\ndataset: ../data/d.jsonl\ndescription: caf\xE9 ok\n") + (kValid + 33);
  CHECK(f.first_error(text) == "s.yaml:3: not UTF-8 text: an invalid byte at column 17 (save the file as UTF-8)");
}

TEST_CASE("non-finite numbers are errors wherever a suite number is read", "[suite][hostile]") {
  Fixture f;
  const std::string base = "name: t\ndataset: ../data/d.jsonl\nvariants: [{id: a, endpoint: mock, model: m}]\n";
  CHECK(f.first_error(base + "run: {grace_s: .nan}\n") == "s.yaml:4: run.grace_s: expected a finite number from 0 to 86400; got NaN");
  CHECK(f.first_error(base + "run: {timeout_s: .inf}\n") == "s.yaml:4: run.timeout_s: expected a finite number from 0 to 86400; got infinity");
  CHECK(f.first_error(base + "run: {repeats: .nan}\n") == "s.yaml:4: run.repeats: expected a whole number; got a non-finite number");
  CHECK(f.first_error(base + "prices: {m: {input: -.inf, output: 1}}\n").find("got -infinity") != std::string::npos);
}

TEST_CASE("run.max_retry_wait_s and run.max_response_bytes are read with located errors",
          "[suite][waits]") {
  Fixture f;
  const std::string base =
      "name: t\ndataset: ../data/d.jsonl\nvariants: [{id: a, endpoint: mock, model: m}]\n";
  Diagnostics errors;
  const auto defaults = f.load(base, errors);
  REQUIRE(defaults);
  CHECK(defaults->run.max_retry_wait_s == 60);
  CHECK(defaults->run.max_response_bytes == std::size_t{4} << 20);
  const auto set =
      f.load(base + "run: {max_retry_wait_s: 0.5, max_response_bytes: 65536}\n", errors);
  REQUIRE(set);
  CHECK(set->run.max_retry_wait_s == 0.5);
  CHECK(set->run.max_response_bytes == 65536);
  CHECK(f.first_error(base + "run: {max_retry_wait_s: -1}\n") ==
        "s.yaml:4: run.max_retry_wait_s: expected a number from 0 to 86400; got -1");
  CHECK(f.first_error(base + "run: {max_retry_wait_s: .inf}\n") ==
        "s.yaml:4: run.max_retry_wait_s: expected a finite number from 0 to 86400; got infinity");
  CHECK(f.first_error(base + "run: {max_retry_wait_s: .nan}\n") ==
        "s.yaml:4: run.max_retry_wait_s: expected a finite number from 0 to 86400; got NaN");
  CHECK(f.first_error(base + "run: {max_retry_wait_s: soon}\n") ==
        "s.yaml:4: run.max_retry_wait_s: expected a number; got a string");
  CHECK(f.first_error(base + "run: {max_response_bytes: 100}\n") ==
        "s.yaml:4: run.max_response_bytes: expected a whole number from 1024 to 1073741824; got "
        "100");
  CHECK(f.first_error(base + "run: {max_response_bytes: 1.5e6}\n") ==
        "s.yaml:4: run.max_response_bytes: expected a whole number; got 1500000.0");
  CHECK(f.first_error(base + "run: {max_response_bytes: .inf}\n") ==
        "s.yaml:4: run.max_response_bytes: expected a whole number; got a non-finite number");
  CHECK(f.first_error(base + "run: {max_retry_wait: 5}\n")
            .find("did you mean \"max_retry_wait_s\"") != std::string::npos);
}

TEST_CASE("non-finite numbers in checks are errors at the check's line", "[suite][checks]") {
  Fixture f;
  const std::string base =
      "name: t\ndataset: ../data/d.jsonl\nvariants: [{id: a, endpoint: mock, model: m}]\nexpect:\n"
      "  checks:\n";
  CHECK(f.first_error(base + "    - {type: field-equals, path: /a, tolerance: .nan}\n") ==
        "s.yaml:6: expect.checks[0]: tolerance: expected a finite number; got NaN");
  CHECK(f.first_error(base + "    - {type: is-json}\n    - {type: latency, max_ms: .inf}\n") ==
        "s.yaml:7: expect.checks[1]: max_ms: expected a finite number; got infinity");
  CHECK(f.first_error(base + "    - {type: is-json, weight: .nan}\n") ==
        "s.yaml:6: expect.checks[0]: weight: expected a finite number; got NaN");
  CHECK(f.first_error(base + "    - {type: equals, value: {a: [1, -.inf]}}\n") ==
        "s.yaml:6: expect.checks[0]: value/a/1: expected a finite number; got -infinity");
  CHECK(f.first_error(base + "    - {type: field-accuracy, threshold: .NaN}\n") ==
        "s.yaml:6: expect.checks[0]: threshold: expected a finite number; got NaN");
  // An inline schema is a check's spec too.
  CHECK(f.first_error("name: t\ndataset: ../data/d.jsonl\nvariants: [{id: a, endpoint: mock, "
                      "model: m}]\nexpect:\n  schema: {type: number, maximum: .nan}\n") ==
        "s.yaml:5: expect.schema: schema/maximum: expected a finite number; got NaN");
}
