#include <catch2/catch.hpp>

#include <random>

#include "score/check.hpp"
#include "score/scorer.hpp"
#include "test_paths.hpp"

using namespace tb;

namespace {

std::shared_ptr<const Check> check(const std::string& spec) {
  std::string error;
  auto c = make_check(nlohmann::json::parse(spec), {test::source_dir() / "suites/demo.yaml"}, error);
  INFO(spec << ": " << error);
  REQUIRE(c);
  return c;
}

std::string check_error(const std::string& spec) {
  std::string error;
  CHECK_FALSE(make_check(nlohmann::json::parse(spec), {test::source_dir() / "suites/demo.yaml"}, error));
  return error;
}

struct Answer {
  std::string output;
  std::string reference;
  std::string finish = "stop";
  double latency_ms = 0;
  double cost_usd = 0;
  long long completion_tokens = 0;
};

CheckResult run(const std::shared_ptr<const Check>& c, const Answer& a) {
  ScoreInput in;
  in.output = a.output;
  in.reference = a.reference;
  in.has_reference = !a.reference.empty();
  in.finish_reason = a.finish;
  in.latency_ms = a.latency_ms;
  in.cost_usd = a.cost_usd;
  in.completion_tokens = a.completion_tokens;
  auto s = score_result(in, {c}, {});
  REQUIRE(s.checks.size() == 1);
  return s.checks[0];
}

CheckResult run(const std::shared_ptr<const Check>& c, const std::string& output,
                const std::string& reference = "") {
  return run(c, Answer{output, reference});
}

}  // namespace

TEST_CASE("contains-json finds JSON anywhere and says where", "[checks]") {
  const auto c = check(R"({"type":"contains-json"})");
  const auto whole = run(c, R"({"a":1})");
  CHECK(whole.passed);
  CHECK(whole.detail.empty());
  const auto fenced = run(c, "```json\n{\"a\":1}\n```");
  CHECK(fenced.passed);
  CHECK(fenced.detail == "fenced");
  const auto prose = run(c, "Here it is: [1, 2]. Enjoy.");
  CHECK(prose.passed);
  CHECK(prose.detail == "inside prose");
  const auto repairable = run(c, "{\"a\": 1,}");
  CHECK_FALSE(repairable.passed);
  CHECK(repairable.score == 0);
  CHECK(repairable.detail == "repairable: trailing comma");
  const auto none = run(c, "I don't know.");
  CHECK_FALSE(none.passed);
  CHECK(none.detail == "no JSON value found");
}

TEST_CASE("contains-json validates the extracted value against a schema", "[checks]") {
  const auto c = check(R"({"type":"contains-json","schema":{"type":"object","required":["term"]}})");
  CHECK(run(c, "Sure: {\"term\": \"TLS\"}").passed);
  const auto missing = run(c, "Sure: {\"word\": \"TLS\"}");
  CHECK_FALSE(missing.passed);
  CHECK(missing.detail == "inside prose; /: missing required property \"term\"");
  CHECK_FALSE(run(c, R"(["term"])").passed);
  // A schema file resolves against the suite, as json-schema's does.
  const auto file = check(R"({"type":"contains-json","schema":"../datasets/schemas/term.schema.json"})");
  const std::string entry =
      R"({"term":"x","definition":"a long enough text","category":"web","related":["y"]})";
  CHECK(run(file, "```json\n" + entry + "\n```").passed);
  CHECK_FALSE(run(file, "```json\n{\"term\":\"x\"}\n```").passed);
}

TEST_CASE("icontains ignores case, Unicode included", "[checks]") {
  const auto c = check(R"({"type":"icontains","values":["transport layer","été"]})");
  CHECK(run(c, "TLS: TRANSPORT LAYER Security, ÉTÉ edition").passed);
  const auto half = run(c, "Transport Layer Security");
  CHECK_FALSE(half.passed);
  CHECK(half.score == Approx(0.5));
  CHECK(half.detail == "missing \"été\" (any case)");
  // Invalid UTF-8 in the answer is no error, just no match.
  CHECK_FALSE(run(check(R"({"type":"icontains","value":"abc"})"), "\xff\xfe").passed);
  CHECK(run(check(R"({"type":"icontains","value":"abc"})"), "\xff xABCx").passed);
}

TEST_CASE("not-contains fails when any text is present", "[checks]") {
  const auto c = check(R"({"type":"not-contains","values":["As an AI","I cannot"]})");
  CHECK(run(c, "TLS is a protocol.").passed);
  const auto bad = run(c, "As an AI, I think TLS is a protocol.");
  CHECK_FALSE(bad.passed);
  CHECK(bad.score == Approx(0.5));
  CHECK(bad.detail == "contains \"As an AI\"");
  CHECK(run(c, "as an ai").passed);  // case-sensitive, like contains
  CHECK(run(check(R"({"type":"not-contains","value":"x"})"), "x").score == 0);
}

