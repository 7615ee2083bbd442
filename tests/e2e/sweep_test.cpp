// Checkpoint and model sweeps end to end: the example suite's checkpoints file expands into one
// variant per checkpoint, the mock answers each (later steps keep the format better), and the
// store, the terminal table, the JSON export and the HTML chart carry step and loss per variant.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "e2e/cli.hpp"
#include "e2e/sqlite_query.hpp"
#include "store/store.hpp"
#include "test_paths.hpp"

using namespace tb;
using test::tunebench;

TEST_CASE("a checkpoint sweep runs one variant per checkpoint and reports conformance by step",
          "[e2e][sweep]") {
  test::TempDir dir;
  const std::string cwd = dir.path().string();
  const std::string suite = (test::source_dir() / "suites/checkpoint-sweep.yaml").string();
  const auto run = tunebench("run '" + suite + "' --db t.db --out out", cwd);
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  CHECK(run.output.find("60 cases x 4 variants") != std::string::npos);

  // The store: each checkpoint's variant with the variant it came from, its step and loss.
  Store store(dir / "t.db", false);
  const auto variants = store.variants(1);
  REQUIRE(variants.size() == 4);
  CHECK(variants[0].id == "prompted");
  CHECK(variants[0].sweep_of.empty());
  CHECK_FALSE(variants[0].checkpoint_step);
  const std::vector<std::pair<long long, double>> expected = {
      {100, 0.912}, {200, 0.384}, {300, 0.217}};
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const auto& v = variants[i + 1];
    CHECK(v.id == "fine-tuned@step-" + std::to_string(expected[i].first));
    CHECK(v.sweep_of == "fine-tuned");
    CHECK(v.kind == "fine-tuned");
    CHECK(v.checkpoint_step == expected[i].first);
    REQUIRE(v.training_loss);
    CHECK(*v.training_loss == Approx(expected[i].second));
  }
  CHECK(variants[3].model == "ft:gpt-4o-mini-2024-07-18:acme:tech-terms");  // step from the file

  // The JSON export: step and loss on each swept variant; the mock's later checkpoints keep the
  // format better (simulated: 1 - exp(-step / 100) of the way from the base model).
  const std::string schema = (test::source_dir() / "docs/report.schema.json").string();
  const auto valid = tunebench("schema validate --schema '" + schema + "' out/run-1.json", cwd);
  CHECK(valid.output == "valid\n");
  const auto doc = nlohmann::json::parse(test::read_text(dir / "out/run-1.json"));
  REQUIRE(doc["variants"].size() == 4);
  CHECK_FALSE(doc["variants"][0].contains("sweep"));
  double previous = 0;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const auto& v = doc["variants"][i + 1];
    CHECK(v["sweep"]["of"] == "fine-tuned");
    CHECK(v["sweep"]["step"] == expected[i].first);
    CHECK(v["sweep"]["loss"].get<double>() == Approx(expected[i].second));
    CHECK(v["conformance"].get<double>() > previous);
    previous = v["conformance"].get<double>();
  }

  // The terminal: a row per checkpoint by step, with the conformance's interval from the JSON.
  const auto at =
      run.output.find("checkpoint sweep fine-tuned: conformance against training step\n");
  REQUIRE(at != std::string::npos);
  std::size_t last = at;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const auto& v = doc["variants"][i + 1];
    const auto row =
        run.output.find("  fine-tuned@step-" + std::to_string(expected[i].first) + "\n", at);
    REQUIRE(row != std::string::npos);
    CHECK(row > last);  // by step
    last = row;
    const std::string line =
        run.output.substr(run.output.rfind('\n', row) + 1, row - run.output.rfind('\n', row));
    CHECK(line.find(std::to_string(expected[i].first)) != std::string::npos);
    char loss[16];
    std::snprintf(loss, sizeof loss, "%.3f", expected[i].second);
    CHECK(line.find(loss) != std::string::npos);
    char low[16];
    std::snprintf(low, sizeof low, "[%.1f%% to", 100 * v["conformance_ci95"][0].get<double>());
    CHECK(line.find(low) != std::string::npos);
  }

  // The HTML: a line chart of conformance by step, a point with its interval per checkpoint.
  const std::string html = test::read_text(dir / "out/run-1.html");
  const auto chart = html.find("id=\"chart-sweep-0\"");
  REQUIRE(chart != std::string::npos);
  const std::string svg = html.substr(chart, html.find("</svg>", chart) - chart);
  CHECK(svg.find("<polyline") != std::string::npos);
  for (const auto& [step, loss] : expected)
    CHECK(svg.find("fine-tuned@step-" + std::to_string(step) + ": step " + std::to_string(step)) !=
          std::string::npos);

  // `report` rebuilds the same table from the store alone.
  const auto again = tunebench("report latest --db t.db --format text --out -", cwd);
  INFO(again.output);
  CHECK(again.exit_code == 0);
  CHECK(again.output.find("checkpoint sweep fine-tuned: conformance against training step") !=
        std::string::npos);
}

TEST_CASE(
    "a models: sweep serves any name from the mock; a bad sweep stops before anything is sent",
    "[e2e][sweep]") {
  test::TempDir dir;
  const std::string cwd = dir.path().string();
  const auto src = test::source_dir().string();
  test::write_text(
      dir / "s.yaml",
      "name: models\n"
      "dataset: " +
          src +
          "/datasets/tech_terms_eval.jsonl\n"
          "limit: 6\n"
          "expect: {format: json}\n"
          "prices: {tech-terms-lora/checkpoint-50: {input: 0.1, output: 0.4}}\n"
          "variants:\n"
          "  - id: short\n"
          "    endpoint: mock\n"
          "    system: " +
          src +
          "/suites/prompts/tech_terms_short.txt\n"
          "    models: [gpt-4o-mini, \"ft:gpt-4o-mini-2024-07-18:acme::ckpt-step-20\", "
          "tech-terms-lora/checkpoint-50]\n");
  const auto run = tunebench("run s.yaml --db t.db --no-report", cwd);
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  CHECK(
      run.output.find("model sweep short: conformance per model (by training step where known)") !=
      std::string::npos);
  Store store(dir / "t.db", false);
  const auto variants = store.variants(1);
  REQUIRE(variants.size() == 3);
  CHECK(variants[0].id == "short@gpt-4o-mini");
  CHECK_FALSE(variants[0].checkpoint_step);
  CHECK(variants[1].id == "short@step-20");
  CHECK(variants[2].id == "short@step-50");
  CHECK(variants[2].model == "tech-terms-lora/checkpoint-50");
  for (const auto& v : variants) CHECK(v.sweep_of == "short");
  CHECK(test::query(dir / "t.db", "select count(*) from results where status='ok'") == "18");

  test::write_text(dir / "bad.jsonl", "{\"model\": \"terms-lora\"}\n");
  test::write_text(
      dir / "bad.yaml",
      "name: bad\ndataset: " + src +
          "/datasets/tech_terms_eval.jsonl\n"
          "variants:\n  - {id: a, endpoint: mock, model: x, checkpoints: bad.jsonl}\n");
  const auto bad = tunebench("run bad.yaml --db bad.db --no-report", cwd);
  CHECK(bad.exit_code == 2);
  CHECK(bad.output.find("bad.yaml:4: variants[0].model: give either model or checkpoints") !=
        std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir / "bad.db"));
}
