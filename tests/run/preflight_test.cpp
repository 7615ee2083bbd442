#include <catch2/catch.hpp>

#include "run/preflight.hpp"
#include "suite/dataset_check.hpp"
#include "token/chat_token_counter.hpp"
#include "suite/suite_loader.hpp"
#include "test_paths.hpp"

using namespace tb;

namespace {

const char* kSuite = R"(name: t
dataset: d.jsonl
variants: [{id: a, endpoint: mock, model: gpt-4o-mini}]
)";

std::string line(const std::string& id, const std::string& question) {
  return std::string("{") + (id.empty() ? "" : "\"id\":\"" + id + "\",") +
         R"("messages":[{"role":"user","content":")" + question +
         R"("},{"role":"assistant","content":"A"}]})" + "\n";
}

struct Result {
  bool ok;
  Preflight preflight;
  std::string errors;
};

Result preflight(const std::string& dataset, const std::optional<Shard>& shard = std::nullopt,
                 const std::string& suite_text = kSuite) {
  test::TempDir dir;
  test::write_text(dir / "d.jsonl", dataset);
  test::write_text(dir / "s.yaml", suite_text);
  Diagnostics errors;
  auto suite = load_suite(dir / "s.yaml", errors);
  REQUIRE(suite);
  Result r;
  r.ok = run_preflight(*suite, r.preflight, errors, shard);
  r.errors = errors.to_string();
  return r;
}

}  // namespace

TEST_CASE("preflight: two lines with the same id are an error naming both lines", "[preflight]") {
  const auto r = preflight(line("x", "q1") + line("y", "q2") + "\n" + line("x", "q3"));
  CHECK_FALSE(r.ok);
  CHECK(r.errors.find(":4: id: the same id as line 1; ids name cases across runs, so each must be unique") !=
        std::string::npos);
  // The same question twice without ids is allowed (they pair in order of appearance).
  CHECK(preflight(line("", "q") + line("", "q")).ok);
}

TEST_CASE("preflight: the dataset fingerprint changes with any case and only then", "[preflight]") {
  const auto a = preflight(line("x", "q1") + line("", "q2"));
  const auto same = preflight(line("x", "q1") + "\n" + line("", "q2"));
  const auto edited = preflight(line("x", "q1") + line("", "q2 changed"));
  const auto reordered = preflight(line("", "q2") + line("x", "q1"));
  REQUIRE(a.ok);
  CHECK(a.preflight.cases == 2);
  CHECK(a.preflight.dataset_fingerprint.size() == 64);
  CHECK(a.preflight.dataset_fingerprint == same.preflight.dataset_fingerprint);  // blank lines do not count
  CHECK(a.preflight.dataset_fingerprint != edited.preflight.dataset_fingerprint);
  CHECK(a.preflight.dataset_fingerprint != reordered.preflight.dataset_fingerprint);
}

TEST_CASE("preflight: a shard counts its own cases and keeps the whole suite's fingerprint",
          "[preflight][shard]") {
  std::string dataset;
  for (int i = 0; i < 40; ++i)
    dataset += line("case-" + std::to_string(i), "q" + std::to_string(i));
  const auto whole = preflight(dataset);
  REQUIRE(whole.ok);
  CHECK(whole.preflight.cases == 40);
  CHECK(whole.preflight.suite_cases == 40);
  CHECK(whole.preflight.suite_fingerprint.size() == 64);
  long long sum = 0;
  for (int i = 0; i < 3; ++i) {
    const auto part = preflight(dataset, Shard{i, 3});
    REQUIRE(part.ok);
    long long expected = 0;
    for (int c = 0; c < 40; ++c) expected += shard_of("case-" + std::to_string(c), 3) == i ? 1 : 0;
    CHECK(part.preflight.cases == expected);
    CHECK(part.preflight.suite_cases == 40);
    CHECK(part.preflight.suite_fingerprint == whole.preflight.suite_fingerprint);
    CHECK(part.preflight.dataset_fingerprint != whole.preflight.dataset_fingerprint);
    sum += part.preflight.cases;
  }
  CHECK(sum == 40);
  // Another case, or another prompt, is another suite.
  CHECK(preflight(dataset + line("case-40", "q40")).preflight.suite_fingerprint !=
        whole.preflight.suite_fingerprint);
  const std::string prompted =
      "name: t\ndataset: d.jsonl\nvariants: [{id: a, endpoint: mock, model: gpt-4o-mini, "
      "system_text: Answer.}]\n";
  std::string reworded = prompted;
  reworded.replace(reworded.find("Answer."), 7, "Reply. ");
  CHECK(preflight(dataset, std::nullopt, prompted).preflight.suite_fingerprint !=
        preflight(dataset, std::nullopt, reworded).preflight.suite_fingerprint);
}

