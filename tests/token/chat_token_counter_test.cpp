#include "token/chat_token_counter.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

fs::path test_vocab_dir() {
  if (const char* env = std::getenv("TIKTOKEN_CACHE_DIR"); env != nullptr && *env != '\0') {
    return env;
  }
#ifdef TUNEBENCH_VOCAB_DIR
  return TUNEBENCH_VOCAB_DIR;
#else
  return {};
#endif
}

fs::path test_data_dir() {
#ifdef TUNEBENCH_TOKEN_TEST_DATA_DIR
  return TUNEBENCH_TOKEN_TEST_DATA_DIR;
#else
  return fs::path(__FILE__).parent_path() / "data";
#endif
}

// Fails (never skips) without the rank files, so a CI machine lacking them goes red.
tb::ChatTokenCounter counter_or_fail(std::string_view model) {
  const fs::path dir = test_vocab_dir();
  const auto name = tb::encoding_for_model(model);
  REQUIRE(name);
  const fs::path file = dir / (std::string(tb::to_string(*name)) + ".tiktoken");
  if (dir.empty() || !fs::is_regular_file(file)) {
    FAIL("rank file " << file << " is missing: run scripts/fetch_vocab.sh DIR and set "
                      << "TIKTOKEN_CACHE_DIR=DIR (or configure TUNEBENCH_VOCAB_DIR)");
  }
  auto counter = tb::ChatTokenCounter::for_model(model, dir);
  REQUIRE(counter);
  return *counter;
}

nlohmann::json read_json(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) FAIL("cannot read test data " << file);
  return nlohmann::json::parse(std::istreambuf_iterator<char>(in),
                               std::istreambuf_iterator<char>());
}

}  // namespace

TEST_CASE("chat formats follow OpenAI's cookbook", "[token][chat]") {
  const auto legacy = tb::chat_format_for_model("gpt-3.5-turbo-0301");
  REQUIRE(legacy);
  CHECK(legacy->tokens_per_message == 4);
  CHECK(legacy->tokens_per_name == -1);
  CHECK(legacy->reply_priming == 3);
  for (const char* model : {"gpt-3.5-turbo", "gpt-3.5-turbo-0613", "gpt-3.5-turbo-0125", "gpt-4",
                            "gpt-4-0613", "gpt-4-turbo", "gpt-4o", "gpt-4o-mini", "gpt-4.1",
                            "o3-mini", "ft:gpt-4o-mini-2024-07-18:acme::9xyz"}) {
    INFO(model);
    const auto format = tb::chat_format_for_model(model);
    REQUIRE(format);
    CHECK(format->tokens_per_message == 3);
    CHECK(format->tokens_per_name == 1);
    CHECK(format->reply_priming == 3);
  }
  for (const char* model :
       {"text-embedding-3-small", "text-embedding-ada-002", "davinci", "llama-3", ""}) {
    INFO(model);
    CHECK_FALSE(tb::chat_format_for_model(model));
    CHECK_FALSE(tb::ChatTokenCounter::for_model(model, test_vocab_dir()));
  }
}

TEST_CASE("chat prompt tokens equal the cookbook recipe on npm tiktoken", "[token][chat]") {
  std::size_t cases = 0;
  for (const char* file : {"sample.cl100k.json", "sample.o200k.json"}) {
    const nlohmann::json reference = read_json(test_data_dir() / file);
    for (const auto& item : reference.at("chat")) {
      const auto model = item.at("model").get<std::string>();
      INFO(model);
      // Views into these strings go to the counter, so they must outlive the call.
      std::vector<std::string> storage;
      storage.reserve(item.at("messages").size() * 3);
      std::vector<tb::ChatTokenMessage> messages;
      for (const auto& m : item.at("messages")) {
        tb::ChatTokenMessage message;
        message.role = storage.emplace_back(m.at("role").get<std::string>());
        message.content = storage.emplace_back(m.at("content").get<std::string>());
        if (m.contains("name"))
          message.name = storage.emplace_back(m.at("name").get<std::string>());
        messages.push_back(message);
      }
      CHECK(counter_or_fail(model).count(messages) == item.at("prompt_tokens").get<std::size_t>());
      ++cases;
    }
  }
  CHECK(cases == 6);
}

TEST_CASE("chat counting by hand", "[token][chat]") {
  const auto counter = counter_or_fail("gpt-4o-mini");
  const tb::Encoding& enc = counter.encoding();
  CHECK(enc.name() == tb::EncodingName::o200k_base);
  // No messages: only the reply priming.
  CHECK(counter.count({}) == 3);
  const std::vector<tb::ChatTokenMessage> one{{"user", "hello world", {}}};
  CHECK(counter.count(one) == 3 + 3 + enc.count("user") + enc.count("hello world"));
  const std::vector<tb::ChatTokenMessage> named{{"user", "hi", "bob"}};
  CHECK(counter.count(named) == 3 + 3 + enc.count("user") + enc.count("hi") + enc.count("bob") + 1);
  // Special-token text inside content is plain text, as the API treats it.
  const std::vector<tb::ChatTokenMessage> special{{"user", "<|endoftext|>", {}}};
  CHECK(counter.count(special) ==
        3 + 3 + enc.count("user") + enc.count("<|endoftext|>", tb::SpecialTokens::as_text));
  const std::vector<tb::ChatTokenMessage> broken{{"user", "\xff", {}}};
  CHECK_THROWS_AS(counter.count(broken), tb::TokenizerError);

  const auto legacy = counter_or_fail("gpt-3.5-turbo-0301");
  const std::vector<tb::ChatTokenMessage> legacy_named{{"system", "x", "example_user"}};
  const tb::Encoding& cl100k = legacy.encoding();
  CHECK(legacy.count(legacy_named) ==
        3 + 4 + cl100k.count("system") + cl100k.count("x") + cl100k.count("example_user") - 1);
}
