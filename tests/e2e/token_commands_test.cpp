// End-to-end tests of `tunebench tokens`, `prompts`, `dataset check` and `dataset split`.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <map>

#include "e2e/cli.hpp"
#include "e2e/process.hpp"
#include "test_paths.hpp"

using namespace tb;
using test::tunebench;
namespace fs = std::filesystem;

namespace {

const std::string kSource = TUNEBENCH_SOURCE_DIR;

// The rank files for the binary: TIKTOKEN_CACHE_DIR when the caller set it, else where
// scripts/setup installs them (the binary searches there too; this pins it).
std::string vocab_env() {
  if (const char* env = std::getenv("TIKTOKEN_CACHE_DIR"); env != nullptr && *env != '\0') return "";
  return std::string("TIKTOKEN_CACHE_DIR='") + TUNEBENCH_VOCAB_DIR + "'";
}

test::CommandResult run(const std::string& args, const std::string& cwd = kSource) {
  return tunebench(args, cwd, vocab_env());
}

std::string q(const fs::path& p) { return "'" + p.string() + "'"; }

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

const std::string kGood =
    R"({"messages":[{"role":"system","content":"Define the term as JSON."},{"role":"user","content":"Paxos"},{"role":"assistant","content":"{\"term\":\"Paxos\"}"}]})";

}  // namespace

TEST_CASE("tokens counts files and standard input as tiktoken does", "[e2e][tokens]") {
  test::TempDir dir;
  test::write_text(dir / "hello.txt", "hello world");
  test::write_text(dir / "empty.txt", "");

  auto r = run("tokens --encoding cl100k_base " + q(dir / "hello.txt") + " " + q(dir / "empty.txt"));
  INFO(r.output);
  CHECK(r.exit_code == 0);
  CHECK(r.output == "2\t" + (dir / "hello.txt").string() + "\n0\t" + (dir / "empty.txt").string() + "\n");

  r = run("tokens --encoding cl100k_base --ids - < " + q(dir / "hello.txt"));
  CHECK(r.exit_code == 0);
  CHECK(r.output == "[15339,1917]\t-\n");

  // o200k_base is the default; gpt-4o-mini and ft: models map to it, gpt-3.5-turbo to cl100k.
  r = run("tokens --ids " + q(dir / "hello.txt"));
  CHECK(r.output == "[24912,2375]\t" + (dir / "hello.txt").string() + "\n");
  r = run("tokens --ids --model ft:gpt-4o-mini-2024-07-18:acme::x " + q(dir / "hello.txt"));
  CHECK(r.output == "[24912,2375]\t" + (dir / "hello.txt").string() + "\n");
  r = run("tokens --ids --model gpt-3.5-turbo " + q(dir / "hello.txt"));
  CHECK(r.output == "[15339,1917]\t" + (dir / "hello.txt").string() + "\n");

  // The repository's prompt files, counted twice the same.
  r = run("tokens suites/prompts/tech_terms_full.txt suites/prompts/tech_terms_short.txt");
  CHECK(r.exit_code == 0);
  CHECK(has(r.output, "\tsuites/prompts/tech_terms_full.txt\n"));
}

TEST_CASE("tokens reports bad input with exit 2 and what to do", "[e2e][tokens]") {
  test::TempDir dir;
  test::write_text(dir / "bad.txt", "ab\xff" "cd");
  test::write_text(dir / "special.txt", "hi <|endoftext|>");
  test::write_text(dir / "ok.txt", "ok");

  auto r = run("tokens " + q(dir / "missing.txt"));
  CHECK(r.exit_code == 2);
  CHECK(has(r.output, (dir / "missing.txt").string()));

  r = run("tokens " + q(dir / "bad.txt"));
  CHECK(r.exit_code == 2);
  CHECK(has(r.output, "invalid UTF-8 at byte offset 2"));

  r = run("tokens --encoding cl100k_base " + q(dir / "special.txt"));
  CHECK(r.exit_code == 2);
  CHECK(has(r.output, "<|endoftext|> at byte offset 3"));
  CHECK(has(r.output, "pass --special text to count it as ordinary text"));

  r = run("tokens --encoding cl100k_base --allow-special --ids " + q(dir / "special.txt"));
  CHECK(r.exit_code == 0);
  CHECK(has(r.output, ",100257]"));
  r = run("tokens --encoding cl100k_base --special allow --ids " + q(dir / "special.txt"));
  CHECK(has(r.output, ",100257]"));
  r = run("tokens --encoding cl100k_base --allow-special --special text " + q(dir / "special.txt"));
  CHECK(r.exit_code == 2);
  CHECK(has(r.output, "--allow-special is --special allow; it contradicts --special text"));
}