TEST_CASE("starts-with ignores leading whitespace only", "[checks]") {
  const auto c = check(R"({"type":"starts-with","value":"{\"term\""})");
  CHECK(run(c, "\n  {\"term\": \"TLS\"}").passed);
  const auto bad = run(c, "Here: {\"term\": \"TLS\"}");
  CHECK_FALSE(bad.passed);
  CHECK(bad.detail == "starts with \"Here: {\\\"term\\\": \\\"T\"; expected \"{\\\"term\\\"\"");
  CHECK(run(c, "  ").detail.starts_with("empty output"));
  CHECK_FALSE(run(check(R"({"type":"starts-with","value":"Answer:"})"), "answer: yes").passed);
}

TEST_CASE("field-matches runs a regex on one string field", "[checks]") {
  const auto c = check(R"({"type":"field-matches","path":"/date","pattern":"^\\d{4}-\\d{2}-\\d{2}$"})");
  CHECK(run(c, R"({"date":"2024-06-11"})").passed);
  const auto bad = run(c, R"({"date":"11/06/2024"})");
  CHECK_FALSE(bad.passed);
  CHECK(bad.detail == "/date: \"11/06/2024\" does not match /^\\d{4}-\\d{2}-\\d{2}$/");
  CHECK(run(c, R"({"date":20240611})").detail == "/date: expected a string, got 20240611");
  CHECK(run(c, R"({"day":"2024-06-11"})").detail == "/date: missing");
  CHECK(run(c, "2024-06-11").detail == "not JSON");
  const auto ci = check(R"({"type":"field-matches","path":"/term","pattern":"^tls$","flags":"i"})");
  CHECK(run(ci, R"({"term":"TLS"})").passed);
}

TEST_CASE("field-accuracy scores the share of reference fields reproduced", "[checks]") {
  const std::string reference =
      R"({"term":"TLS","category":"security","related":["SSL","HTTPS"],"year":1999})";
  const std::string three_of_five =
      R"({"term":"TLS","category":"web","related":["SSL"],"year":1999})";
  const auto all = check(R"({"type":"field-accuracy"})");
  const auto exact = run(
      all, R"({"year":1999,"related":["SSL","HTTPS"],"category":"security","term":"TLS","x":1})",
      reference);
  CHECK(exact.passed);
  CHECK(exact.score == 1);
  CHECK(exact.detail == "5/5 fields match");
  const auto partial = run(all, three_of_five, reference);
  CHECK_FALSE(partial.passed);
  CHECK(partial.score == Approx(0.6));
  CHECK(partial.detail == "3/5 fields match; first mismatch /category");
  // A threshold lets partial answers pass.
  CHECK(run(check(R"({"type":"field-accuracy","threshold":0.6})"), three_of_five, reference).passed);
  // Restricted to some fields; a whole array counts its elements.
  const auto some = check(R"({"type":"field-accuracy","fields":["/term","/related"]})");
  const auto r = run(some, R"({"term":"TLS","related":["SSL","HTTP"]})", reference);
  CHECK(r.score == Approx(2.0 / 3.0));
  CHECK(r.detail == "2/3 fields match; first mismatch /related/1");
  // Numbers within a tolerance.
  CHECK(run(check(R"({"type":"field-accuracy","tolerance":0.5})"), R"({"v":1.4})", R"({"v":1})").passed);
  CHECK_FALSE(run(all, R"({"v":1.4})", R"({"v":1})").passed);
  // Keys that need escaping are named as JSON Pointers.
  CHECK(run(all, R"({"a/b":2})", R"({"a/b":1})").detail == "0/1 fields match; first mismatch /a~1b");
  CHECK(run(all, "not json", reference).detail == "not JSON");
  CHECK(run(all, R"({"a":1})", "plain text").detail == "the reference answer is not JSON");
  CHECK(run(all, R"({"a":1})").detail == "the case has no reference answer to compare with");
  CHECK(run(check(R"({"type":"field-accuracy","fields":["/nope"]})"), R"({"a":1})", R"({"a":1})").detail ==
        "the reference answer has none of the fields");
}

