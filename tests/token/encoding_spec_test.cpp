// Encoding names and the model-to-encoding table (token/encoding_spec.cpp).
#include <catch2/catch.hpp>

#include <optional>

#include "token/encoding.hpp"

TEST_CASE("encoding names parse and print", "[token]") {
  CHECK(tb::parse_encoding_name("cl100k_base") == tb::EncodingName::cl100k_base);
  CHECK(tb::parse_encoding_name("o200k_base") == tb::EncodingName::o200k_base);
  CHECK_FALSE(tb::parse_encoding_name("p50k_base"));
  CHECK_FALSE(tb::parse_encoding_name(""));
  CHECK(tb::to_string(tb::EncodingName::cl100k_base) == "cl100k_base");
  CHECK(tb::to_string(tb::EncodingName::o200k_base) == "o200k_base");
}

TEST_CASE("models map to the encoding OpenAI uses", "[token]") {
  using tb::EncodingName;
  const auto o200k = std::optional<EncodingName>(EncodingName::o200k_base);
  const auto cl100k = std::optional<EncodingName>(EncodingName::cl100k_base);
  for (const char* model : {"gpt-4o", "gpt-4o-mini", "gpt-4o-mini-2024-07-18", "gpt-4o-2024-08-06",
                            "gpt-4.1", "gpt-4.1-nano", "gpt-5", "gpt-5-mini", "o1", "o1-mini", "o3",
                            "o3-mini", "o4-mini", "chatgpt-4o-latest"}) {
    INFO(model);
    CHECK(tb::encoding_for_model(model) == o200k);
  }
  for (const char* model : {"gpt-4", "gpt-4-0613", "gpt-4-turbo", "gpt-4-32k", "gpt-3.5-turbo",
                            "gpt-3.5-turbo-0301", "gpt-3.5-turbo-16k", "text-embedding-3-small",
                            "text-embedding-3-large", "text-embedding-ada-002"}) {
    INFO(model);
    CHECK(tb::encoding_for_model(model) == cl100k);
  }
  CHECK(tb::encoding_for_model("ft:gpt-4o-mini-2024-07-18:acme::9xyz") == o200k);
  CHECK(tb::encoding_for_model("ft:gpt-3.5-turbo-0125:acme:suffix:abc123") == cl100k);
  CHECK(tb::encoding_for_model("ft:gpt-4-0613:org::x") == cl100k);
  for (const char* model : {"", "gpt-40", "gpt-3", "davinci", "llama-3-8b", "ft:", "ft::x",
                            "ft:unknown:org::id", "text-embedding-ada-001", "claude-3"}) {
    INFO(model);
    CHECK_FALSE(tb::encoding_for_model(model));
  }
}