TEST_CASE("tokens --special text counts special-token strings as ordinary text, as the API bills them",
          "[e2e][tokens]") {
  // tiktoken's own encoding of the string with disallowed_special=() (tests/token/data, written
  // by make_reference.js from the tiktoken package).
  std::vector<std::uint32_t> reference;
  const auto samples = nlohmann::json::parse(test::read_text(test::source_dir() / "tests/token/data/sample.cl100k.json"));
  for (const auto& [key, value] : samples.items())
    if (value.is_array())
      for (const auto& item : value)
        if (item.is_object() && item.value("text", "") == "<|endoftext|>") reference = item.at("as_text").get<std::vector<std::uint32_t>>();
  REQUIRE_FALSE(reference.empty());
  std::string ids = "[";
  for (const auto id : reference) ids += (ids.size() > 1 ? "," : "") + std::to_string(id);
  ids += "]";

  test::TempDir dir;
  test::write_text(dir / "special.txt", "<|endoftext|>");
  auto r = run("tokens --encoding cl100k_base --special text --ids " + q(dir / "special.txt"));
  CHECK(r.exit_code == 0);
  CHECK(r.output == ids + "\t" + (dir / "special.txt").string() + "\n");
  r = run("tokens --encoding cl100k_base --special text " + q(dir / "special.txt"));
  CHECK(r.output == std::to_string(reference.size()) + "\t" + (dir / "special.txt").string() + "\n");
  r = run("tokens --encoding cl100k_base --special allow " + q(dir / "special.txt"));
  CHECK(r.output == "1\t" + (dir / "special.txt").string() + "\n");
}

TEST_CASE("tokens reports more bad input with exit 2", "[e2e][tokens]") {
  test::TempDir dir;
  test::write_text(dir / "ok.txt", "ok");

  // A bad file does not stop the others; the exit code still says something failed.
  auto r = run("tokens " + q(dir / "missing.txt") + " " + q(dir / "ok.txt"));
  CHECK(r.exit_code == 2);
  CHECK(has(r.output, "1\t" + (dir / "ok.txt").string()));

  r = run("tokens --model llama-3-8b " + q(dir / "ok.txt"));
  CHECK(r.exit_code == 2);
  CHECK(has(r.output, "\"llama-3-8b\""));
  CHECK(has(r.output, "gpt-4o"));
  CHECK(has(r.output, "cl100k_base"));

  r = run("tokens --model gpt-4o --encoding cl100k_base " + q(dir / "ok.txt"));
  CHECK(r.exit_code == 2);

  // No rank files anywhere: the fix is in the message.
  if (!fs::exists("/usr/local/share/tunebench/vocab")) {
    test::TempDir empty;
    r = tunebench("tokens " + q(dir / "ok.txt"), "",
                  "TIKTOKEN_CACHE_DIR='" + empty.path().string() + "' XDG_DATA_HOME='" + empty.path().string() + "'");
    CHECK(r.exit_code == 2);
    CHECK(has(r.output, "o200k_base.tiktoken not found"));
    CHECK(has(r.output, "scripts/setup"));
  }
}

