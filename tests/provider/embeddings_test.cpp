#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "provider/embeddings.hpp"

using namespace tb;
using json = nlohmann::json;

TEST_CASE("the embeddings body always sends an array of inputs", "[provider][embeddings]") {
  const std::vector<std::string> inputs = {"first \"text\"", "second\nline"};
  const auto body =
      json::parse(build_embeddings_body({"text-embedding-3-small", std::nullopt}, inputs));
  CHECK(body["model"] == "text-embedding-3-small");
  CHECK(body["input"] == json::array({"first \"text\"", "second\nline"}));
  CHECK(body["encoding_format"] == "float");
  CHECK_FALSE(body.contains("dimensions"));
  const auto shortened =
      json::parse(build_embeddings_body({"text-embedding-3-large", 256}, inputs));
  CHECK(shortened["dimensions"] == 256);
}

TEST_CASE("embeddings come back in input order, with their usage", "[provider][embeddings]") {
  // Servers may list the items in any order; "index" says whose vector it is.
  const std::string body = R"({"object":"list","data":[
      {"object":"embedding","index":1,"embedding":[0.5,-0.25]},
      {"object":"embedding","index":0,"embedding":[1,0]}],
    "model":"text-embedding-3-small","usage":{"prompt_tokens":7,"total_tokens":7}})";
  const auto r = parse_embeddings_response(200, body, 2);
  REQUIRE(r.error == ErrorClass::none);
  REQUIRE(r.vectors.size() == 2);
  CHECK(r.vectors[0] == std::vector<float>{1, 0});
  CHECK(r.vectors[1] == std::vector<float>{0.5f, -0.25f});
  CHECK(r.model == "text-embedding-3-small");
  CHECK(r.prompt_tokens == 7);
  // Without index or usage (some OpenAI-compatible servers): position order, no token count.
  const auto bare =
      parse_embeddings_response(200, R"({"data":[{"embedding":[1]},{"embedding":[2]}]})", 2);
  REQUIRE(bare.error == ErrorClass::none);
  CHECK(bare.vectors[1] == std::vector<float>{2});
  CHECK_FALSE(bare.prompt_tokens);
}

TEST_CASE("malformed embeddings answers are bad responses, errors keep their class",
          "[provider][embeddings]") {
  auto error_of = [](int status, const std::string& body, std::size_t inputs = 1) {
    return parse_embeddings_response(status, body, inputs);
  };
  CHECK(error_of(200, "not json").error == ErrorClass::bad_response);
  CHECK(error_of(200, R"({"data": {}})").error_message ==
        R"(expected an embeddings list with "data")");
  CHECK(error_of(200, R"({"data": [{"embedding": [1]}]})", 2).error_message ==
        "expected 2 embeddings, got 1");
  CHECK(error_of(200, R"({"data": [{"index": 3, "embedding": [1]}]})").error_message ==
        "data[0].index: expected a whole number below 1");
  CHECK(error_of(200, R"({"data": [{"index": -1, "embedding": [1]}]})").error ==
        ErrorClass::bad_response);
  CHECK(error_of(200,
                 R"({"data": [{"index": 0, "embedding": [1]}, {"index": 0, "embedding": [2]}]})", 2)
            .error_message == "data[1].index repeats an earlier one");
  CHECK(error_of(200, R"({"data": [{"embedding": ["x"]}]})").error_message ==
        "data[0].embedding: expected an array of numbers");
  CHECK(error_of(200, R"({"data": [{"embedding": []}]})").error == ErrorClass::bad_response);
  CHECK(
      error_of(200, R"({"data": [{"embedding": [1, 2]}, {"embedding": [1]}]})", 2).error_message ==
      "embeddings of different sizes in one answer (2 and 1)");
  CHECK(error_of(429, R"({"error": {"message": "slow down", "type": "requests"}})").error ==
        ErrorClass::rate_limit);
  CHECK(error_of(401, R"({"error": {"message": "bad key"}})").error == ErrorClass::auth);
  const auto bad_request = error_of(400, R"({"error": {"message": "'$.input' is invalid"}})");
  CHECK(bad_request.error == ErrorClass::bad_request);
  CHECK(bad_request.error_message == "HTTP 400: '$.input' is invalid");
  CHECK(error_of(503, "upstream down").error == ErrorClass::server);
}
