#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "mock/mock_model.hpp"
#include "test_paths.hpp"

using namespace tb;
using json = nlohmann::json;

namespace {

const std::string kLongPrompt =
    "Reply with one JSON object with the fields term, definition, category and related.";
const std::string kShortPrompt = "Define the technical term.";

std::string request(const std::string& model, const std::string& system, const std::string& user,
                    int max_tokens = 0) {
  json body = {{"model", model},
               {"messages", {{{"role", "system"}, {"content", system}}, {{"role", "user"}, {"content", user}}}}};
  if (max_tokens > 0) body["max_tokens"] = max_tokens;
  return body.dump();
}

MockModel model_with_cases(MockConfig config, int n) {
  MockModel m(std::move(config));
  for (int i = 0; i < n; ++i)
    m.add_case("term" + std::to_string(i),
               json{{"term", "term" + std::to_string(i)}, {"definition", "a definition of the term"},
                    {"category", "web"}, {"related", {"x", "y"}}}.dump());
  return m;
}

double json_rate(const MockModel& m, const std::string& model, const std::string& system, int n) {
  int valid = 0;
  for (int i = 0; i < n; ++i) {
    const auto reply = m.chat_completion(request(model, system, "term" + std::to_string(i)), 0);
    const auto content = json::parse(reply.body)["choices"][0]["message"]["content"].get<std::string>();
    const auto parsed = json::parse(content, nullptr, false);
    if (!parsed.is_discarded() && parsed.is_object() && parsed.size() == 4 && parsed.contains("definition") &&
        !parsed["definition"].is_null())
      ++valid;
  }
  return static_cast<double>(valid) / n;
}

}  // namespace

TEST_CASE("the mock answers with the reference answer and realistic usage", "[mock]") {
  MockConfig config = default_mock_config();
  config.base.format_break = 0;
  config.base.field_error = 0;
  auto m = model_with_cases(config, 1);
  const auto reply = m.chat_completion(request("gpt-4o-mini", kLongPrompt, "term0"), 0);
  REQUIRE(reply.status == 200);
  const auto body = json::parse(reply.body);
  CHECK(body["object"] == "chat.completion");
  CHECK(json::parse(body["choices"][0]["message"]["content"].get<std::string>())["term"] == "term0");
  CHECK(body["choices"][0]["finish_reason"] == "stop");
  const long long long_prompt = body["usage"]["prompt_tokens"];
  const auto short_body = json::parse(m.chat_completion(request("gpt-4o-mini", kShortPrompt, "term0"), 0).body);
  CHECK(short_body["usage"]["prompt_tokens"].get<long long>() < long_prompt);
  CHECK(body["usage"]["total_tokens"] == body["usage"]["prompt_tokens"].get<long long>() + body["usage"]["completion_tokens"].get<long long>());
}

TEST_CASE("the same request gets the same answer; a retry draws anew", "[mock]") {
  auto m = model_with_cases(default_mock_config(), 50);
  for (int i = 0; i < 50; ++i) {
    const auto r = request("gpt-4o-mini", kShortPrompt, "term" + std::to_string(i));
    CHECK(m.chat_completion(r, 0).body == m.chat_completion(r, 0).body);
    CHECK(m.chat_completion(r, 0).delay_ms == m.chat_completion(r, 0).delay_ms);
  }
  MockConfig failing = default_mock_config();
  failing.base.error_rate = 0.5;
  auto f = model_with_cases(failing, 1);
  const auto r = request("gpt-4o-mini", kShortPrompt, "term0");
  int errors = 0;
  for (std::uint64_t attempt = 0; attempt < 40; ++attempt) errors += f.chat_completion(r, attempt).status == 500;
  CHECK(errors > 5);
  CHECK(errors < 35);
}

TEST_CASE("a base model keeps the format when the prompt spells it out; a fine-tuned one always", "[mock]") {
  auto m = model_with_cases(default_mock_config(), 400);
  const double base_long = json_rate(m, "gpt-4o-mini", kLongPrompt, 400);
  const double base_short = json_rate(m, "gpt-4o-mini", kShortPrompt, 400);
  const double ft_short = json_rate(m, "ft:gpt-4o-mini:acme::1", kShortPrompt, 400);
  CHECK(base_long > 0.80);
  CHECK(base_short < 0.50);
  CHECK(ft_short > 0.93);
}

TEST_CASE("rates are configurable per model", "[mock]") {
  MockConfig config = default_mock_config();
  Diagnostics errors;
  REQUIRE(parse_mock_config(json::parse(R"({"models":{"ft:*":{"format_break":1,"format_break_unprompted":1}}})"), "m", config, errors));
  auto m = model_with_cases(config, 50);
  CHECK(json_rate(m, "ft:gpt-4o-mini:acme::1", kShortPrompt, 50) < 0.5);
  CHECK_FALSE(parse_mock_config(json::parse(R"({"latency":{"medain_ms":3}})"), "m", config, errors));
  CHECK(errors.to_string().find("did you mean \"median_ms\"") != std::string::npos);
}

