#include "analysis/ablation_search.hpp"

#include <catch2/catch.hpp>

#include <set>
#include <string>

using namespace tb;

namespace {

long long chars(std::string_view text) {
  return static_cast<long long>(text.size());
}

// Four sections of distinct sizes; "SCHEMA" is the one a model needs.
const char* kPrompt =
    "Intro.\n\nSCHEMA {term}\n\nA long paragraph of advice nobody needs.\n\nMid-sized tips here.";

AblationSearch make_search(double alpha = 0.05) {
  return AblationSearch(kPrompt, split_prompt(kPrompt, chars), alpha, chars);
}

// A model that conforms on every case with the schema in its prompt and on none without it:
// the measurement a run on 30 cases gives (exact McNemar: 30 discordant pairs, p ~ 2e-9).
AblationMeasurement measure(const AblationCandidate& c) {
  AblationMeasurement m;
  m.run_id = 100 + c.step;
  m.cases = m.results = 30;
  const bool schema = c.prompt.find("SCHEMA") != std::string::npos;
  m.conformant = schema ? 30 : 0;
  m.conformance = schema ? 1.0 : 0.0;
  m.difference = schema ? 0.0 : -1.0;
  m.p_value = schema ? 1.0 : 1.9e-9;
  return m;
}

}  // namespace

TEST_CASE("sections are tried largest first, earlier first among equals", "[ablate]") {
  std::vector<PromptSection> sections(4);
  const long long tokens[] = {5, 9, 5, 7};
  for (std::size_t i = 0; i < 4; ++i) sections[i].tokens = tokens[i];
  CHECK(AblationSearch::removal_order(sections) == std::vector<std::size_t>{1, 3, 0, 2});
}

TEST_CASE(
    "a removal is undone only when conformance falls significantly: by the test or the interval",
    "[ablate]") {
  AblationMeasurement m;
  m.difference = -0.2;
  m.p_value = 0.01;
  CHECK(AblationSearch::significantly_below(m, 0.05));
  CHECK_FALSE(AblationSearch::significantly_below(m, 0.01));  // p must be below alpha
  m.p_value = 0.2;
  CHECK_FALSE(AblationSearch::significantly_below(m, 0.05));  // a drop within chance
  m.p_value = 0.07;  // the test misses it, but the whole 95% interval is below zero
  m.difference_ci = {-0.367, -0.033};
  CHECK(AblationSearch::significantly_below(m, 0.05));
  m.difference_ci = {-0.367, 0.0};
  CHECK_FALSE(AblationSearch::significantly_below(m, 0.05));
  m.difference = 0.2;
  m.p_value = 0.001;
  CHECK_FALSE(AblationSearch::significantly_below(m, 0.05));  // significantly better is fine
}

TEST_CASE("with a maximum drop, a removal that costs more is undone even when not significant",
          "[ablate]") {
  AblationSearch search(kPrompt, split_prompt(kPrompt, chars), 0.05, chars, 0.05);
  AblationMeasurement m;
  m.p_value = 0.5;
  m.difference = -0.05;  // exactly the bound: kept
  CHECK_FALSE(search.too_low(m));
  m.difference = -0.0667;  // 2 of 30 cases
  CHECK(search.too_low(m));
  m.p_value = 0.01;
  m.difference = -0.04;  // within the bound but significant
  CHECK(search.too_low(m));
  AblationSearch test_only = make_search();
  m.p_value = 0.5;
  m.difference = -0.3;
  CHECK_FALSE(test_only.too_low(m));
}

TEST_CASE("backward elimination keeps the needed section and drops the others", "[ablate]") {
  AblationSearch search = make_search();
  REQUIRE(search.sections().size() == 4);
  CHECK(search.planned_steps() == 5);

  std::vector<std::string> tried;
  while (const AblationCandidate* c = search.next()) {
    if (c->removed) tried.push_back(search.sections()[*c->removed].text);
    search.record(measure(*c));
  }
  const auto& candidates = search.candidates();
  REQUIRE(candidates.size() == 5);
  // Step 0 is the full prompt as written, then one section at a time, largest first.
  CHECK(candidates[0].prompt == kPrompt);
  CHECK_FALSE(candidates[0].removed);
  CHECK(candidates[0].tokens == static_cast<long long>(std::string(kPrompt).size()));
  CHECK(tried == std::vector<std::string>{"A long paragraph of advice nobody needs.",
                                          "Mid-sized tips here.", "SCHEMA {term}", "Intro."});
  CHECK(candidates[1].accepted);
  CHECK(candidates[2].accepted);
  CHECK_FALSE(candidates[3].accepted);  // without the schema nothing conforms
  CHECK(candidates[3].prompt == "Intro.");
  CHECK(candidates[4].accepted);
  // Each candidate builds on the removals kept so far, never on one undone.
  CHECK(candidates[2].prompt == "Intro.\n\nSCHEMA {term}");
  CHECK(candidates[4].prompt == "SCHEMA {term}");

  const AblationCandidate& chosen = search.chosen();
  CHECK(chosen.step == 4);
  CHECK(chosen.prompt == "SCHEMA {term}");
  CHECK(chosen.tokens == 13);
  CHECK(chosen.measured->run_id == 104);
}

TEST_CASE("the last section kept is never removed, and the full prompt stays when nothing can go",
          "[ablate]") {
  AblationSearch search = make_search();
  // A model that needs every word: each removal is significantly worse.
  while (const AblationCandidate* c = search.next()) {
    AblationMeasurement m;
    m.conformance = c->removed ? 0.5 : 0.9;
    m.difference = c->removed ? -0.4 : 0;
    m.p_value = c->removed ? 0.001 : 1;
    search.record(m);
  }
  CHECK(search.candidates().size() == 5);
  CHECK(search.chosen().step == 0);
  CHECK(search.chosen().prompt == kPrompt);

  // A model that needs nothing: three removals hold, the fourth would empty the prompt.
  AblationSearch lenient = make_search();
  while (lenient.next() != nullptr) lenient.record(AblationMeasurement{});
  CHECK(lenient.candidates().size() == 4);
  CHECK(lenient.chosen().prompt == "Intro.");
}

TEST_CASE("the search is driven in order: measure before asking for the next", "[ablate]") {
  AblationSearch search = make_search();
  CHECK_THROWS_AS(search.record(AblationMeasurement{}), std::logic_error);
  CHECK_THROWS_AS(search.chosen(), std::logic_error);
  REQUIRE(search.next() != nullptr);
  CHECK_THROWS_AS(search.next(), std::logic_error);
}
