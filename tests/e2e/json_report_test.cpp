// The JSON export: `run --out` writes run-N.json beside the HTML and CSV, `report --format json`
// writes the same bytes, and the demo's export (and one with errors and repeats)
// validates against the published schema (docs/report.schema.json) with tunebench's own validator.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "e2e/cli.hpp"
#include "test_paths.hpp"

using namespace tb;
using test::tunebench;

namespace {

void check_export(const std::filesystem::path& file, const std::string& cwd) {
  INFO(file.string());
  const std::string schema = (test::source_dir() / "docs/report.schema.json").string();
  const auto valid =
      tunebench("schema validate --schema '" + schema + "' '" + file.string() + "'", cwd);
  INFO(valid.output);
  CHECK(valid.exit_code == 0);
  CHECK(valid.output == "valid\n");
  // The summary and the records agree: each variant's counts are those of its results.
  const auto doc = nlohmann::json::parse(test::read_text(file));
  for (const auto& v : doc["variants"]) {
    long long results = 0, conformant = 0, errors = 0;
    for (const auto& r : doc["results"]) {
      if (r["variant"] != v["id"]) continue;
      ++results;
      conformant += r["conformant"].get<bool>();
      errors += r["status"] == "error";
    }
    CHECK(v["results"] == results);
    CHECK(v["conformant"] == conformant);
    CHECK(v["errors"] == errors);
  }
}

}  // namespace

TEST_CASE("the JSON export validates against its schema and matches the summary",
          "[e2e][report][json]") {
  test::TempDir dir;
  const std::string cwd = dir.path().string();
  const std::string demo = (test::source_dir() / "suites/demo.yaml").string();
  const auto run = tunebench("run '" + demo + "' --db t.db --out out --quiet", cwd);
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  CHECK(run.output.find("report: out/run-1.json") != std::string::npos);
  check_export(dir / "out/run-1.json", cwd);
  const auto doc = nlohmann::json::parse(test::read_text(dir / "out/run-1.json"));
  CHECK(doc["format"] == "tunebench-run/1");
  CHECK(doc["run"]["simulated"] == true);
  CHECK(doc["results"].size() == 480);
  CHECK(doc["variants"].size() == 8);
  // The rag variant: its retrieval and prompt parts, and each of its results' passages.
  const auto& rag = doc["variants"][3];
  CHECK(rag["retrieval"]["k"] == 3);
  CHECK(rag["retrieval"]["judged"] == 60);
  CHECK(rag["prompt_parts"]["context_mean"].get<double>() > 0);
  CHECK(doc["variants"][0]["prompt_parts"]["context_mean"] == 0);
  CHECK_FALSE(doc["variants"][0].contains("retrieval"));
  std::size_t with_passages = 0;
  for (const auto& r : doc["results"])
    with_passages += r.contains("retrieval") && r["retrieval"]["passages"].size() == 3;
  CHECK(with_passages == 60);
  CHECK(doc["variants"][1].contains("against_baseline"));
  CHECK_FALSE(doc["variants"][0].contains("against_baseline"));

  // report --format json writes the same bytes, to a file or to standard output.
  const auto again = tunebench("report 1 --db t.db --format json --out -", cwd);
  CHECK(again.exit_code == 0);
  CHECK(again.output == test::read_text(dir / "out/run-1.json"));

  // Errors and repeats fill the fields the demo leaves empty.
  std::string suite = test::read_text(demo);
  const auto base = (test::source_dir() / "suites").string() + "/";
  for (const std::string rel : {"../datasets/tech_terms_eval.jsonl", "../datasets/tech_terms_train.jsonl",
                                "../datasets/schemas/term.ts",
                                "../datasets/corpora/tech-terms", "prompts/tech_terms_full.txt",
                                "prompts/tech_terms_short.txt"})
    for (auto at = suite.find(rel); at != std::string::npos;
         at = suite.find(rel, at + base.size() + rel.size()))
      suite.replace(at, rel.size(), base + rel);
  suite.replace(suite.find("mock: {seed: 42,"), 16,
                "mock: {seed: 42, faults: {server_error: 0.2},");
  suite.replace(suite.find("repeats: 1"), 10, "repeats: 2, max_attempts: 1");
  suite += "limit: 10\n";
  test::write_text(dir / "faulty.yaml", suite);
  const auto faulty = tunebench("run faulty.yaml --db t.db --out out --quiet", cwd);
  INFO(faulty.output);
  REQUIRE(faulty.exit_code == 0);
  check_export(dir / "out/run-2.json", cwd);
  const auto doc2 = nlohmann::json::parse(test::read_text(dir / "out/run-2.json"));
  CHECK(doc2["results"].size() == 160);  // 10 cases x 8 variants x 2 repeats
  CHECK(doc2["variants"][0]["errors"].get<long long>() > 0);
  CHECK(doc2["variants"][0]["repeats"]["k"] == 2);
}