TEST_CASE("prompts reports the demo's prompt savings without calling a model", "[e2e][prompts]") {
  auto r = run("prompts suites/demo.yaml");
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK(has(r.output, "no model was called"));
  CHECK(has(r.output, "prompted*"));
  CHECK(has(r.output, "o200k_base"));

  r = run("prompts suites/demo.yaml --json");
  REQUIRE(r.exit_code == 0);
  const auto j = nlohmann::json::parse(r.output);
  CHECK(j["cases"] == 60);
  CHECK(j["baseline"] == "prompted");
  CHECK(j["monthly_requests"] == 100000);
  std::map<std::string, nlohmann::json> by_id;
  for (const auto& v : j["variants"]) by_id[v["id"].get<std::string>()] = v;
  REQUIRE(by_id.count("prompted"));
  REQUIRE(by_id.count("fine-tuned"));
  const double prompted = by_id["prompted"]["mean"].get<double>();
  const double fine_tuned = by_id["fine-tuned"]["mean"].get<double>();
  CHECK(fine_tuned < 0.2 * prompted);  // more than 80% shorter
  CHECK(by_id["fine-tuned"]["savings_pct"].get<double>() > 80);
  CHECK(by_id["fine-tuned"]["savings_tokens"].get<double>() == Approx(prompted - fine_tuned));
  CHECK(by_id["prompted"]["median"].get<double>() > 0);
  CHECK(by_id["prompted"]["p95"].get<double>() >= by_id["prompted"]["median"].get<double>());
  // gpt-4o-mini at $0.15 per 1M input tokens, 100,000 requests a month.
  CHECK(by_id["prompted"]["input_cost_per_month"].get<double>() == Approx(prompted * 100000 * 0.15 / 1e6));
  CHECK(by_id["prompted"]["input_cost_difference_per_month"].get<double>() == Approx(0));
  // The fine-tuned model's input price (0.30) is the catalog's fine-tuned price.
  CHECK(by_id["fine-tuned"]["input_price_per_1m"].get<double>() == Approx(0.30));
  CHECK(by_id["fine-tuned"]["input_cost_difference_per_month"].get<double>() < 0);
  // A few-shot variant's worked examples are in its count, as the run sends them: its mean is
  // the one-line prompt's (base-short's) plus the examples' tokens.
  REQUIRE(by_id.count("few-shot"));
  REQUIRE(by_id.count("base-short"));
  const double examples = by_id["few-shot"]["few_shot"]["examples_mean"].get<double>();
  CHECK(examples > 100);
  CHECK(by_id["few-shot"]["mean"].get<double>() ==
        Approx(by_id["base-short"]["mean"].get<double>() + examples));
  r = run("prompts suites/demo.yaml");
  CHECK(has(r.output, "few-shot: 3 worked examples per request from datasets/tech_terms_train.jsonl"));
  CHECK(has(r.output, "tools: the tool definition it sends is billed as prompt tokens too and is not in this count"));
}

TEST_CASE("prompts estimates unknown models, shows missing prices and respects the limit", "[e2e][prompts]") {
  test::TempDir dir;
  test::write_text(dir / "s.yaml",
                   "name: t\n"
                   "dataset: " + kSource + "/datasets/tech_terms_eval.jsonl\n"
                   "limit: 5\n"
                   "variants:\n"
                   "  - {id: base, endpoint: mock, model: gpt-4o-mini, system_text: \"Define the term as JSON.\"}\n"
                   "  - {id: local, endpoint: mock, model: my-local-model}\n"
                   "endpoints: {mock: {kind: mock}}\n");
  auto r = run("prompts " + q(dir / "s.yaml"));
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK(has(r.output, "note: variant local"));
  CHECK(has(r.output, "estimate"));
  CHECK(has(r.output, "no price"));
  CHECK(has(r.output, ": 5 cases"));

  r = run("prompts " + q(dir / "missing.yaml"));
  CHECK(r.exit_code == 2);
  CHECK(has(r.output, "missing.yaml"));
}

