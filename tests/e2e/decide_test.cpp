// The decision end to end: the demo prints its verdict, the HTML opens with it and the JSON
// export carries the same words and figures; a self-hosted variant's costs are derived from the
// run's measured throughput and labelled so in every output; bad decide:/price: input exits 2.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "e2e/cli.hpp"
#include "e2e/csv_reader.hpp"
#include "test_paths.hpp"

using namespace tb;
using test::tunebench;

namespace {

std::string line_starting(const std::string& text, const std::string& prefix) {
  const auto at = text.find(prefix);
  if (at == std::string::npos) return "";
  return text.substr(at, text.find('\n', at) - at);
}

}  // namespace

TEST_CASE("the demo ends with a verdict, the same in the terminal, the HTML and the JSON",
          "[e2e][decide]") {
  test::TempDir dir;
  const std::string cwd = dir.path().string();
  const std::string demo = (test::source_dir() / "suites/demo.yaml").string();
  const auto run = tunebench("run '" + demo + "' --db t.db --out out --quiet", cwd);
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  const std::string verdict = line_starting(run.output, "verdict: ship ");
  REQUIRE_FALSE(verdict.empty());
  CHECK(run.output.find("break-even:\n") != std::string::npos);
  CHECK(run.output.find(" requests a month; 95% interval ") != std::string::npos);

  const auto doc = nlohmann::json::parse(test::read_text(dir / "out/run-1.json"));
  const auto& decision = doc["decision"];
  CHECK(decision["horizon_months"] == 6);
  CHECK(decision["min_conformance"] == 0.95);
  CHECK(decision["sweep"].size() == 11);
  const std::size_t n = doc["variants"].size();
  CHECK(decision["break_even"].size() == n * (n - 1) / 2);  // every pair of variants
  const auto& v = decision["verdict"];
  REQUIRE(v.is_object());
  REQUIRE(v["winner"].is_string());
  const std::string winner = v["winner"];
  CHECK(verdict == "verdict: " + v["headline"].get<std::string>());
  CHECK(verdict.starts_with("verdict: ship " + winner +
                            " at 100,000 requests a month over 6 months"));
  CHECK(v["why"].size() == n - 1);  // one line for each other variant
  for (const auto& why : v["why"])
    CHECK(run.output.find("  - " + why.get<std::string>() + "\n") != std::string::npos);
  CHECK(run.output.find("  " + v["flip_text"].get<std::string>() + "\n") != std::string::npos);
  // The answer changes at a volume, named with its interval: the nano fine-tune is the cheapest
  // per request, and its training pays for itself above a few hundred requests a month; below,
  // function calling (nothing to pay up front) is cheaper.
  CHECK(winner == "fine-tuned-nano");
  const auto& flip = v["flip"];
  REQUIRE(flip.is_object());
  CHECK(flip["other"] == "tools");
  CHECK(flip["winner_cheaper"] == "above");
  const double volume = flip["monthly_requests"];
  CHECK(volume > 100);
  CHECK(volume < 1000);
  CHECK(flip["ci95"][0].get<double>() <= volume);
  CHECK(flip["ci95"][1].get<double>() >= volume);
  const std::string flip_text = v["flip_text"];
  CHECK(flip_text.starts_with("fine-tuned-nano wins above "));
  CHECK(flip_text.find(" requests a month; 95% interval ") != std::string::npos);
  CHECK(flip_text.ends_with("(below it, tools is cheaper)"));
  // The same pair's break-even, as the break-even lines give it.
  bool listed = false;
  for (const auto& pair : decision["break_even"])
    if (pair["cheaper_above"] == "fine-tuned-nano" && pair["cheaper_below"] == "tools") {
      listed = true;
      CHECK(pair["monthly_requests"].get<double>() == Approx(volume));
    }
  CHECK(listed);
  // The winner is eligible and the cheapest of the eligible over the horizon.
  double winner_cost = 0;
  for (const auto& e : v["entries"])
    if (e["variant"] == winner) {
      CHECK(e["eligible"] == true);
      winner_cost = e["horizon_cost_usd"];
    }
  for (const auto& e : v["entries"])
    if (e["eligible"] == true) CHECK(e["horizon_cost_usd"].get<double>() >= winner_cost);
  // base-short keeps the format in a quarter of its answers: below the bar.
  for (const auto& e : v["entries"])
    if (e["variant"] == "base-short") CHECK(e["excluded_by"] == "conformance");
  // Every variant's cost carries its interval, around the point estimate.
  for (const auto& variant : doc["variants"]) {
    const auto& cost = variant["cost"];
    CHECK(cost["per_request_ci95"][0].get<double>() <=
          cost["per_request_usd"].get<double>() + 1e-12);
    CHECK(cost["per_request_ci95"][1].get<double>() >=
          cost["per_request_usd"].get<double>() - 1e-12);
    CHECK(cost["derived"] == false);
  }

  // The HTML opens with the same headline (html-escaped: no markup in these words but &).
  const std::string html = test::read_text(dir / "out/run-1.html");
  const auto card = html.find("<div class=\"decision\">");
  REQUIRE(card != std::string::npos);
  CHECK(card < html.find("<h2>Variants</h2>"));
  CHECK(html.find(v["flip_text"].get<std::string>()) != std::string::npos);
}

