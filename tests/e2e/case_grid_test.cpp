// The case grid's cap from the command line: `run --max-cases` and `report --max-cases` bound the
// rows of the HTML report's grid and say what was left out; a bad value is a usage error.
#include <catch2/catch.hpp>

#include "e2e/cli.hpp"
#include "e2e/process.hpp"
#include "test_paths.hpp"

using namespace tb;

namespace {

long long count(const std::string& text, const std::string& what) {
  long long n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("run and report --max-cases bound the HTML report's case grid", "[e2e][report][grid]") {
  test::TempDir dir;
  const std::string demo = (test::source_dir() / "suites/demo.yaml").string();
  const auto run = test::tunebench("run '" + demo + "' --db t.db --out out --quiet --max-cases 7",
                                   dir.path().string());
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  const std::string capped = test::read_text(dir / "out/run-1.html");
  CHECK(count(capped, "<tr data-case=") == 7);
  // The demo's 60 cases: every row kept is one where the variants disagree.
  CHECK(count(capped, "data-disagree=\"1\"") == 7);
  CHECK(capped.find("53 cases left out of this grid") != std::string::npos);
  CHECK(capped.find("at most 7 cases fit in this file") != std::string::npos);

  const auto report = test::tunebench("report 1 --db t.db --out all --format html --max-cases 100",
                                      dir.path().string());
  INFO(report.output);
  REQUIRE(report.exit_code == 0);
  const std::string whole = test::read_text(dir / "all/run-1.html");
  CHECK(count(whole, "<tr data-case=") == 60);
  CHECK(whole.find("id=\"grid-left-out\"") == std::string::npos);

  const auto bad =
      test::tunebench("report 1 --db t.db --out bad --max-cases -1", dir.path().string());
  CHECK(bad.exit_code == 2);
  CHECK(bad.output.find("--max-cases") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir / "bad"));
}
