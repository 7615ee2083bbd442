#include <catch2/catch.hpp>

#include "score/check.hpp"
#include "score/scorer.hpp"
#include "test_paths.hpp"

using namespace tb;

namespace {

std::shared_ptr<const Check> check(const std::string& spec) {
  std::string error;
  auto c = make_check(nlohmann::json::parse(spec), {test::source_dir() / "suites/demo.yaml"}, error);
  INFO(error);
  REQUIRE(c);
  return c;
}

std::string check_error(const std::string& spec) {
  std::string error;
  CHECK_FALSE(make_check(nlohmann::json::parse(spec), {}, error));
  return error;
}

Score run(const std::vector<std::shared_ptr<const Check>>& checks, std::string_view output,
          std::string_view reference = "", std::string_view finish = "stop") {
  ScoreInput in;
  in.output = output;
  in.reference = reference;
  in.has_reference = !reference.empty();
  in.finish_reason = finish;
  return score_result(in, checks, {});
}

}  // namespace

TEST_CASE("is-json accepts whole JSON values only and says why not", "[checks]") {
  const auto c = check(R"({"type":"is-json"})");
  CHECK(run({c}, R"( {"a": 1} )").conformant);
  const auto fenced = run({c}, "```json\n{\"a\":1}\n```");
  CHECK_FALSE(fenced.conformant);
  CHECK(fenced.checks[0].detail == "not JSON: wrapped in a ``` fence");
  CHECK(run({c}, "Here you go: {\"a\":1}").checks[0].detail == "not JSON: JSON inside prose");
  CHECK(run({c}, "{\"a\":", "", "length").checks[0].detail == "not JSON: truncated (finish_reason=length)");
}

TEST_CASE("json-schema validates against the demo schema", "[checks]") {
  const auto c = check(R"({"type":"json-schema","schema":"../datasets/schemas/term.schema.json"})");
  CHECK(run({c}, R"({"term":"x","definition":"a long enough text","category":"web","related":["y"]})").conformant);
  const auto missing = run({c}, R"({"term":"x","category":"web","related":["y"]})");
  CHECK_FALSE(missing.conformant);
  CHECK(missing.checks[0].detail.find("definition") != std::string::npos);
  CHECK_FALSE(run({c}, R"({"term":"x","definition":"a long enough text","category":"cooking","related":["y"]})").conformant);
  CHECK_FALSE(run({c}, R"({"term":"x","definition":"a long enough text","category":"web","related":["y"],"extra":1})").conformant);
  CHECK(run({c}, "not json").checks[0].detail == "not JSON");
}

TEST_CASE("regex, equals and contains", "[checks]") {
  CHECK(run({check(R"({"type":"regex","pattern":"^\\d{3}$"})")}, "123").conformant);
  CHECK_FALSE(run({check(R"({"type":"regex","pattern":"^\\d{3}$"})")}, "1234").conformant);
  CHECK(run({check(R"({"type":"regex","pattern":"hello","flags":"i"})")}, "HeLLo there").conformant);
  CHECK(run({check(R"({"type":"equals"})")}, " yes\n", "yes").conformant);
  CHECK(run({check(R"({"type":"equals"})")}, R"({"b":2,"a":1})", R"({"a":1,"b":2})").conformant);
  CHECK_FALSE(run({check(R"({"type":"equals"})")}, "no", "yes").conformant);
  CHECK(run({check(R"({"type":"equals","value":{"a":1}})")}, R"({ "a" : 1 })").conformant);
  const auto contains = run({check(R"({"type":"contains","values":["a","b","c","d"]})")}, "a b");
  CHECK_FALSE(contains.conformant);
  CHECK(contains.score == Approx(0.5));
}

TEST_CASE("field-equals compares a field with the reference or a value", "[checks]") {
  const auto term = check(R"({"type":"field-equals","path":"/term"})");
  CHECK(run({term}, R"({"term":"TLS"})", R"({"term":"TLS","x":1})").conformant);
  const auto wrong = run({term}, R"({"term":"tls"})", R"({"term":"TLS"})");
  CHECK_FALSE(wrong.conformant);
  CHECK(wrong.checks[0].detail == "/term: expected \"TLS\", got \"tls\"");
  CHECK(run({check(R"({"type":"field-equals","path":"/term","ignore_case":true})")}, R"({"term":"tls"})", R"({"term":"TLS"})").conformant);
  CHECK(run({check(R"({"type":"field-equals","path":"/n","value":1.0,"tolerance":0.01})")}, R"({"n":1.005})").conformant);
  CHECK(run({term}, R"({"x":1})", R"({"term":"TLS"})").checks[0].detail == "/term: missing");
}

TEST_CASE("conformance needs every required check; the score is the weighted mean", "[checks]") {
  const auto a = check(R"({"type":"contains","value":"x"})");
  const auto optional = check(R"({"type":"contains","value":"y","required":false,"weight":3})");
  const auto s = run({a, optional}, "x");
  CHECK(s.conformant);
  CHECK(s.score == Approx(0.25));
  CHECK_FALSE(run({a, optional}, "y").conformant);
  CHECK(run({}, "anything").score == 1.0);
}

TEST_CASE("bad check specs are explained", "[checks]") {
  CHECK(check_error(R"({"type":"regex"})") == "pattern: missing");
  CHECK(check_error(R"({"type":"regex","pattern":"a","flags":"q"})") == "flags: unknown flag 'q'; expected any of i, m, s, x");
  CHECK(check_error(R"({"type":"contains","valu":"x"})").find("did you mean \"value\"") != std::string::npos);
  CHECK(check_error(R"({"type":"field-equals","path":"term"})").find("JSON Pointer") != std::string::npos);
  CHECK(check_error(R"({"type":"json-schema","schema":"nope.json"})").starts_with("schema: "));
  CHECK(check_error(R"({"type":"is-json","weight":-1})") == "weight: expected a number >= 0");
  CHECK(check_error(R"(["is-json"])").find("expected a check object") != std::string::npos);
}
