#include "suite/dataset_check.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "test_paths.hpp"

using namespace tb;
namespace fs = std::filesystem;

namespace {

// Fails (never skips) without the rank files, as the tokenizer's own tests do.
ChatTokenCounter counter_or_fail(std::string_view model) {
  fs::path dir;
  if (const char* env = std::getenv("TIKTOKEN_CACHE_DIR"); env != nullptr && *env != '\0') dir = env;
  else dir = TUNEBENCH_VOCAB_DIR;
  try {
    auto counter = ChatTokenCounter::for_model(model, dir);
    REQUIRE(counter);
    return *counter;
  } catch (const TokenizerError& e) {
    FAIL("rank files missing (run scripts/setup or set TIKTOKEN_CACHE_DIR): " << e.what());
    throw;
  }
}

const std::string kGood =
    R"({"messages":[{"role":"system","content":"Define the term as JSON."},{"role":"user","content":"Paxos"},{"role":"assistant","content":"{\"term\":\"Paxos\"}"}]})";

DatasetCheckSettings settings(long long limit = 65536) {
  DatasetCheckSettings s;
  s.display_name = "train.jsonl";
  s.model = "gpt-4o-mini";
  s.token_limit = limit;
  s.training_price = 3.00;
  return s;
}

DatasetCheckReport check_lines(const std::vector<std::string>& lines, DatasetCheckSettings s = settings()) {
  static const ChatTokenCounter counter = counter_or_fail("gpt-4o-mini");
  DatasetChecker checker(std::move(s), counter);
  int line = 0;
  for (const auto& text : lines) checker.add_line(text, ++line);
  return checker.finish();
}

// The lines of `n` good examples followed by `extra`.
std::vector<std::string> good_then(int n, const std::vector<std::string>& extra = {}) {
  std::vector<std::string> lines(static_cast<std::size_t>(n), kGood);
  lines.insert(lines.end(), extra.begin(), extra.end());
  return lines;
}

std::vector<DatasetProblem> problems_of(const DatasetCheckReport& r, const std::string& kind) {
  std::vector<DatasetProblem> out;
  for (const auto& p : r.problems)
    if (p.kind == kind) out.push_back(p);
  return out;
}

}  // namespace

TEST_CASE("default epochs follow the API's rule", "[dataset-check]") {
  CHECK(default_epochs(0) == 0);
  CHECK(default_epochs(1) == 25);      // 100 // 1 = 100, capped at 25
  CHECK(default_epochs(3) == 25);      // 100 // 3 = 33, capped
  CHECK(default_epochs(5) == 20);      // 5 x 3 < 100: 100 // 5
  CHECK(default_epochs(10) == 10);
  CHECK(default_epochs(33) == 3);      // 99 < 100: 100 // 33 = 3
  CHECK(default_epochs(34) == 3);
  CHECK(default_epochs(100) == 3);
  CHECK(default_epochs(8333) == 3);    // 24,999 <= 25,000
  CHECK(default_epochs(8334) == 2);    // 25,002 > 25,000: 25,000 // 8,334
  CHECK(default_epochs(10000) == 2);
  CHECK(default_epochs(50000) == 1);   // 25,000 // 50,000 = 0, at least 1
}

TEST_CASE("chat tokens are counted with the API's per-message overhead", "[dataset-check]") {
  const ChatTokenCounter counter = counter_or_fail("gpt-4o-mini");
  // 3 per message + "user" (1) + "hello world" (2) + 3 priming the reply.
  CHECK(count_chat_tokens(counter, nlohmann::json::parse(R"([{"role":"user","content":"hello world"}])")) == 9);
  // Content parts count as their text; a name adds its tokens and 1.
  CHECK(count_chat_tokens(counter, nlohmann::json::parse(
                                       R"([{"role":"user","content":[{"type":"text","text":"hello world"}]}])")) == 9);
  const auto named = nlohmann::json::parse(R"([{"role":"user","content":"hello world","name":"bob"}])");
  const ChatTokenMessage m{"user", "hello world", "bob"};
  CHECK(count_chat_tokens(counter, named) == counter.count(std::span<const ChatTokenMessage>(&m, 1)));
  CHECK(count_chat_tokens(counter, named) == 9 + 1 + counter.encoding().count("bob"));
  // Tool calls count as their JSON text on top of the message.
  const auto call = nlohmann::json::parse(
      R"([{"role":"assistant","tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{}"}}]}])");
  CHECK(count_chat_tokens(counter, call) ==
        3 + 1 + 3 + counter.encoding().count(call[0]["tool_calls"].dump()));
}