TEST_CASE("max-length counts characters, not bytes", "[checks]") {
  const auto c = check(R"({"type":"max-length","max":5})");
  const auto ok = run(c, "héllo");  // 5 characters, 6 bytes
  CHECK(ok.passed);
  CHECK(ok.detail == "5 characters");
  const auto bad = run(c, "héllo!");
  CHECK_FALSE(bad.passed);
  CHECK(bad.detail == "6 characters; max 5");
}

TEST_CASE("max-tokens reads the completion tokens of the usage", "[checks]") {
  const auto c = check(R"({"type":"max-tokens","max":100})");
  CHECK(run(c, Answer{"x", "", "stop", 0, 0, 100}).passed);
  const auto bad = run(c, Answer{"x", "", "stop", 0, 0, 1234});
  CHECK_FALSE(bad.passed);
  CHECK(bad.detail == "1,234 completion tokens; max 100");
}

TEST_CASE("latency and cost budgets", "[checks]") {
  const auto latency = check(R"({"type":"latency","max_ms":1000})");
  CHECK(run(latency, Answer{"x", "", "stop", 1000}).passed);
  const auto slow = run(latency, Answer{"x", "", "stop", 1500.4});
  CHECK_FALSE(slow.passed);
  CHECK(slow.detail == "1500 ms; max 1000 ms");
  const auto cost = check(R"({"type":"cost","max_usd":0.001})");
  CHECK(run(cost, Answer{"x", "", "stop", 0, 0.0005}).passed);
  const auto dear = run(cost, Answer{"x", "", "stop", 0, 0.0025});
  CHECK_FALSE(dear.passed);
  CHECK(dear.detail == "$0.002500; max $0.001000");
}

TEST_CASE("similarity is normalised edit distance on code points", "[checks]") {
  const auto c = check(R"({"type":"similarity"})");
  const auto same = run(c, " Transport Layer Security\n", "Transport Layer Security");
  CHECK(same.passed);
  CHECK(same.score == 1);
  // kitten -> sitting: 3 edits over 7 characters.
  const auto kitten = run(check(R"({"type":"similarity","value":"sitting","threshold":0.5})"), "kitten");
  CHECK(kitten.passed);
  CHECK(kitten.score == Approx(1.0 - 3.0 / 7.0));
  const auto far = run(c, "kitten", "sitting");
  CHECK_FALSE(far.passed);
  CHECK(far.detail == "similarity 0.571; min 0.800");
  // One edit, not two: é is one code point.
  CHECK(run(c, "café", "cafe").score == Approx(0.75));
  CHECK(run(check(R"({"type":"similarity","value":""})"), "  ").score == 1);
  CHECK(run(c, "abc").detail == "the case has no reference answer to compare with");
}

TEST_CASE("similarity matches the textbook edit distance on random texts", "[checks]") {
  // The bit-parallel algorithm works in 64-row blocks; lengths around 64 and 128 cross them.
  const auto naive = [](const std::u32string& a, const std::u32string& b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
      std::size_t diagonal = row[0];
      row[0] = i;
      for (std::size_t j = 1; j <= b.size(); ++j) {
        const std::size_t above = row[j];
        row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
        diagonal = above;
      }
    }
    return row[b.size()];
  };
  std::mt19937 rng(7);
  const std::u32string letters = U"abcdé漢";
  const auto utf8 = [](const std::u32string& s) {
    std::string out;
    for (const char32_t c : s) {
      if (c < 0x80) {
        out += static_cast<char>(c);
      } else if (c < 0x800) {
        out += static_cast<char>(0xC0 | (c >> 6));
        out += static_cast<char>(0x80 | (c & 0x3F));
      } else {
        out += static_cast<char>(0xE0 | (c >> 12));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (c & 0x3F));
      }
    }
    return out;
  };
  for (int round = 0; round < 300; ++round) {
    std::u32string a(rng() % 200 + 1, U'a');
    std::u32string b(rng() % 200 + 1, U'a');
    const std::size_t alphabet = 1 + rng() % letters.size();
    for (auto& ch : a) ch = letters[rng() % alphabet];
    for (auto& ch : b) ch = letters[rng() % alphabet];
    const auto c = check(R"({"type":"similarity","value":)" + nlohmann::json(utf8(b)).dump() + "}");
    const double expected = 1.0 - static_cast<double>(naive(a, b)) /
                                      static_cast<double>(std::max(a.size(), b.size()));
    INFO(utf8(a) << " vs " << utf8(b));
    CHECK(run(c, utf8(a)).score == Approx(expected).epsilon(1e-12));
  }
}