TEST_CASE("dataset check passes the demo's training file and costs it", "[e2e][dataset]") {
  auto r = run("dataset check datasets/tech_terms_train.jsonl --model gpt-4o-mini");
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK(has(r.output, "datasets/tech_terms_train.jsonl: 100 examples for gpt-4o-mini (o200k_base)"));
  CHECK(has(r.output, "errors: 0"));
  CHECK(has(r.output, "tokens per example: min "));
  CHECK(has(r.output, "epochs: 3 (the API's default"));
  CHECK(has(r.output, "billed training tokens: 3 x "));
  CHECK(has(r.output, "estimated training cost: $"));
  CHECK(has(r.output, "OK: no errors"));

  r = run("dataset check datasets/tech_terms_train.jsonl --model gpt-4o-mini --json --epochs 2");
  REQUIRE(r.exit_code == 0);
  const auto j = nlohmann::json::parse(r.output);
  CHECK(j["ok"] == true);
  CHECK(j["examples"] == 100);
  CHECK(j["epochs"] == 2);
  CHECK(j["token_limit"] == 65536);
  CHECK(j["billed_tokens"].get<long long>() == 2 * j["tokens_per_epoch"].get<long long>());
  CHECK(j["estimated_cost_usd"].get<double>() == Approx(j["billed_tokens"].get<double>() * 3.00 / 1e6));
  CHECK(j["tokens_per_example"]["min"].get<long long>() > 0);

  // gpt-3.5-turbo has a 16,385 limit and its own price.
  r = run("dataset check datasets/tech_terms_train.jsonl --model gpt-3.5-turbo --json");
  REQUIRE(r.exit_code == 0);
  const auto k = nlohmann::json::parse(r.output);
  CHECK(k["token_limit"] == 16385);
  CHECK(k["encoding"] == "cl100k_base");
  CHECK(k["training_price_per_1m"].get<double>() == Approx(8.00));
}

TEST_CASE("dataset check lists every problem of a broken file with its line", "[e2e][dataset]") {
  test::TempDir dir;
  std::string text = test::read_text(fs::path(kSource) / "datasets/broken_line17.jsonl");
  REQUIRE(std::count(text.begin(), text.end(), '\n') == 20);
  text += R"({"messages":[{"role":"user","content":"x","colour":"red"},{"role":"assistant","content":"y"}]})" "\n";  // 21
  text += R"({"messages":[{"role":"user","content":"x"},{"role":"assistant"}]})" "\n";                              // 22
  text += R"({"messages":[{"role":"system","content":"s"},{"role":"user","content":"x"}]})" "\n";                   // 23
  test::write_text(dir / "broken.jsonl", text);

  const auto r = run("dataset check broken.jsonl --model gpt-4o-mini", dir.path().string());
  INFO(r.output);
  CHECK(r.exit_code == 1);
  CHECK(has(r.output, "broken.jsonl:17: error: messages[1].role: unrecognized role \"bot\""));
  CHECK(has(r.output, "broken.jsonl:21: error: messages[0].colour: unrecognized key"));
  CHECK(has(r.output, "broken.jsonl:22: error: messages[1].content: missing key \"content\""));
  CHECK(has(r.output, "broken.jsonl:23: error: messages: no assistant message"));
  CHECK(has(r.output, "broken.jsonl: warning: 23 examples"));  // fewer than 50
  CHECK(has(r.output, "FAILED: 4 errors"));
  CHECK(has(r.output, "billed training tokens"));  // still costed, as an estimate
}

TEST_CASE("dataset check: too few examples is an error; bad arguments exit 2", "[e2e][dataset]") {
  test::TempDir dir;
  std::string five;
  for (int i = 0; i < 5; ++i) five += kGood + "\n";
  test::write_text(dir / "five.jsonl", five);
  auto r = run("dataset check " + q(dir / "five.jsonl") + " --model gpt-4o-mini");
  INFO(r.output);
  CHECK(r.exit_code == 1);
  CHECK(has(r.output, "5 examples; the fine-tuning API requires at least 10"));
  CHECK(has(r.output, "epochs: 20"));

  r = run("dataset check " + q(dir / "nope.jsonl") + " --model gpt-4o-mini");
  CHECK(r.exit_code == 2);
  CHECK(has(r.output, (dir / "nope.jsonl").string()));

  r = run("dataset check " + q(dir / "five.jsonl") + " --model llama-3");
  CHECK(r.exit_code == 2);
  CHECK(has(r.output, "\"llama-3\""));

  r = run("dataset check " + q(dir / "five.jsonl") + " --model gpt-4");  // no training price
  CHECK(r.exit_code == 2);
  CHECK(has(r.output, "training"));

  r = run("dataset check " + q(dir / "five.jsonl"));  // --model is required
  CHECK(r.exit_code == 2);
}

