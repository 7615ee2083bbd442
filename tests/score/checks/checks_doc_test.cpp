// Runs every example of docs/checks.md, so the documentation cannot drift from the checks.
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>

#include "common/diagnostic.hpp"
#include "score/check.hpp"
#include "score/scorer.hpp"
#include "score/judge.hpp"
#include "mock/mock_model.hpp"
#include "mock/mock_config.hpp"
#include "suite/source_document.hpp"
#include "test_paths.hpp"

using namespace tb;

namespace {

struct Answer {
  std::string text;
  std::map<std::string, std::string> attributes;  // latency_ms=850 and the like
  int line = 0;
};

struct Example {
  std::string section;  // the "## type" heading it sits under
  std::string spec;     // the one-line check spec, YAML
  int line = 0;
  std::optional<std::string> reference;
  std::vector<Answer> pass;
  std::vector<Answer> fail;
};

std::vector<std::string> words(const std::string& s) {
  std::istringstream in(s);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

// Fenced blocks as CommonMark reads them: an opening run of 3+ backticks with an info string,
// closed by a run at least as long, so a ```` block can hold a ``` fence.
std::vector<Example> read_examples(const std::filesystem::path& file) {
  std::ifstream in(file);
  REQUIRE(in);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  std::vector<Example> examples;
  std::string section;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string& line = lines[i];
    if (line.starts_with("## ")) {
      section = line.substr(3);
      continue;
    }
    if (!line.starts_with("```")) continue;
    const std::size_t ticks = line.find_first_not_of('`');
    const std::size_t fence = ticks == std::string::npos ? line.size() : ticks;
    const auto info = words(line.substr(fence));
    std::string body;
    const int first_line = static_cast<int>(i) + 1;
    for (++i; i < lines.size(); ++i) {
      const std::string& l = lines[i];
      if (l.find_first_not_of('`') == std::string::npos && l.size() >= fence) break;
      if (static_cast<int>(i) > first_line) body += '\n';
      body += l;
    }
    if (info.size() >= 2 && info[0] == "yaml" && info[1] == "check") {
      examples.push_back({section, body, first_line, std::nullopt, {}, {}});
      continue;
    }
    if (info.size() < 2 || info[0] != "text") continue;
    INFO("docs/checks.md:" << first_line);
    REQUIRE_FALSE(examples.empty());
    REQUIRE(examples.back().section == section);
    Answer answer{body, {}, first_line};
    for (std::size_t k = 2; k < info.size(); ++k) {
      const auto eq = info[k].find('=');
      REQUIRE(eq != std::string::npos);
      answer.attributes[info[k].substr(0, eq)] = info[k].substr(eq + 1);
    }
    if (info[1] == "pass") examples.back().pass.push_back(std::move(answer));
    else if (info[1] == "fail") examples.back().fail.push_back(std::move(answer));
    else if (info[1] == "reference") examples.back().reference = body;
    else FAIL("unknown block kind " << info[1]);
  }
  return examples;
}

nlohmann::json parse_spec(const Example& e, const std::filesystem::path& file) {
  SourceDocument doc;
  Diagnostics errors;
  const bool ok = SourceDocument::parse(file, "docs/checks.md", e.spec, doc, errors);
  INFO(errors.to_string());
  REQUIRE(ok);
  return doc.root();
}

bool passes(const std::shared_ptr<const Check>& check, const Example& e, const Answer& a) {
  ScoreInput in;
  in.output = a.text;
  in.has_reference = e.reference.has_value();
  if (e.reference) in.reference = *e.reference;
  in.finish_reason = "stop";
  for (const auto& [key, value] : a.attributes) {
    if (key == "latency_ms") in.latency_ms = std::stod(value);
    else if (key == "cost_usd") in.cost_usd = std::stod(value);
    else if (key == "completion_tokens") in.completion_tokens = std::stoll(value);
    else if (key == "finish_reason") in.finish_reason = value;
    else FAIL("unknown attribute " << key);
  }
  Score s = score_result(in, {check}, {});
  REQUIRE(s.checks.size() == 1);
  if (const JudgeSpec* judge = check->judge()) {
    // The runner's part, without the HTTP: the judge's request to the built-in mock's grader.
    const MockModel grader(default_mock_config());
    const nlohmann::json request = {
        {"model", judge->model},
        {"messages", judge_messages(*judge, "the case's question",
                                    e.reference ? std::optional<std::string_view>(*e.reference) : std::nullopt, a.text)}};
    const auto reply = nlohmann::json::parse(grader.chat_completion(request.dump(), 0).body);
    std::string error;
    const auto verdict = parse_verdict(reply["choices"][0]["message"]["content"].get<std::string>(), error);
    REQUIRE(verdict);
    const auto outcome = judge_outcome(*judge, *verdict);
    s.checks[0].passed = outcome.passed;
    s.checks[0].detail = outcome.detail;
  }
  UNSCOPED_INFO("detail: " << s.checks[0].detail);
  return s.checks[0].passed;
}

}  // namespace

TEST_CASE("every example in docs/checks.md runs as documented", "[checks][docs]") {
  const auto file = test::source_dir() / "docs/checks.md";
  const auto examples = read_examples(file);
  std::map<std::string, int> passes_per_type;
  for (const auto& e : examples) {
    INFO("docs/checks.md:" << e.line << ": " << e.spec);
    const auto spec = parse_spec(e, file);
    std::string error;
    const auto check = make_check(spec, {file}, error);
    INFO(error);
    REQUIRE(check);
    CHECK(check->type() == e.section);  // each example sits under its own check's heading
    CHECK_FALSE(e.pass.empty());
    for (const auto& a : e.pass) {
      INFO("pass block at line " << a.line << ":\n" << a.text);
      CHECK(passes(check, e, a));
      ++passes_per_type[check->type()];
    }
    for (const auto& a : e.fail) {
      INFO("fail block at line " << a.line << ":\n" << a.text);
      CHECK_FALSE(passes(check, e, a));
    }
  }
  // Every registered check is documented with at least one passing example: the registry's
  // own list of names comes from its error for an unknown type.
  std::string error;
  REQUIRE_FALSE(make_check({{"type", "?"}}, {}, error));
  const std::string prefix = "expected one of ";
  const auto from = error.find(prefix);
  REQUIRE(from != std::string::npos);
  std::string list = error.substr(from + prefix.size());
  std::replace(list.begin(), list.end(), ',', ' ');
  std::vector<std::string> registered;
  for (const auto& w : words(list)) {
    if (w != "or") registered.push_back(w);
  }
  CHECK(registered.size() == 18);
  for (const auto& type : registered) {
    INFO(type << " has no passing example in docs/checks.md");
    CHECK(passes_per_type[type] > 0);
  }
}