TEST_CASE("a self-hosted variant's cost is derived from GPU time and labelled so",
          "[e2e][decide][self-hosted]") {
  test::TempDir dir;
  const std::string cwd = dir.path().string();
  const auto src = test::source_dir().string();
  test::write_text(
      dir / "s.yaml",
      "name: hosted\n"
      "dataset: " +
          src +
          "/datasets/tech_terms_eval.jsonl\n"
          "limit: 12\n"
          "expect: {format: json}\n"
          "variants:\n"
          "  - {id: api, endpoint: mock, model: gpt-4o-mini, system: " +
          src +
          "/suites/prompts/tech_terms_full.txt}\n"
          "  - {id: lora, endpoint: vllm, model: \"ft:gpt-4o-mini:acme::lora\", system: " +
          src +
          "/suites/prompts/tech_terms_short.txt, training: {cost_usd: 5}}\n"
          "  - {id: given, endpoint: vllm, model: \"ft:gpt-4o-mini:acme::lora\", system: " +
          src +
          "/suites/prompts/tech_terms_short.txt, price: {gpu_hour_usd: 3.6, gpus: 2, tokens_per_s: "
          "1000}}\n"
          "endpoints:\n"
          "  vllm: {kind: mock, mock: {seed: 1}, price: {gpu_hour_usd: 2.5}}\n"
          "run: {concurrency: 4}\n"
          "decide: {monthly_requests: 50000, min_conformance: 0.5}\n");
  const auto run = tunebench("run s.yaml --db t.db --out out --quiet", cwd);
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  CHECK(run.output.find("lora: cost derived: $2.50/GPU-hour x 1 GPU at ") != std::string::npos);
  CHECK(run.output.find("tokens/s measured at concurrency 4") != std::string::npos);
  CHECK(
      run.output.find("given: cost derived: $3.60/GPU-hour x 2 GPUs at 1,000 tokens/s as given") !=
      std::string::npos);
  CHECK(run.output.find("[derived]") != std::string::npos);
  CHECK(run.output.find("; ~ cost derived from GPU time, not billed)") != std::string::npos);
  CHECK(run.output.find("lora vs api: ") != std::string::npos);
  CHECK(line_starting(run.output, "- lora vs api: ").find(" (derived) vs $") != std::string::npos);

  const auto doc = nlohmann::json::parse(test::read_text(dir / "out/run-1.json"));
  const auto& lora = doc["variants"][1]["cost"];
  CHECK(lora["derived"] == true);
  CHECK(lora["self_hosted"]["throughput_measured"] == true);
  CHECK(lora["self_hosted"]["concurrency"] == 4);
  CHECK(lora["per_request_usd"].get<double>() > 0);
  CHECK(lora["one_time_usd"] == 5.0);
  // The given throughput: $0.002 a second over 1,000 tokens a second is $2 per 1M tokens, so
  // a request costs its tokens x $2e-6.
  const auto& given = doc["variants"][2];
  CHECK(given["cost"]["self_hosted"]["usd_per_1m_tokens"].get<double>() == Approx(2.0));
  const double tokens =
      given["prompt_tokens"]["mean"].get<double>() + given["completion_tokens_mean"].get<double>();
  CHECK(given["cost"]["per_request_usd"].get<double>() == Approx(tokens * 2e-6).epsilon(0.02));

  // The CSV labels each result's cost; the derived ones are the tokens' share of GPU time.
  const auto rows = test::read_csv(test::read_text(dir / "out/run-1.csv"));
  REQUIRE(rows.size() == 1 + 36);
  const auto& header = rows[0];
  const auto column = [&](const std::string& name) {
    return static_cast<std::size_t>(std::find(header.begin(), header.end(), name) - header.begin());
  };
  std::size_t derived = 0;
  double given_total = 0;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const bool hosted = rows[i][column("variant")] != "api";
    CHECK(rows[i][column("cost_basis")] == (hosted ? "derived" : "billed"));
    derived += hosted;
    if (rows[i][column("variant")] == "given")
      given_total += std::stod(rows[i][column("cost_usd")]);
  }
  CHECK(derived == 24);
  CHECK(given_total == Approx(given["cost"]["total_usd"].get<double>()).epsilon(1e-6));

  const std::string html = test::read_text(dir / "out/run-1.html");
  CHECK(html.find("(derived)") != std::string::npos);
  CHECK(html.find("self-hosted, derived: $2.50/GPU-hour") != std::string::npos);
}

TEST_CASE("bad decide: and price: input exits 2 with the file and line, nothing sent",
          "[e2e][decide]") {
  test::TempDir dir;
  const auto src = test::source_dir().string();
  const std::string head = "name: x\ndataset: " + src +
                           "/datasets/tech_terms_eval.jsonl\n"
                           "variants: [{id: a, endpoint: mock, model: gpt-4o-mini}]\n";
  test::write_text(dir / "d.yaml", head + "decide: {min_conformance: 95}\n");
  auto r = tunebench("run d.yaml --db t.db", dir.path().string());
  CHECK(r.exit_code == 2);
  CHECK(r.output.find("d.yaml:4: decide.min_conformance: expected a number from 0 to 1; got 95") !=
        std::string::npos);
  test::write_text(
      dir / "p.yaml",
      head + "endpoints:\n  mock: {kind: mock, price: {gpu_hour_usd: 2, output: 1}}\n");
  r = tunebench("run p.yaml --db t.db", dir.path().string());
  CHECK(r.exit_code == 2);
  CHECK(r.output.find("p.yaml:5: endpoints.mock.price.output: ") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir / "t.db"));
}
