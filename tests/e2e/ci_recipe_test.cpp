// docs/ci.md's recipe, played on the built-in mock: a first fine-tune passes its gates, a second
// one regresses three known cases. `compare` must list exactly those cases, the gate must exit 1,
// the JUnit file must fail exactly those test cases (and the gate) and validate against the JUnit
// schema, and a third fine-tune is judged against the last run that passed, not the failed one.
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "e2e/cli.hpp"
#include "e2e/sqlite_query.hpp"
#include "test_paths.hpp"

using namespace tb;
using test::tunebench;

namespace {

// Twelve cases with exact answers; the mock answers each right unless the fine-tune's profile
// lists it in `regressed_cases` (then off by one), so the failing cases are known in advance.
void write_dataset(const std::filesystem::path& file) {
  std::string lines;
  for (int i = 1; i <= 12; ++i) {
    const std::string id = (i < 10 ? "c0" : "c") + std::to_string(i);
    lines += R"({"id": ")" + id + R"(", "messages": [{"role": "user", "content": "What is )" +
             std::to_string(i) +
             R"( + 100? Only the number."}, {"role": "assistant", "content": ")" +
             std::to_string(100 + i) + "\"}]}\n";
  }
  test::write_text(file, lines);
}

std::string release_suite(const std::string& model, const std::string& regressed) {
  return "name: release-gate\n"
         "dataset: cases.jsonl\n"
         "expect: {format: text, checks: [{type: equals}]}\n"
         "variants:\n"
         "  - {id: fine-tuned, endpoint: m, model: \"" +
         model +
         "\"}\n"
         "endpoints:\n"
         "  m: {kind: mock, mock: {seed: 7, profiles: {fine-tuned: {format_break: 0, field_error: "
         "0, "
         "regressed_cases: [" +
         regressed +
         "]}}}}\n"
         "gate:\n"
         "  no_regression: {against: latest-passing, variants: [fine-tuned], max_regressed_cases: "
         "0}\n";
}

