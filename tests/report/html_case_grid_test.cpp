#include <catch2/catch.hpp>

#include <regex>
#include <sstream>

#include "report/html_case_grid.hpp"
#include "report/text_diff.hpp"
#include "store/case_grid_fixture.hpp"
#include "test_paths.hpp"

using namespace tb;

namespace {

std::string grid_html(const std::filesystem::path& db, long long max_cases) {
  Store store(db);
  RunSummary summary;
  summary.run = *store.run(*store.latest_run_id());
  std::ostringstream h;
  write_case_grid(store, summary, max_cases, h);
  return h.str();
}

long long count(const std::string& text, const std::string& what) {
  long long n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("the case grid has a row per case, a cell per variant, and says k/n with repeats",
          "[report][grid]") {
  test::TempDir dir;
  test::store_grid_run(dir / "t.db");
  const std::string html = grid_html(dir / "t.db", 5000);
  INFO(html.substr(0, 3000));
  CHECK(count(html, "<tr data-case=") == 5);
  CHECK(count(html, "<td class=\"c c-") == 10);  // 5 cases x 2 variants
  CHECK(count(html, "data-failing=\"0\"") == 2);
  CHECK(count(html, "data-failing=\"2\"") == 1);
  CHECK(count(html, "data-disagree=\"1\"") == 2);
  CHECK(count(html, "c-mixed") == 1);
  CHECK(html.find("\u25d0 1/2") != std::string::npos);  // case 3, variant z
  CHECK(html.find("\u2717 0/2 <span class=\"tag\">fenced</span>") != std::string::npos);
  CHECK(html.find("<td class=\"c c-none\" data-v=\"a\">no result</td>") != std::string::npos);
  // The header counts, with the plural right.
  CHECK(html.find("5 cases &times; 2 variants: 3 failing in some variant, 2 where the variants "
                  "disagree.") != std::string::npos);
  // Variant columns in the variants' order; input and reference excerpts.
  CHECK(html.find("<th scope=\"col\" class=\"l\">z</th><th scope=\"col\" class=\"l\">a</th>") !=
        std::string::npos);
  CHECK(html.find("<td class=\"x\" data-v=\"input\">term 2</td>") != std::string::npos);
  // Every result's tokens, latency, cost and checks; a diff against the reference.
  CHECK(html.find("102 + 10 tokens &middot; 252 ms &middot; $0.000100") != std::string::npos);
  CHECK(html.find("\u2717 is-json: JSON inside a ``` fence") != std::string::npos);
  CHECK(html.find("<del>") != std::string::npos);
  CHECK(html.find("The answer is the reference, to the character.") != std::string::npos);
  // Filters: the failure kinds the rows have, and nothing left out.
  CHECK(html.find("<option value=\"fenced\">fenced</option>") != std::string::npos);
  CHECK(html.find("id=\"grid-left-out\"") == std::string::npos);
  CHECK(html.find("<form id=\"grid-filters\" class=\"gf\" hidden") != std::string::npos);
}

TEST_CASE("the case grid escapes what cases and answers hold", "[report][grid][security]") {
  test::TempDir dir;
  test::store_grid_run(dir / "t.db", "</td><script>alert('x')</script>&amp;");
  const std::string html = grid_html(dir / "t.db", 5000);
  CHECK(html.find("<script>alert") == std::string::npos);
  CHECK(count(html, "<script>") == 1);  // the grid's own
  CHECK(count(html, "</td>") == count(html, "<td"));
  // Escaped in the case's id, its input and the answer that holds it.
  CHECK(count(html, "&lt;/td&gt;&lt;script&gt;alert('x')&lt;/script&gt;&amp;amp;") >= 3);
  // Rows still line up: as many cells as cases times variants.
  CHECK(count(html, "<td class=\"c c-") == 10);
}

TEST_CASE("a capped case grid says how many cases it left out and where they are",
          "[report][grid]") {
  test::TempDir dir;
  test::store_grid_run(dir / "t.db");
  const std::string html = grid_html(dir / "t.db", 2);
  CHECK(count(html, "<tr data-case=") == 2);
  CHECK(html.find("data-case=\"1\"") != std::string::npos);
  CHECK(html.find("data-case=\"3\"") != std::string::npos);
  CHECK(html.find("This file holds 2 of them") != std::string::npos);
  CHECK(html.find("3 cases left out of this grid (1 of them failing in some variant)") !=
        std::string::npos);
  CHECK(html.find("at most 2 cases fit in this file") != std::string::npos);
  CHECK(html.find("run-1.csv") != std::string::npos);
  CHECK(html.find("sqlite3 t.db \"SELECT c.case_id") != std::string::npos);

  const std::string one_left = grid_html(dir / "t.db", 4);
  CHECK(one_left.find("1 case left out of this grid (every variant passed it)") !=
        std::string::npos);
}

TEST_CASE("the input of a case is its last user message", "[report][grid]") {
  CHECK(case_input_text(R"([{"role":"user","content":"first"},{"role":"assistant","content":"x"},)"
                        R"({"role":"user","content":"second"}])") == "second");
  CHECK(case_input_text(R"([{"role":"user","content":[{"type":"text","text":"a"},)"
                        R"({"type":"image_url"},{"type":"text","text":"b"}]}])") == "a\nb");
  CHECK(case_input_text("not json").empty());
  CHECK(case_input_text(R"([{"role":"system","content":"s"}])").empty());
}

TEST_CASE("a word diff marks what the answer left out and added, escaped", "[report][grid]") {
  const auto diff = word_diff("the quick brown fox", "the slow brown fox <b>!");
  REQUIRE(diff);
  CHECK(diff_html(*diff) == "the <del>quick</del><ins>slow</ins> brown fox<ins> &lt;b&gt;!</ins>");
  const auto same = word_diff("{\"a\": 1}", "{\"a\": 1}");
  REQUIRE(same);
  REQUIRE(same->size() == 1);
  CHECK(same->front().op == DiffPiece::Op::same);
  CHECK(word_diff("", "x")->front().op == DiffPiece::Op::added);
  // Beyond the table's budget there is no diff, rather than a slow one.
  CHECK_FALSE(word_diff(std::string(3000, 'a') + " " + std::string(10, 'b'),
                        "x y z w v u t s r q p o n m l k", 10));
}
