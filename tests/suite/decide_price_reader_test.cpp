// `decide:`, self-hosted `price:` and `training: {file, epochs}` as the suite loader reads them,
// with file:line errors for bad input.
#include <catch2/catch.hpp>

#include "suite/suite_loader.hpp"
#include "test_paths.hpp"

using namespace tb;

namespace {

struct Fixture {
  test::TempDir dir;
  Fixture() {
    test::write_text(dir / "data/d.jsonl",
                     R"({"messages":[{"role":"user","content":"q"}],"reference":"{}"})"
                     "\n");
    test::write_text(
        dir / "data/train.jsonl",
        R"({"messages":[{"role":"user","content":"q"},{"role":"assistant","content":"a"}]})"
        "\n");
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

const std::string kBase =
    "name: t\ndataset: ../data/d.jsonl\nvariants: [{id: a, endpoint: mock, model: m}]\n";

}  // namespace

TEST_CASE("decide: reads the bar, the horizon and the latency limit", "[suite][decide]") {
  Fixture f;
  Diagnostics errors;
  auto suite =
      f.load(kBase +
                 "decide: {monthly_requests: 5000, min_conformance: 0.95, horizon_months: 12, "
                 "max_p95_latency_ms: 1500}\n",
             errors);
  INFO(errors.to_string());
  REQUIRE(suite);
  CHECK(suite->decide.monthly_requests == 5000);
  CHECK(suite->decide.min_conformance == 0.95);
  CHECK(suite->decide.horizon_months == 12);
  CHECK(suite->decide.max_p95_latency_ms == 1500);
  CHECK(suite->decide.verdict);

  auto plain = f.load(kBase + "decide: {monthly_requests: 5000}\n", errors);
  REQUIRE(plain);
  CHECK_FALSE(plain->decide.verdict);  // a volume alone asks for no verdict
  CHECK(plain->decide.horizon_months == 6);

  // What a report reads back from the suite stored with the run.
  const Decide stored = decide_from_suite_json(
      R"({"decide":{"monthly_requests":900,"min_conformance":0.9,"horizon_months":3}})");
  CHECK(stored.monthly_requests == 900);
  CHECK(stored.min_conformance == 0.9);
  CHECK(stored.horizon_months == 3);
  CHECK(stored.verdict);
  CHECK_FALSE(decide_from_suite_json("{}").verdict);
}

TEST_CASE("bad decide: input is an error naming the file and line", "[suite][decide]") {
  Fixture f;
  CHECK(f.first_error(kBase + "decide: {min_conformance: 95}\n") ==
        "s.yaml:4: decide.min_conformance: expected a number from 0 to 1; got 95");
  CHECK(f.first_error(kBase + "decide: {horizon_months: 0}\n") ==
        "s.yaml:4: decide.horizon_months: expected a whole number from 1 to 1200; got 0");
  CHECK(f.first_error(kBase + "decide: {max_p95_latency_ms: fast}\n")
            .starts_with("s.yaml:4: decide.max_p95_latency_ms: "));
  CHECK(f.first_error(kBase + "decide:\n  min_conformance: 0.9\n  horizon: 6\n") ==
        "s.yaml:6: decide.horizon: unknown key; expected one of monthly_requests, min_conformance, "
        "horizon_months "
        "or max_p95_latency_ms");
}

TEST_CASE("a self-hosted price is per GPU hour, on a variant or its endpoint", "[suite][price]") {
  Fixture f;
  Diagnostics errors;
  auto suite = f.load(
      "name: t\ndataset: ../data/d.jsonl\n"
      "variants:\n"
      "  - {id: a, endpoint: vllm, model: m}\n"
      "  - {id: b, endpoint: vllm, model: m, price: {gpu_hour_usd: 4, gpus: 2, tokens_per_s: "
      "1200}}\n"
      "endpoints:\n"
      "  vllm: {kind: mock, price: {gpu_hour_usd: 2.5}}\n",
      errors);
  INFO(errors.to_string());
  REQUIRE(suite);
  const auto& endpoint_price = suite->endpoints.at("vllm").price;
  REQUIRE(endpoint_price);
  REQUIRE(endpoint_price->gpu);
  CHECK(endpoint_price->gpu->gpu_hour_usd == 2.5);
  CHECK(endpoint_price->gpu->gpus == 1);
  CHECK_FALSE(endpoint_price->gpu->tokens_per_s);
  const auto& own = suite->variants[1].price;
  REQUIRE(own);
  REQUIRE(own->gpu);
  CHECK(own->gpu->gpus == 2);
  CHECK(own->gpu->tokens_per_s == 1200);
  CHECK(own->input == 0);
}

TEST_CASE("bad price: input is an error naming the file and line", "[suite][price]") {
  Fixture f;
  const std::string head =
      "name: t\ndataset: ../data/d.jsonl\nvariants:\n  - id: a\n    endpoint: mock\n    model: m\n";
  CHECK(f.first_error(head + "    price: {gpu_hour_usd: 2.5, input: 0.1}\n") ==
        "s.yaml:7: variants[0].price.input: a self-hosted price (gpu_hour_usd) is per GPU "
        "hour; give "
        "either gpu_hour_usd or per-token prices, not both");
  CHECK(f.first_error(head + "    price: {gpus: 2}\n") ==
        "s.yaml:7: variants[0].price: gpu_hour_usd: missing (USD per GPU hour of the self-hosted "
        "server)");
  CHECK(f.first_error(head + "    price: {gpu_hour_usd: 2.5, gpus: 0}\n") ==
        "s.yaml:7: variants[0].price.gpus: expected a whole number from 1 to 100000; got 0");
  CHECK(f.first_error(head + "    price: {gpu_hour_usd: 2.5, tokens_per_s: -3}\n")
            .starts_with("s.yaml:7: variants[0].price.tokens_per_s: expected a number"));
  CHECK(f.first_error(
             "name: t\ndataset: ../data/d.jsonl\nvariants: [{id: a, endpoint: e, model: m}]\n"
             "endpoints:\n  e: {kind: mock, price: {gpu_hour: 2}}\n")
            .starts_with("s.yaml:5: endpoints.e.price.gpu_hour: unknown key"));
}

TEST_CASE("training: names its file, epochs a number or auto (the default)", "[suite][training]") {
  Fixture f;
  Diagnostics errors;
  auto suite = f.load(
      "name: t\ndataset: ../data/d.jsonl\nvariants:\n"
      "  - {id: a, endpoint: mock, model: m, training: {file: ../data/train.jsonl}}\n"
      "  - {id: b, endpoint: mock, model: m, training: {tokens: 100, epochs: auto}}\n"
      "  - {id: c, endpoint: mock, model: m, training: {tokens: 100, epochs: 2}}\n",
      errors);
  INFO(errors.to_string());
  REQUIRE(suite);
  CHECK(suite->variants[0].training->file == (f.dir / "data/train.jsonl").lexically_normal());
  CHECK(suite->variants[0].training->epochs == 0);  // auto: counted at preflight
  CHECK(suite->variants[1].training->epochs == 0);
  CHECK(suite->variants[2].training->epochs == 2);

  const std::string head =
      "name: t\ndataset: ../data/d.jsonl\nvariants:\n  - id: a\n    endpoint: mock\n    model: m\n";
  CHECK(f.first_error(head + "    training: {file: ../data/train.jsonl, epochs: many}\n") ==
        "s.yaml:7: variants[0].training.epochs: expected a whole number of epochs (1 to 1000) or "
        "auto; got \"many\"");
  CHECK(f.first_error(head + "    training: {file: ../data/missing.jsonl}\n")
            .starts_with("s.yaml:7: variants[0].training.file: "));
  CHECK(
      f.first_error(head + "    training: {file: ../data/train.jsonl, tokens: 5}\n") ==
      "s.yaml:7: variants[0].training.tokens: give either file (counted here) or tokens, not both");
  CHECK(f.first_error(head + "    training: {epochs: 3}\n") ==
        "s.yaml:7: variants[0].training: give file (the fine-tuning file), tokens (its tokens per "
        "epoch) or cost_usd");
}

TEST_CASE("the self-hosted example suite loads with its GPU-hour price and a verdict",
          "[suite][price]") {
  Diagnostics errors;
  auto suite = load_suite(test::source_dir() / "suites/self-hosted.yaml", errors);
  INFO(errors.to_string());
  REQUIRE(suite);
  REQUIRE(suite->variants.size() == 3);
  const auto& vllm = suite->endpoints.at(suite->variants[2].endpoint);
  REQUIRE(vllm.price);
  REQUIRE(vllm.price->gpu);
  CHECK(vllm.price->gpu->gpu_hour_usd == 2.5);
  CHECK(suite->variants[1].training->file.filename() == "tech_terms_train.jsonl");
  CHECK(suite->decide.verdict);
}