TEST_CASE("a clean file has no problems, a token distribution, epochs and a cost", "[dataset-check]") {
  const auto r = check_lines(good_then(100));
  CHECK(r.ok());
  CHECK(r.errors == 0);
  CHECK(r.warnings == 0);
  CHECK(r.problems.empty());
  CHECK(r.examples == 100);
  CHECK(r.counted_examples == 100);
  CHECK(r.tokens.min == r.tokens.max);
  CHECK(r.tokens.mean == Approx(static_cast<double>(r.tokens.min)));
  CHECK(r.assistant_tokens.min > 0);
  CHECK(r.epochs == 3);
  CHECK(r.default_epochs);
  CHECK(r.tokens_per_epoch == 100 * r.tokens.min);
  CHECK(r.billed_tokens == 3 * r.tokens_per_epoch);
  REQUIRE(r.estimated_cost_usd);
  CHECK(*r.estimated_cost_usd == Approx(static_cast<double>(r.billed_tokens) * 3.0 / 1e6));
}

TEST_CASE("an --epochs value overrides the default", "[dataset-check]") {
  auto s = settings();
  s.epochs = 7;
  const auto r = check_lines(good_then(20), s);
  CHECK(r.epochs == 7);
  CHECK_FALSE(r.default_epochs);
  CHECK(r.billed_tokens == 7 * r.tokens_per_epoch);
}

TEST_CASE("fewer than 10 examples is an error, fewer than 50 a warning", "[dataset-check]") {
  const auto nine = check_lines(good_then(9));
  CHECK_FALSE(nine.ok());
  REQUIRE(problems_of(nine, "too_few_examples").size() == 1);
  CHECK(problems_of(nine, "too_few_examples")[0].line == 0);
  CHECK(problems_of(nine, "too_few_examples")[0].message.find("at least 10") != std::string::npos);
  CHECK(nine.epochs == 11);  // 100 // 9

  const auto twenty = check_lines(good_then(20));
  CHECK(twenty.ok());
  CHECK(twenty.warning_counts.at("few_examples") == 1);

  const auto empty = check_lines({});
  CHECK_FALSE(empty.ok());
  CHECK(empty.error_counts.at("too_few_examples") == 1);
  CHECK(empty.billed_tokens == 0);
}

TEST_CASE("every problem of every line is reported with its line", "[dataset-check]") {
  const auto r = check_lines(good_then(
      12, {
              R"({"messages":[{"role":"user","content":"x","colour":"red"},{"role":"assistant","content":"y"}]})",  // 13
              R"({"messages":[{"role":"bot","content":"x"},{"role":"assistant"}]})",                                // 14
              R"({"messages":[{"role":"system","content":"s"},{"role":"user","content":"x"}]})",                    // 15
              R"([1,2,3])",                                                                                         // 16
              R"({"prompt":"x"})",                                                                                  // 17
              R"({"messages":[{"content":"x"},{"role":"assistant","content":""}]})",                                // 18
              R"({"messages": [ {"role":"user","content":"x"}, {"role":"assistant","content":"y"})",                // 19
              R"({"messages":[]})",                                                                                 // 20
              R"({"messages":[{"role":"user","content":null},{"role":"assistant","content":42,"weight":2}]})",      // 21
          }));
  CHECK_FALSE(r.ok());
  const auto at = [&](int line, const std::string& kind) {
    for (const auto& p : r.problems)
      if (p.line == line && p.kind == kind) return true;
    return false;
  };
  CHECK(at(13, "message_unrecognized_key"));
  CHECK(at(14, "unrecognized_role"));
  CHECK(at(14, "message_missing_key"));  // the assistant has no content
  CHECK(at(15, "example_missing_assistant_message"));
  CHECK(at(16, "data_type"));
  CHECK(at(17, "missing_messages_list"));
  CHECK(at(18, "message_missing_key"));  // no role
  CHECK(at(18, "missing_content"));      // empty assistant content
  CHECK(at(18, "missing_user_message"));
  CHECK(at(19, "invalid_json"));
  CHECK(at(20, "missing_messages_list"));
  CHECK(at(21, "missing_content"));
  CHECK(at(21, "invalid_weight"));
  CHECK(r.error_counts.at("missing_content") == 3);  // line 18 once, line 21 twice
  const auto weighted = check_lines(good_then(10, {R"({"messages":[{"role":"user","content":"x","weight":1},{"role":"assistant","content":"y"}]})"}));
  CHECK(weighted.ok());
  CHECK(weighted.warning_counts.at("weight_not_on_assistant") == 1);
  // Warnings: no system message on 13, 14, 18 (and 21).
  CHECK(at(13, "missing_system_message"));
  CHECK(at(14, "missing_user_message"));
  // Fields and messages say what to fix.
  for (const auto& p : r.problems) {
    if (p.line == 13 && p.kind == "message_unrecognized_key") {
      CHECK(p.field == "messages[0].colour");
      CHECK(p.message.find("role, content, name") != std::string::npos);
    }
    if (p.line == 14 && p.kind == "unrecognized_role") CHECK(p.message.find("\"bot\"") != std::string::npos);
  }
  // Problems come in line order.
  for (std::size_t i = 1; i < r.problems.size(); ++i) CHECK(r.problems[i - 1].line <= r.problems[i].line);
  // The 12 good examples + the countable broken ones.
  CHECK(r.examples == 21);
  CHECK(r.counted_examples == 21 - 4);  // 16, 17, 19, 20 have no countable messages
}

