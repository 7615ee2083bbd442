#include <catch2/catch.hpp>

#include <cmath>

#include <nlohmann/json.hpp>

#include "mock/mock_embeddings.hpp"
#include "mock/mock_model.hpp"
#include "provider/embeddings.hpp"

using namespace tb;
using json = nlohmann::json;

namespace {

double cosine(const std::vector<float>& a, const std::vector<float>& b) {
  double dot = 0;
  for (std::size_t i = 0; i < a.size(); ++i) dot += static_cast<double>(a[i]) * b[i];
  return dot;  // both unit length
}

double norm(const std::vector<float>& v) {
  return std::sqrt(cosine(v, v));
}

}  // namespace

TEST_CASE("mock embeddings are deterministic unit vectors", "[mock][embeddings]") {
  const auto a =
      mock_embedding("Idempotency: applying an operation twice has the effect of once.", 256);
  const auto b =
      mock_embedding("Idempotency: applying an operation twice has the effect of once.", 256);
  REQUIRE(a.size() == 256);
  CHECK(a == b);
  CHECK(norm(a) == Approx(1).epsilon(1e-6));
  // Case and punctuation do not matter; words do.
  CHECK(cosine(a, mock_embedding("IDEMPOTENCY applying an operation twice has the effect of once",
                                 256)) == Approx(1).epsilon(1e-6));
  CHECK(mock_embedding("", 8) == std::vector<float>(8, 0.0f));
  CHECK(mock_embedding_dimensions("text-embedding-3-small") == 1536);
  CHECK(mock_embedding_dimensions("text-embedding-3-large") == 3072);
}

TEST_CASE("similar texts get closer mock vectors than unrelated ones", "[mock][embeddings]") {
  const auto query = mock_embedding("idempotency", 1536);
  const auto passage = mock_embedding(
      "idempotency\n\nA property of an operation whereby applying it multiple times has the same "
      "effect as "
      "applying it once, which allows requests to be retried safely.",
      1536);
  const auto inflected = mock_embedding("idempotent retries", 1536);
  const auto unrelated = mock_embedding(
      "B-tree\n\nA self-balancing tree whose nodes hold many sorted keys, keeping the height low "
      "so lookups need "
      "few disk reads.",
      1536);
  CHECK(cosine(query, passage) > 0.15);
  CHECK(cosine(query, passage) > cosine(query, unrelated) + 0.1);
  // Shared trigrams ("ide", "dem", "emp", "mpo", "pot") bring inflections close without a stemmer.
  CHECK(cosine(query, inflected) > cosine(query, unrelated) + 0.1);
  // Common words weigh little: two texts sharing only them are nearly orthogonal.
  CHECK(std::abs(cosine(mock_embedding("the of and is a to", 1536),
                        mock_embedding("the of and is a to zebra", 1536))) < 0.5);
}

TEST_CASE("the mock serves /v1/embeddings as OpenAI does", "[mock][embeddings]") {
  const MockModel model(default_mock_config(), estimate_token_counter());
  const std::vector<std::string> inputs = {"first text here", "second"};
  const std::string body = build_embeddings_body({"text-embedding-3-small", 64}, inputs);
  const auto reply = model.embeddings(body, 0);
  REQUIRE(reply.status == 200);
  const auto parsed = parse_embeddings_response(reply.status, reply.body, 2);
  REQUIRE(parsed.error == ErrorClass::none);
  REQUIRE(parsed.vectors.size() == 2);
  CHECK(parsed.vectors[0].size() == 64);
  // Nine significant digits in the JSON: the float32 values survive the trip.
  CHECK(parsed.vectors[0] == mock_embedding("first text here", 64));
  CHECK(parsed.prompt_tokens == 4 + 2);  // the estimate: (15 + 3) / 4 and (6 + 3) / 4
  CHECK(parsed.model == "text-embedding-3-small");
  CHECK(json::parse(reply.body)["usage"]["total_tokens"] == 6);
  // A single string input and the default size.
  const auto one = model.embeddings(R"({"model": "text-embedding-3-small", "input": "hello"})", 0);
  CHECK(parse_embeddings_response(one.status, one.body, 1).vectors.at(0).size() == 1536);
}

TEST_CASE("the mock refuses bad embeddings requests like the API", "[mock][embeddings]") {
  const MockModel model(default_mock_config(), estimate_token_counter());
  auto status = [&](const std::string& body) { return model.embeddings(body, 0).status; };
  CHECK(status("nope") == 400);
  CHECK(status(R"({"input": "x"})") == 400);
  CHECK(status(R"({"model": "m"})") == 400);
  CHECK(status(R"({"model": "m", "input": []})") == 400);
  CHECK(status(R"({"model": "m", "input": [""]})") == 400);
  CHECK(status(R"({"model": "m", "input": [[1, 2]]})") == 400);
  CHECK(status(R"({"model": "m", "input": "x", "dimensions": 0})") == 400);
  CHECK(status(R"({"model": "m", "input": "x", "encoding_format": "base64"})") == 400);
  CHECK(json::parse(
            model.embeddings(R"({"model": "m", "input": [""]})", 0).body)["error"]["message"] ==
        "input[0]: must not be empty");
}

TEST_CASE("mock faults reach embeddings too, and a retry draws anew", "[mock][embeddings]") {
  MockConfig config = default_mock_config();
  config.faults.rate_limit = 0.5;
  config.faults.retry_after_s = 0.01;
  const MockModel model(config, estimate_token_counter());
  int limited = 0, recovered = 0;
  for (int i = 0; i < 40; ++i) {
    const std::string body = R"({"model": "m", "input": "text )" + std::to_string(i) + "\"}";
    if (model.embeddings(body, 0).status != 429) continue;
    ++limited;
    for (std::uint64_t attempt = 1; attempt < 20; ++attempt)
      if (model.embeddings(body, attempt).status == 200) {
        ++recovered;
        break;
      }
  }
  CHECK(limited > 5);
  CHECK(recovered == limited);
}
