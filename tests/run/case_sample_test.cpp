#include "run/case_sample.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <string>
#include <vector>

#include "test_paths.hpp"

using namespace tb;

namespace {

std::string case_line(int i) {
  return R"({"id":"c)" + std::to_string(i) + R"(","messages":[{"role":"user","content":"q)" +
         std::to_string(i) + R"("},{"role":"assistant","content":"a"}]})";
}

std::vector<std::string> lines_of(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

}  // namespace

TEST_CASE("a sample of cases is a seeded subset written in dataset order", "[ablate]") {
  test::TempDir dir;
  std::string dataset;
  for (int i = 0; i < 20; ++i)
    dataset += case_line(i) + "\n" + (i == 4 ? "\n" : "");  // a blank line too
  test::write_text(dir / "d.jsonl", dataset);
  Suite suite;
  suite.dataset_file = dir / "d.jsonl";
  suite.dataset_display = "d.jsonl";
  Diagnostic error;

  const auto a = write_case_sample(suite, 5, 1, dir / "a.jsonl", error);
  REQUIRE(a);
  CHECK(a->cases == 20);
  CHECK(a->sampled == 5);
  const auto lines = lines_of(dir / "a.jsonl");
  REQUIRE(lines.size() == 5);
  std::vector<std::string> all;
  for (int i = 0; i < 20; ++i) all.push_back(case_line(i));
  auto at = all.begin();
  for (const auto& line : lines) {  // unchanged lines, in order, each once
    at = std::find(at, all.end(), line);
    REQUIRE(at != all.end());
    ++at;
  }

  REQUIRE(write_case_sample(suite, 5, 1, dir / "b.jsonl", error));
  CHECK(lines_of(dir / "b.jsonl") == lines);  // the same seed, the same cases
  REQUIRE(write_case_sample(suite, 5, 2, dir / "c.jsonl", error));
  CHECK(lines_of(dir / "c.jsonl") != lines);

  // More than there are: all of them; the suite's limit counts first.
  const auto all_cases = write_case_sample(suite, 50, 1, dir / "d.jsonl.all", error);
  REQUIRE(all_cases);
  CHECK(all_cases->sampled == 20);
  CHECK(lines_of(dir / "d.jsonl.all") == all);
  suite.limit = 3;
  const auto limited = write_case_sample(suite, 10, 1, dir / "e.jsonl", error);
  REQUIRE(limited);
  CHECK(limited->cases == 3);
  CHECK(lines_of(dir / "e.jsonl") == std::vector<std::string>(all.begin(), all.begin() + 3));
}

TEST_CASE("a broken dataset line is named by file and line", "[ablate]") {
  test::TempDir dir;
  test::write_text(dir / "d.jsonl", case_line(0) + "\n{not json\n");
  Suite suite;
  suite.dataset_file = dir / "d.jsonl";
  suite.dataset_display = "d.jsonl";
  Diagnostic error;
  CHECK_FALSE(write_case_sample(suite, 5, 1, dir / "s.jsonl", error));
  CHECK(error.to_string().starts_with("d.jsonl:2"));
}