// The case ids of the JUnit test cases that hold a <failure>, per test suite name.
std::set<std::string> failing_junit_cases(const std::string& xml, const std::string& suite) {
  std::set<std::string> ids;
  const auto start = xml.find("<testsuite name=\"" + suite + "\"");
  if (start == std::string::npos) return ids;
  const auto end = xml.find("</testsuite>", start);
  const std::string body = xml.substr(start, end - start);
  const std::regex failing(R"re(<testcase [^>]*name="([^"]*)"[^/>]*>\s*<failure)re");
  for (auto it = std::sregex_iterator(body.begin(), body.end(), failing);
       it != std::sregex_iterator(); ++it)
    ids.insert((*it)[1].str().substr(0, (*it)[1].str().find(':')));
  return ids;
}

}  // namespace

TEST_CASE(
    "the CI recipe: a fine-tune that regresses known cases fails its gate, with exactly those "
    "cases",
    "[e2e][ci][gate]") {
  test::TempDir dir;
  const std::string cwd = dir.path().string();
  write_dataset(dir / "cases.jsonl");
  test::write_text(dir / "v1.yaml", release_suite("ft:gpt-4o-mini-2024-07-18:acme::v1", ""));
  test::write_text(dir / "v2.yaml",
                   release_suite("ft:gpt-4o-mini-2024-07-18:acme::v2", "c03, c07, c11"));
  test::write_text(dir / "v3.yaml", release_suite("ft:gpt-4o-mini-2024-07-18:acme::v3", "c05"));

  // v1: the first gated run has nothing to compare with; it passes and becomes the reference.
  const auto v1 = tunebench("run v1.yaml --db ci.db --out r1 --junit r1/junit.xml", cwd);
  INFO(v1.output);
  REQUIRE(v1.exit_code == 0);
  CHECK(v1.output.find("PASS no_regression fine-tuned") != std::string::npos);
  CHECK(failing_junit_cases(test::read_text(dir / "r1/junit.xml"), "release-gate / fine-tuned")
            .empty());

  // v2 regresses c03, c07 and c11: the gate fails with one line, exit 1.
  const auto v2 = tunebench("run v2.yaml --db ci.db --out r2 --junit r2/junit.xml", cwd);
  INFO(v2.output);
  CHECK(v2.exit_code == 1);
  CHECK(v2.output.find(
            "FAIL no_regression fine-tuned: 3 cases regressed against run 1 (latest-passing)") !=
        std::string::npos);
  CHECK(v2.output.find("gates FAILED (run 2)") != std::string::npos);

  // compare lists exactly the regressed cases, each with both outputs.
  const auto compared = tunebench("compare latest-passing latest --db ci.db --format json", cwd);
  INFO(compared.output);
  REQUIRE(compared.exit_code == 0);
  const auto doc = nlohmann::json::parse(compared.output);
  REQUIRE(doc["variants"].size() == 1);
  const auto& pair = doc["variants"][0];
  std::set<std::string> regressed;
  for (const auto& c : pair["regressed"]) regressed.insert(c["case_id"].get<std::string>());
  CHECK(regressed == std::set<std::string>{"c03", "c07", "c11"});
  CHECK(pair["fixed"].empty());
  CHECK(pair["regressed"][0]["a"]["output"] == "103");
  CHECK(pair["regressed"][0]["b"]["output"] == "104");
  CHECK(tunebench("compare latest-passing latest --db ci.db --fail-on-regression", cwd).exit_code ==
        1);
  const auto md = tunebench("compare latest-passing latest --db ci.db --format md", cwd);
  CHECK(md.exit_code == 0);
  CHECK(md.output.find("| c07 |") != std::string::npos);

  // The JUnit file fails exactly those cases, and the gate.
  const std::string junit = test::read_text(dir / "r2/junit.xml");
  CHECK(failing_junit_cases(junit, "release-gate / fine-tuned") ==
        std::set<std::string>{"c03", "c07", "c11"});
  CHECK(failing_junit_cases(junit, "release-gate / gates") ==
        std::set<std::string>{"no_regression fine-tuned"});
  CHECK(junit.find(
            "<testsuites name=\"tunebench run 2: release-gate\" tests=\"13\" failures=\"4\"") !=
        std::string::npos);
  // It loads in JUnit consumers: valid against the schema they follow (tests/data/junit).
  const std::string xsd = (test::source_dir() / "tests/data/junit/junit.xsd").string();
  for (const char* file : {"r1/junit.xml", "r2/junit.xml"}) {
    INFO(file);
    const std::string command =
        "xmllint --noout --schema '" + xsd + "' '" + (dir / file).string() + "' 2>&1";
    CHECK(std::system(command.c_str()) == 0);
  }

  // runs shows the gate status of each run.
  const auto runs = tunebench("runs --db ci.db", cwd);
  CHECK(std::regex_search(runs.output, std::regex(R"(\n2 .* done .* fail )")));
  CHECK(std::regex_search(runs.output, std::regex(R"(\n1 .* done .* pass )")));

  // A run judged against itself shows no regression by construction: refused, and gate stores
  // nothing without --save, so the failed run 2 cannot become latest-passing by accident.
  const auto self = tunebench("gate 2 --against 2 --db ci.db", cwd);
  CHECK(self.exit_code == 1);
  CHECK(self.output.find("a run cannot show a regression against itself") != std::string::npos);
  CHECK(test::count(dir / "ci.db",
                    "select count(*) from runs where id = 2 and gate_status = 'fail'") == 1);
  // Runs that pair no case are not "no regression".
  test::write_text(
      dir / "other.jsonl",
      R"({"id": "x1", "messages": [{"role": "user", "content": "1 + 1?"}, {"role": "assistant", "content": "2"}]})"
      "\n");
  std::string other = release_suite("ft:gpt-4o-mini-2024-07-18:acme::v1", "");
  other.replace(other.find("cases.jsonl"), 11, "other.jsonl");
  other.replace(other.find("release-gate"), 12, "other-suite");
  test::write_text(dir / "other.yaml", other);
  REQUIRE(tunebench("run other.yaml --db ci.db --quiet --no-report", cwd).exit_code == 0);
  const auto unpaired = tunebench("compare 1 3 --db ci.db --fail-on-regression", cwd);
  CHECK(unpaired.exit_code == 2);
  CHECK(unpaired.output.find("pairs with a case of run 3") != std::string::npos);
  // A JUnit path that cannot be written is found before anything is sent.
  const auto folder = tunebench("run v1.yaml --db ci.db --junit r1", cwd);
  CHECK(folder.exit_code == 2);
  CHECK(folder.output.find("--junit r1 is a folder") != std::string::npos);
  CHECK(test::count(dir / "ci.db", "select count(*) from runs") == 3);

  // v3 is judged against run 1, the last that passed, not against the failed run 2: its one
  // regressed case (c05) is counted against v1, and c03, c07, c11 are not "fixed" news.
  const auto v3 = tunebench("run v3.yaml --db ci.db --out r3 --junit r3/junit.xml", cwd);
  INFO(v3.output);
  CHECK(v3.exit_code == 1);
  CHECK(v3.output.find(
            "FAIL no_regression fine-tuned: 1 case regressed against run 1 (latest-passing)") !=
        std::string::npos);
  // And gate can judge it again against another reference: run 2, where c03, c07, c11 failed.
  const auto regate = tunebench("gate latest --against 2 --db ci.db", cwd);
  INFO(regate.output);
  CHECK(regate.exit_code == 1);
  CHECK(regate.output.find("1 case regressed against run 2") != std::string::npos);

  // The history in charts: compare's HTML draws the change with its interval, trend's HTML the
  // figure per run (run 3 is another suite's and is not in it).
  const auto html = tunebench("compare 1 2 --db ci.db --format html", cwd);
  CHECK(html.exit_code == 0);
  CHECK(html.output.find("<svg class=\"chart\" id=\"chart-compare\"") != std::string::npos);
  CHECK(html.output.find(" fine-tuned -25.0 pts (") != std::string::npos);  // 3 of 12 cases
  const auto text_trend = tunebench("trend release-gate --db ci.db", cwd);
  INFO(text_trend.output);
  CHECK(text_trend.exit_code == 0);
  CHECK(std::regex_search(text_trend.output, std::regex(R"(\n1 .*fine-tuned +100\.0% \[)")));
  CHECK(std::regex_search(text_trend.output, std::regex(R"(\n2 .*fine-tuned +75\.0% \[)")));
  CHECK(std::regex_search(text_trend.output, std::regex(R"(\n4 .*fine-tuned +91\.7% \[)")));
  const auto trend = tunebench("trend release-gate --db ci.db --format html --out trend.html", cwd);
  INFO(trend.output);
  CHECK(trend.exit_code == 0);
  const std::string page = test::read_text(dir / "trend.html");
  CHECK(page.find("<svg class=\"chart\" id=\"chart-trend\"") != std::string::npos);
  CHECK(page.find(" fine-tuned run 1 100.0% run 2 75.0% run 4 91.7%;") != std::string::npos);
  CHECK(page.find(">#3</text>") == std::string::npos);
  CHECK(tunebench("trend nope --db ci.db", cwd).exit_code == 2);
  // --out takes the text table too; a folder is refused before anything is written.
  REQUIRE(tunebench("trend release-gate --db ci.db --out t/trend.txt", cwd).exit_code == 0);
  CHECK(test::read_text(dir / "t/trend.txt") == text_trend.output);
  const auto folder_out = tunebench("trend release-gate --db ci.db --out t", cwd);
  CHECK(folder_out.exit_code == 2);
  CHECK(folder_out.output.find("--out t is a folder") != std::string::npos);
}