TEST_CASE("dataset split writes train and eval deterministically and checks for leaks", "[e2e][dataset]") {
  test::TempDir dir;
  auto r = run("dataset split datasets/tech_terms_train.jsonl --holdout 0.2 --seed 7 --out-dir " + q(dir / "a"));
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK(has(r.output, "100 cases -> 80 train, 20 eval"));
  CHECK(has(r.output, "leak check: 0 exact, 0 near-duplicate (eval"));
  const std::string train = test::read_text(dir / "a" / "tech_terms_train.train.jsonl");
  const std::string eval = test::read_text(dir / "a" / "tech_terms_train.eval.jsonl");
  CHECK(std::count(train.begin(), train.end(), '\n') == 80);
  CHECK(std::count(eval.begin(), eval.end(), '\n') == 20);

  r = run("dataset split datasets/tech_terms_train.jsonl --holdout 0.2 --seed 7 --out-dir " + q(dir / "b"));
  REQUIRE(r.exit_code == 0);
  CHECK(test::read_text(dir / "b" / "tech_terms_train.train.jsonl") == train);
  CHECK(test::read_text(dir / "b" / "tech_terms_train.eval.jsonl") == eval);

  // A planted duplicate: two lines with the same input, one on each side.
  test::write_text(dir / "dup.jsonl", kGood + "\n" + kGood + "\n");
  r = run("dataset split dup.jsonl --holdout 0.5 --seed 1", dir.path().string());
  CHECK(r.exit_code == 1);
  CHECK(has(r.output, "leak check: 1 exact, 0 near-duplicate (eval"));
  CHECK(has(r.output, "exact: dup.jsonl:"));
  CHECK(has(r.output, "(dup.eval.jsonl:1) repeats dup.jsonl:"));
  CHECK(fs::exists(dir / "dup.train.jsonl"));
  CHECK(fs::exists(dir / "dup.eval.jsonl"));

  r = run("dataset split " + q(dir / "none.jsonl") + " --seed 1");
  CHECK(r.exit_code == 2);
  CHECK(has(r.output, "none.jsonl"));
}

TEST_CASE("models lists the catalog with shutdown dates; a run near a shutdown warns", "[e2e][lifecycle]") {
  const auto listed = tunebench("models", "", "TUNEBENCH_TODAY=2026-11-29");
  INFO(listed.output);
  CHECK(listed.exit_code == 0);
  CHECK(listed.output.find("today 2026-11-29") != std::string::npos);
  CHECK(listed.output.find("shuts down on 2027-01-14 (in 46 days); replacement: gpt-5-mini") != std::string::npos);
  CHECK(listed.output.find("retired by its provider; replacement: gpt-5") != std::string::npos);
  const auto json = tunebench("models --json", "", "TUNEBENCH_TODAY=2027-02-01");
  CHECK(json.output.find("\"status\": \"shut down\"") != std::string::npos);

  const std::string demo = (test::source_dir() / "suites/demo.yaml").string();
  test::TempDir dir;
  const auto run = tunebench("run '" + demo + "' --db t.db --no-report --quiet", dir.path().string(),
                             "TUNEBENCH_TODAY=2026-11-29");
  INFO(run.output);
  CHECK(run.exit_code == 0);
  CHECK(run.output.find("warning: ft:gpt-4o-mini-2024-07-18:acme::demo1 (variant fine-tuned) shuts down on 2027-01-14 "
                        "(in 46 days) (every fine-tune on its base model stops with it)") != std::string::npos);
  CHECK(run.output.find("warning: gpt-4o-mini (variants prompted, base-short, rag, few-shot, structured, tools) shuts down on 2027-01-14 (in 46 days); "
                        "replacement: gpt-5-mini\n") != std::string::npos);
  const auto later = tunebench("run '" + demo + "' --db t.db --no-report --quiet", dir.path().string(),
                               "TUNEBENCH_TODAY=2026-06-01");
  CHECK(later.output.find("warning:") == std::string::npos);
}