TEST_CASE("an assistant message that calls a tool may omit its content", "[dataset-check]") {
  const auto r = check_lines(good_then(
      10,
      {R"({"messages":[{"role":"user","content":"weather?"},{"role":"assistant","tool_calls":[{"id":"c","type":"function","function":{"name":"w","arguments":"{}"}}]},{"role":"tool","tool_call_id":"c","content":"sunny"},{"role":"assistant","content":"Sunny.","weight":1}]})",
       R"({"messages":[{"role":"user","content":"x"},{"role":"assistant","content":null,"function_call":{"name":"f","arguments":"{}"}}]})"}));
  INFO((r.problems.empty() ? std::string() : r.problems.front().kind + ": " + r.problems.front().message));
  CHECK(r.errors == 0);
  CHECK(r.warning_counts.at("missing_system_message") == 2);
}

TEST_CASE("examples over the limit are listed and billed at the limit", "[dataset-check]") {
  const auto base = check_lines(good_then(10));
  const long long each = base.tokens.min;
  const std::string long_line =
      R"({"messages":[{"role":"system","content":"s"},{"role":"user","content":")" + std::string(2000, 'a') +
      R"("},{"role":"assistant","content":"y"}]})";
  const long long limit = each + 5;
  const auto r = check_lines(good_then(10, {long_line}), settings(limit));
  CHECK(r.ok());  // a warning: the API truncates
  CHECK(r.over_limit_count == 1);
  REQUIRE(r.over_limit.size() == 1);
  CHECK(r.over_limit[0].line == 11);
  CHECK(r.over_limit[0].tokens > limit);
  CHECK(r.tokens_per_epoch == 10 * each + limit);
  CHECK(r.tokens.max == r.over_limit[0].tokens);
}

TEST_CASE("the listing is capped per kind but every problem is counted", "[dataset-check]") {
  auto s = settings();
  s.max_listed_per_kind = 3;
  const auto r = check_lines(good_then(10, std::vector<std::string>(8, "[]")), s);
  CHECK(r.error_counts.at("data_type") == 8);
  CHECK(problems_of(r, "data_type").size() == 3);
  CHECK(r.errors == 8);
}

TEST_CASE("blank lines are warnings and do not count as examples", "[dataset-check]") {
  const auto r = check_lines(good_then(10, {"", "   "}));
  CHECK(r.ok());
  CHECK(r.examples == 10);
  CHECK(r.blank_lines == 2);
  CHECK(r.warning_counts.at("blank_line") == 2);
}

TEST_CASE("check_dataset_file reads a file and names a missing one", "[dataset-check]") {
  test::TempDir dir;
  std::string text;
  for (int i = 0; i < 12; ++i) text += kGood + "\r\n";  // CRLF line ends are fine
  test::write_text(dir / "t.jsonl", text);
  const ChatTokenCounter counter = counter_or_fail("gpt-4o-mini");
  std::string error;
  const auto r = check_dataset_file(dir / "t.jsonl", settings(), counter, error);
  REQUIRE(r);
  CHECK(r->ok());
  CHECK(r->examples == 12);
  const auto j = to_json(*r);
  CHECK(j["ok"] == true);
  CHECK(j["billed_tokens"] == r->billed_tokens);
  CHECK(j["tokens_per_example"]["max"] == r->tokens.max);

  auto s = settings();
  s.display_name = "nope.jsonl";
  CHECK_FALSE(check_dataset_file(dir / "nope.jsonl", s, counter, error));
  CHECK(error.find("nope.jsonl") != std::string::npos);
}
