#include "mock/mock_embeddings.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <map>
#include <random>
#include <string>

#include <nlohmann/json.hpp>

#include "common/hash.hpp"
#include "common/json_depth.hpp"
#include "mock/mock_model.hpp"

namespace tb {
namespace {

using json = nlohmann::json;

// Sorted: looked up by binary search.
constexpr std::array<std::string_view, 48> kCommonWords = {
    "a",     "about", "after", "all",  "also", "an",   "and",   "are",  "as",   "at",
    "be",    "been",  "but",   "by",   "can",  "do",   "does",  "for",  "from", "has",
    "have",  "how",   "in",    "into", "is",   "it",   "its",   "may",  "more", "not",
    "of",    "on",    "one",   "or",   "so",   "such", "than",  "that", "the",  "their",
    "there", "these", "this",  "to",   "was",  "what", "which", "with"};

static_assert(std::is_sorted(kCommonWords.begin(), kCommonWords.end()));

bool common_word(std::string_view w) {
  return std::binary_search(kCommonWords.begin(), kCommonWords.end(), w);
}

bool word_byte(unsigned char c) {
  return c >= 0x80 || (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

void add_feature(std::vector<float>& v, std::string_view feature, std::uint64_t salt,
                 double weight) {
  const std::uint64_t h = fnv1a64(feature, mix64(0x7475'6e65'6265'6e63ULL, salt));
  const float sign = (h >> 63) != 0 ? -1.0f : 1.0f;
  v[h % v.size()] += sign * static_cast<float>(weight);
}

MockReply error_reply(int status, const std::string& message) {
  MockReply reply;
  reply.status = status;
  reply.body =
      json{{"error", {{"message", message}, {"type", "invalid_request_error"}, {"code", nullptr}}}}
          .dump();
  return reply;
}

}  // namespace

std::vector<float> mock_embedding(std::string_view text, std::size_t dimensions) {
  std::vector<float> v(std::max<std::size_t>(1, dimensions), 0.0f);
  std::map<std::string, int> words;
  for (std::size_t i = 0; i < text.size();) {
    if (!word_byte(static_cast<unsigned char>(text[i]))) {
      ++i;
      continue;
    }
    std::size_t end = i;
    while (end < text.size() && word_byte(static_cast<unsigned char>(text[end]))) ++end;
    std::string word(text.substr(i, end - i));
    for (char& c : word)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    ++words[word];
    i = end;
  }
  for (const auto& [word, count] : words) {
    const double weight =
        (1.0 + std::log(static_cast<double>(count))) * (common_word(word) ? 0.1 : 1.0);
    add_feature(v, word, 1, weight);
    const std::string padded = "#" + word + "#";
    for (std::size_t i = 0; i + 3 <= padded.size(); ++i)
      add_feature(v, std::string_view(padded).substr(i, 3), 2, 0.5 * weight);
  }
  double norm = 0;
  for (const float x : v) norm += static_cast<double>(x) * x;
  if (norm > 0)
    for (float& x : v) x = static_cast<float>(x / std::sqrt(norm));
  return v;
}

std::size_t mock_embedding_dimensions(std::string_view model) {
  return model.find("embedding-3-large") != std::string_view::npos ? 3072 : 1536;
}

MockReply MockModel::embeddings(std::string_view request_body, std::uint64_t attempt) const {
  bool too_deep = false;
  const json request = parse_json_bounded(request_body, &too_deep);
  if (too_deep) return error_reply(400, "the body is " + json_too_deep_reason());
  if (request.is_discarded() || !request.is_object())
    return error_reply(400, "the body is not a JSON object");
  if (!request.contains("model") || !request["model"].is_string())
    return error_reply(400, "you must provide a model parameter");
  const std::string model = request["model"].get<std::string>();
  std::vector<std::string> inputs;
  const json input = request.value("input", json());
  if (input.is_string()) {
    inputs.push_back(input.get<std::string>());
  } else if (input.is_array() && !input.empty()) {
    for (const auto& item : input) {
      if (!item.is_string())
        return error_reply(400, "input: the mock embeds strings (no token arrays)");
      inputs.push_back(item.get<std::string>());
    }
  } else {
    return error_reply(400, "input: expected a string or a non-empty array of strings");
  }
  if (inputs.size() > 2048) return error_reply(400, "input: at most 2048 inputs per request");
  for (std::size_t i = 0; i < inputs.size(); ++i)
    if (inputs[i].empty())
      return error_reply(400, "input[" + std::to_string(i) + "]: must not be empty");
  std::size_t dimensions = mock_embedding_dimensions(model);
  if (request.contains("dimensions")) {
    if (!request["dimensions"].is_number_integer() || request["dimensions"].get<long long>() < 1 ||
        request["dimensions"].get<long long>() > 4096)
      return error_reply(400, "dimensions: expected a whole number from 1 to 4096");
    dimensions = request["dimensions"].get<std::size_t>();
  }
  const std::string format = request.value("encoding_format", "float");
  if (format != "float")
    return error_reply(400, "encoding_format: the mock answers \"float\" only");

  // Faults as for chat completions: a retry must be able to succeed.
  std::mt19937_64 rng(mix64(mix64(config_.seed, fnv1a64(request_body)), attempt));
  std::uniform_real_distribution<double> u(0, 1);
  double fault = u(rng);
  if ((fault -= config_.faults.rate_limit) < 0) {
    MockReply reply = error_reply(429, "Rate limit reached for requests (tunebench mock fault)");
    reply.headers.emplace_back(
        "retry-after-ms",
        std::to_string(static_cast<long long>(config_.faults.retry_after_s * 1000)));
    return reply;
  }
  if ((fault -= config_.faults.server_error) < 0)
    return error_reply(500, "The server had an error (tunebench mock fault)");

  long long tokens = 0;
  std::string body = "{\"object\":\"list\",\"data\":[";
  char number[32];
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    tokens += counter_.completion(inputs[i], model);
    if (i > 0) body += ',';
    body += "{\"object\":\"embedding\",\"index\":" + std::to_string(i) + ",\"embedding\":[";
    const auto vector = mock_embedding(inputs[i], dimensions);
    for (std::size_t d = 0; d < vector.size(); ++d) {
      // Nine significant digits, as OpenAI writes them: enough to round-trip a float32.
      std::snprintf(number, sizeof number, d == 0 ? "%.9g" : ",%.9g",
                    static_cast<double>(vector[d]));
      body += number;
    }
    body += "]}";
  }
  body += "],\"model\":" + json(model).dump() +
          ",\"usage\":{\"prompt_tokens\":" + std::to_string(tokens) +
          ",\"total_tokens\":" + std::to_string(tokens) + "}}";
  MockReply reply;
  reply.body = std::move(body);
  // About what a hosted embedding model takes for a small batch, and less than a chat answer.
  reply.delay_ms = config_.latency.median_ms / 2;
  return reply;
}

}  // namespace tb