TEST_CASE("max_tokens truncates with finish_reason length", "[mock]") {
  MockConfig config = default_mock_config();
  config.base.format_break = 0;
  config.base.field_error = 0;
  auto m = model_with_cases(config, 1);
  const auto body = json::parse(m.chat_completion(request("gpt-4o-mini", kLongPrompt, "term0", 5), 0).body);
  CHECK(body["choices"][0]["finish_reason"] == "length");
  CHECK(body["usage"]["completion_tokens"] == 5);
  CHECK(json::parse(body["choices"][0]["message"]["content"].get<std::string>(), nullptr, false).is_discarded());
}

TEST_CASE("bad requests get OpenAI-style 400 errors", "[mock]") {
  auto m = model_with_cases(default_mock_config(), 1);
  CHECK(m.chat_completion("not json", 0).status == 400);
  CHECK(m.chat_completion(R"({"messages":[]})", 0).status == 400);
  CHECK(m.chat_completion(R"({"model":"x","messages":[]})", 0).status == 400);
  CHECK(json::parse(m.list_models().body)["data"].size() >= 3);
}

TEST_CASE("the mock loads the demo dataset", "[mock]") {
  MockModel m(default_mock_config());
  std::string error;
  REQUIRE(m.load_dataset(test::source_dir() / "datasets/tech_terms_eval.jsonl", error));
  CHECK(m.cases() == 60);
  CHECK_FALSE(m.load_dataset(test::source_dir() / "datasets/broken_line17.jsonl", error));
  CHECK(error.find(":17:") != std::string::npos);
}

TEST_CASE("the prompt cache reports the messages before the last as cached, in its steps",
          "[mock]") {
  // 300 tokens a message, so the numbers are exact: a system prompt and a question make 600,
  // of which the system prompt's 300 are cached, rounded down to 128-token steps.
  MockTokenCounter counter;
  counter.prompt = [](const json& messages, const std::string&) {
    return static_cast<long long>(messages.size()) * 300;
  };
  counter.completion = [](std::string_view, const std::string&) { return 10LL; };
  const auto cached = [&](MockConfig config, const std::string& body) {
    MockModel m(std::move(config), counter);
    m.add_case("term0", R"({"term":"term0"})");
    return json::parse(m.chat_completion(body, 0).body)["usage"]["prompt_tokens_details"]
                                                        ["cached_tokens"]
                                                            .get<long long>();
  };
  MockConfig config = default_mock_config();
  CHECK(cached(config, request("gpt-4o-mini", kLongPrompt, "term0")) == 0);  // off by default
  config.prompt_cache.enabled = true;
  CHECK(cached(config, request("gpt-4o-mini", kLongPrompt, "term0")) == 0);  // 600 < 1,024
  config.prompt_cache.min_tokens = 500;
  CHECK(cached(config, request("gpt-4o-mini", kLongPrompt, "term0")) == 256);
  config.prompt_cache.increment = 100;
  CHECK(cached(config, request("gpt-4o-mini", kLongPrompt, "term0")) == 300);
  // A prompt of one message has no prefix to share.
  const json alone = {{"model", "gpt-4o-mini"},
                      {"messages", {{{"role", "user"}, {"content", "term0"}}}}};
  CHECK(cached(config, alone.dump()) == 0);

  Diagnostics errors;
  MockConfig parsed = default_mock_config();
  REQUIRE(parse_mock_config(json::parse(R"({"prompt_cache": {"min_tokens": 0, "increment": 16}})"),
                            "mock", parsed, errors));
  CHECK(parsed.prompt_cache.enabled);
  CHECK(parsed.prompt_cache.increment == 16);
  CHECK_FALSE(parse_mock_config(json::parse(R"({"prompt_cache": {"increment": 0}})"), "mock",
                                parsed, errors));
}

TEST_CASE("a reference nested 100,000 levels deep is served as its text, without a crash",
          "[mock][depth]") {
  MockConfig config = default_mock_config();
  config.base.format_break = 0.5;  // the format-breaking paths copy and dump the reference
  config.base.field_error = 0.5;
  MockModel m(config, estimate_token_counter());
  const std::string deep =
      R"({"term":)" + std::string(100000, '[') + std::string(100000, ']') + "}";
  m.add_case("deep", deep);
  m.add_case("shallow", R"({"term":"shallow","definition":"a definition"})");
  for (int attempt = 0; attempt < 8; ++attempt) {
    for (const char* prompt : {"Define it.", "Reply with JSON: term, definition."}) {
      const auto reply = m.chat_completion(request("gpt-4o-mini", prompt, "deep"), attempt);
      REQUIRE(reply.status == 200);
      const auto body = json::parse(reply.body);
      // As is, or with the prose a broken format adds ("Sure! ...").
      CHECK(body["choices"][0]["message"]["content"].get<std::string>().ends_with(deep));
    }
  }
}

TEST_CASE("a request body nested too deep is a 400 that says so", "[mock][depth]") {
  auto m = model_with_cases(default_mock_config(), 1);
  const std::string body = R"({"model":"gpt-4o-mini","messages":[{"role":"user","content":)" +
                           std::string(100000, '[') + std::string(100000, ']') + "}]}";
  const auto reply = m.chat_completion(body, 0);
  CHECK(reply.status == 400);
  CHECK(json::parse(reply.body)["error"]["message"] == "the body is nested deeper than 512 levels");
  const auto embeddings =
      m.embeddings(R"({"model":"text-embedding-3-small","input":)" + std::string(100000, '[') +
                       std::string(100000, ']') + "}",
                   0);
  CHECK(embeddings.status == 400);
}