TEST_CASE("preflight: a missing API key is reported once, however many variants need it",
          "[preflight]") {
  const std::string suite = R"(name: t
dataset: d.jsonl
variants:
  - {id: a, endpoint: remote, model: gpt-4o-mini}
  - {id: b, endpoint: remote, model: gpt-4o-mini, system_text: Be brief.}
  - {id: c, endpoint: other, model: gpt-4o-mini}
  - {id: d, endpoint: third, model: gpt-4o-mini}
endpoints:
  remote: {kind: openai, base_url: "https://example.invalid/v1", api_key_env: TUNEBENCH_TEST_NO_SUCH_KEY}
  other: {kind: openai, base_url: "https://other.invalid/v1", api_key_env: TUNEBENCH_TEST_NO_SUCH_KEY}
  third: {kind: openai, base_url: "https://third.invalid/v1", api_key_env: TUNEBENCH_TEST_NO_SUCH_KEY_2}
)";
  const auto r = preflight(line("x", "q"), std::nullopt, suite);
  CHECK_FALSE(r.ok);
  auto occurrences = [&](const std::string& what) {
    std::size_t n = 0;
    for (auto at = r.errors.find(what); at != std::string::npos; at = r.errors.find(what, at + 1))
      ++n;
    return n;
  };
  CHECK(occurrences("TUNEBENCH_TEST_NO_SUCH_KEY is not set") == 1);
  CHECK(occurrences("TUNEBENCH_TEST_NO_SUCH_KEY_2 is not set") == 1);
}

TEST_CASE("preflight: a training file is counted as dataset check counts it, epochs auto", "[preflight][training]") {
  const auto train = std::filesystem::path(TUNEBENCH_SOURCE_DIR) / "datasets/tech_terms_train.jsonl";
  const std::string model = "ft:gpt-4o-mini-2024-07-18:acme::demo1";
  std::optional<ChatTokenCounter> counter;
  try {
    counter = ChatTokenCounter::for_model(model);
  } catch (const TokenizerError&) {
  }
  if (!counter) {
    WARN("no tokenizer vocabulary here: the training file cannot be counted");
    return;
  }
  const auto r = preflight(line("x", "q1"), std::nullopt,
                           "name: t\ndataset: d.jsonl\nvariants:\n"
                           "  - {id: ft, endpoint: mock, model: \"" + model + "\", training: {file: " +
                               train.string() + ", epochs: auto}}\n"
                           "  - {id: given, endpoint: mock, model: \"" + model + "\", training: {tokens: 8000}}\n");
  INFO(r.errors);
  REQUIRE(r.ok);
  // The same figures `tunebench dataset check` bills, from the same code.
  DatasetCheckSettings settings;
  settings.model = model;
  settings.token_limit = 65536;
  std::string error;
  const auto report = check_dataset_file(train, settings, *counter, error);
  REQUIRE(report);
  const auto& training = r.preflight.variants.at(0).training;
  REQUIRE(training);
  CHECK(training->tokens == report->tokens_per_epoch);
  CHECK(training->epochs == default_epochs(report->examples));
  CHECK(training->epochs == 3);  // 100 examples
  // Tokens without a file: epochs auto is 3 (OpenAI's default for 34 to 8,333 examples).
  CHECK(r.preflight.variants.at(1).training->epochs == 3);
}

TEST_CASE("preflight: a training file with problems is an error naming the variant", "[preflight][training]") {
  test::TempDir dir;
  test::write_text(dir / "bad.jsonl", "{\"messages\": []}\n");
  const auto r = preflight(line("x", "q1"), std::nullopt,
                           "name: t\ndataset: d.jsonl\nvariants:\n"
                           "  - {id: ft, endpoint: mock, model: \"ft:gpt-4o-mini:acme::1\", training: {file: " +
                               (dir / "bad.jsonl").string() + "}}\n");
  CHECK_FALSE(r.ok);
  CHECK(r.errors.find("variants.ft.training.file") != std::string::npos);
}
