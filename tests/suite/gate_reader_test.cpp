#include <catch2/catch.hpp>

#include "suite/suite_loader.hpp"
#include "test_paths.hpp"

using namespace tb;

namespace {

const char* kBase = R"(name: t
dataset: d.jsonl
variants:
  - {id: base, endpoint: mock, model: gpt-4o-mini}
  - {id: fine-tuned, endpoint: mock, model: "ft:gpt-4o-mini:acme::1"}
)";

struct Loaded {
  std::optional<Suite> suite;
  std::string errors;
};

Loaded load(const std::string& gate) {
  test::TempDir dir;
  test::write_text(dir / "d.jsonl", R"({"messages":[{"role":"user","content":"q"}]})" "\n");
  test::write_text(dir / "s.yaml", std::string(kBase) + gate);
  Diagnostics errors;
  Loaded out;
  out.suite = load_suite(dir / "s.yaml", errors);
  for (const auto& d : errors.items()) {
    std::string line = d.to_string();
    out.errors += line.substr(line.find("s.yaml")) + "\n";
  }
  return out;
}

}  // namespace

TEST_CASE("gate: every kind of gate is read, per variant or for all", "[suite][gate]") {
  const auto l = load(R"(gate:
  min_conformance: {fine-tuned: 0.95}
  use: lower_bound
  no_regression:
    - {against: latest-passing, variants: [fine-tuned], max_regressed_cases: 2, alpha: 0.01}
    - {against: "variant:base", variants: [fine-tuned]}
  max_cost_per_1k: 0.5
  max_p95_latency_ms: {base: 2000}
  max_error_rate: 0.01
  min_pass_all: {fine-tuned: 0.9}
)");
  INFO(l.errors);
  REQUIRE(l.suite);
  const Gates& g = l.suite->gates;
  CHECK(g.min_conformance == std::map<std::string, double>{{"fine-tuned", 0.95}});
  CHECK(g.use_lower_bound);
  REQUIRE(g.no_regression.size() == 2);
  CHECK(g.no_regression[0].against == "latest-passing");
  CHECK(g.no_regression[0].max_regressed_cases == 2);
  CHECK(g.no_regression[0].alpha == 0.01);
  CHECK(g.no_regression[1].against == "variant:base");
  CHECK(g.no_regression[1].variants == std::vector<std::string>{"fine-tuned"});
  CHECK(g.max_cost_per_1k == std::map<std::string, double>{{"*", 0.5}});
  CHECK(g.max_p95_latency_ms.at("base") == 2000);
  CHECK(g.max_error_rate.at("*") == 0.01);
  CHECK(g.min_pass_all.at("fine-tuned") == 0.9);
}

TEST_CASE("gate: mistakes are errors with their line", "[suite][gate]") {
  CHECK(load("gate: {min_conformance: {fine-tune: 0.9}}\n").errors ==
        "s.yaml:6: gate.min_conformance.fine-tune: no variant has id \"fine-tune\"; expected one of base or "
        "fine-tuned or * (did you mean \"fine-tuned\"?)\n");
  CHECK(load("gate: {min_conformance: 1.5}\n").errors.find("expected a number from 0 to 1; got 1.5") != std::string::npos);
  CHECK(load("gate: {use: lowerbound, min_conformance: 0.9}\n").errors ==
        "s.yaml:6: gate.use: expected point or lower_bound; got \"lowerbound\"\n");
  CHECK(load("gate: {no_regression: {against: yesterday}}\n").errors ==
        "s.yaml:6: gate.no_regression.against: expected latest-passing, a run id, FILE.db:RUN or variant:ID; got "
        "\"yesterday\"\n");
  CHECK(load("gate: {no_regression: {against: \"variant:base\"}}\n").errors ==
        "s.yaml:6: gate.no_regression: variants: missing; name the variants that must not fall below base\n");
  CHECK(load("gate: {}\n").errors.find("no gate given") != std::string::npos);
  CHECK(load("gate: {min_conformence: 0.9}\n").errors.find("did you mean \"min_conformance\"") !=
        std::string::npos);
  // Runs in other files are named FILE.db:RUN.
  CHECK(load("gate: {no_regression: {against: \"prod.db:12\"}}\n").suite.has_value());
  // A run id may be written as a number.
  const auto numbered = load("gate: {no_regression: {against: 12}}\n");
  REQUIRE(numbered.suite);
  CHECK(numbered.suite->gates.no_regression.at(0).against == "12");
  // An empty list would silently check every variant; a variant cannot regress against itself.
  CHECK(load("gate: {no_regression: {against: latest-passing, variants: []}}\n").errors.find(
            "gate.no_regression.variants: empty") != std::string::npos);
  CHECK(load("gate: {no_regression: {against: \"variant:base\", variants: [base, fine-tuned]}}\n")
            .errors.find("a variant cannot regress against itself") != std::string::npos);
}

TEST_CASE("gate: the gates of a stored suite are read back from its JSON", "[suite][gate]") {
  Diagnostics errors;
  const auto gates = load_gates(R"({"name":"t","gate":{"min_conformance":{"ft":0.9}}})", {"base", "ft"}, errors);
  REQUIRE(gates);
  CHECK(gates->min_conformance.at("ft") == 0.9);
  const auto none = load_gates(R"({"name":"t"})", {"base"}, errors);
  REQUIRE(none);
  CHECK(none->empty());
  CHECK_FALSE(load_gates(R"({"gate":{"min_conformance":{"gone":0.9}}})", {"base"}, errors));
}
