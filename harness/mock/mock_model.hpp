#pragma once
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "mock/mock_config.hpp"
#include "mock/mock_grounding.hpp"

namespace tb {

enum class MockFault { none, reset, truncate };

struct MockReply {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  double delay_ms = 0;  // simulated service time before the answer (or the first SSE chunk)
  std::vector<std::pair<std::string, std::string>> headers;
  MockFault fault = MockFault::none;
  std::vector<std::string> events;  // SSE: each a complete "data: ...\n\n"; body unused
  double event_delay_ms = 0;        // between SSE events
};

// Token counts the mock reports in `usage`. Defaults to a characters/4 estimate; the real
// tokenizer is plugged in when its vocabulary is installed.
struct MockTokenCounter {
  std::function<long long(const nlohmann::json& messages, const std::string& model)> prompt;
  std::function<long long(std::string_view text, const std::string& model)> completion;
};
MockTokenCounter estimate_token_counter();
// Exact counts with the tiktoken-compatible tokenizer for models it knows (as the real API
// reports them), the estimate for the others or when the vocabulary is not installed.
MockTokenCounter tokenizer_token_counter();

// The simulated model behind the mock server: answers from the dataset's reference answers,
// deterministically from the seed and the request, breaking the format at the profile's rates.
// Pure (no I/O), so the behaviour is unit-tested without a socket.
class MockModel {
 public:
  explicit MockModel(MockConfig config, MockTokenCounter counter = tokenizer_token_counter());

  // Indexes a dataset's reference answers by their input: the last user message.
  bool load_dataset(const std::filesystem::path& file, std::string& error);
  void add_case(std::string_view user_input, std::string reference, std::string case_id = {});
  std::size_t cases() const { return by_input_.size(); }

  // `attempt` counts earlier identical requests, so a retried request is a fresh draw.
  MockReply chat_completion(std::string_view request_body, std::uint64_t attempt) const;
  MockReply list_models() const;
  // POST /v1/embeddings (mock/mock_embeddings.cpp); `attempt` as for chat completions.
  MockReply embeddings(std::string_view request_body, std::uint64_t attempt) const;

  const MockConfig& config() const { return config_; }

 private:
  // Whether `profile` answers the case at `reference` wrong whatever the prompt (forgetting).
  bool forgets(const MockProfile& profile, std::size_t reference) const;
  // The prompt tokens a provider's cache would answer for (MockPromptCache); 0 when off.
  long long cached_tokens(const nlohmann::json& messages, const std::string& model,
                          long long prompt_tokens) const;

  MockConfig config_;
  MockTokenCounter counter_;
  std::unordered_map<std::uint64_t, std::size_t> by_input_;  // hash of the last user message
  std::vector<std::string> references_;
  std::vector<std::string> case_ids_;  // beside references_: the dataset's id of each case
  MockGrounding grounding_;  // which references a prompt's passages hold
};

}  // namespace tb