TEST_CASE("similarity caps huge texts and says so", "[checks]") {
  const std::string a(30000, 'a');
  const std::string b = std::string(30000, 'a') + std::string(1000, 'b');
  const auto r = run(check(R"({"type":"similarity"})"), a, b);
  // Only the first 20,000 characters of each are compared, and they are equal.
  CHECK(r.score == 1);
  CHECK(r.detail == "similarity 1.000 (compared the first 20,000 characters)");
  std::string x;
  std::string y;
  for (int i = 0; i < 20000; ++i) {
    x += static_cast<char>('a' + i % 7);
    y += static_cast<char>('a' + i % 5);
  }
  const auto different = run(check(R"({"type":"similarity"})"), x, y);
  CHECK(different.score > 0);
  CHECK(different.score < 0.8);
}

TEST_CASE("new checks explain bad specs", "[checks]") {
  // spec -> the start of its error (the whole error, unless it goes on with specifics).
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"type":"contains-json","schema":7})", "schema: expected a file path or a schema object"},
      {R"({"type":"contains-json","formats":true})", "formats: only meaningful with a schema"},
      {R"({"type":"contains-json","schema":"nope.json"})", "schema: "},
      {R"({"type":"icontains"})", "value: missing; give value: TEXT or values: [TEXT, ...]"},
      {R"({"type":"icontains","value":"a","values":"x"})",
       "values: expected a non-empty array of strings"},
      {R"({"type":"not-contains","values":[]})", "values: expected a non-empty array of strings"},
      {R"({"type":"not-contains","value":3})", "value: expected a string"},
      {R"({"type":"starts-with"})", "value: missing"},
      {R"({"type":"starts-with","value":""})", "value: expected a non-empty string"},
      {R"({"type":"field-matches","pattern":"x"})", "path: missing"},
      {R"({"type":"field-matches","path":"/a"})", "pattern: missing"},
      {R"({"type":"field-matches","path":"a","pattern":"x"})",
       "path: expected a JSON Pointer such as /term; got \"a\""},
      {R"({"type":"field-matches","path":"/a","pattern":"("})",
       "pattern: invalid regex at offset 1: "},
      {R"({"type":"field-matches","path":"/a","pattern":"x","flags":"g"})",
       "flags: unknown flag 'g'; expected any of i, m, s, x"},
      {R"({"type":"field-accuracy","threshold":1.5})",
       "threshold: expected a number between 0 and 1"},
      {R"({"type":"field-accuracy","tolerance":-1})", "tolerance: expected a number >= 0"},
      {R"({"type":"field-accuracy","fields":[]})", "fields: expected a non-empty list"},
      {R"({"type":"field-accuracy","fields":["term"]})",
       "fields: expected JSON Pointers such as /term; got \"term\""},
      {R"({"type":"field-accuracy","fields":[1]})",
       "fields: expected JSON Pointers such as /term; got 1"},
      {R"({"type":"max-length"})", "max: missing"},
      {R"({"type":"max-length","max":-1})", "max: expected a whole number >= 0"},
      {R"({"type":"max-tokens","max":1.5})", "max: expected a whole number >= 0"},
      {R"({"type":"max-tokens","max":"10"})", "max: expected a number"},
      {R"({"type":"similarity","threshold":"high"})", "threshold: expected a number"},
      {R"({"type":"similarity","threshold":-0.1})", "threshold: expected a number between 0 and 1"},
      {R"({"type":"latency"})", "max_ms: missing"},
      {R"({"type":"latency","max_ms":0})", "max_ms: expected a number of milliseconds > 0"},
      {R"({"type":"cost"})", "max_usd: missing"},
      {R"({"type":"cost","max_usd":-0.01})", "max_usd: expected a number of US dollars >= 0"},
      // Unknown keys and types, with a hint where one is close.
      {R"({"type":"latency","max":10})", "unknown key \"max\" for check \"latency\""},
      {R"({"type":"cost","max_usd":1,"currency":"EUR"})",
       "unknown key \"currency\" for check \"cost\""},
  };
  for (const auto& [spec, expected] : cases) {
    INFO(spec);
    CHECK(check_error(spec).substr(0, expected.size()) == expected);
  }
  CHECK(check_error(R"({"type":"similarity","treshold":0.5})")
            .ends_with("(did you mean \"threshold\"?)"));
  CHECK(check_error(R"({"type":"icontain","value":"x"})")
            .ends_with("(did you mean \"icontains\"?)"));
}

TEST_CASE("the common keys apply to the new checks", "[checks]") {
  const auto c = check(R"({"type":"max-length","max":3,"name":"short","required":false,"weight":2})");
  CHECK(c->name() == "short");
  CHECK(c->type() == "max-length");
  CHECK_FALSE(c->required());
  CHECK(c->weight() == 2);
}
