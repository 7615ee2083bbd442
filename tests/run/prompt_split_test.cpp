#include <catch2/catch.hpp>

#include "run/prompt_split.hpp"
#include "test_paths.hpp"
#include "token/chat_messages.hpp"

using namespace tb;
using json = nlohmann::json;

namespace {

// The rank files are installed by scripts/setup, as for the tokenizer's own tests.
std::optional<ChatTokenCounter> counter() {
  return ChatTokenCounter::for_model("gpt-4o-mini", TUNEBENCH_VOCAB_DIR);
}

long long count(const ChatTokenCounter& c, const json& m) {
  return static_cast<long long>(count_chat_messages(c, m));
}

}  // namespace

TEST_CASE("a prompt's tokens split into instructions, retrieved context and the case",
          "[run][rag]") {
  const auto c = counter();
  REQUIRE(c);
  const json plain =
      json::parse(R"([{"role":"system","content":"Answer as JSON with a term field."},
    {"role":"user","content":"What is Raft?"}])");
  json sent = plain;
  sent[0]["content"] =
      "Answer as JSON with a term field.\n\n[1] Raft\nA consensus algorithm with a leader.";
  PromptSplitter splitter(2);
  const PromptSplit s = splitter.split(*c, 0, 0, true, plain, &sent);
  // By hand, as OpenAI's cookbook counts: a message is 3 tokens of framing, its role's token
  // ("system", "user": one each) and its content; the reply is primed with 3 more.
  const auto system =
      static_cast<long long>(c->encoding().count("Answer as JSON with a term field."));
  const auto question = static_cast<long long>(c->encoding().count("What is Raft?"));
  CHECK(s.instructions == 3 + 1 + system);
  CHECK(s.case_tokens == 3 + 1 + question + 3);
  CHECK(s.total() == count(*c, sent));
  CHECK(s.context == count(*c, sent) - count(*c, plain));
  CHECK(s.context > 0);

  // Without passages there is no context, and the parts are the whole prompt.
  const PromptSplit none = splitter.split(*c, 1, 0, true, plain, nullptr);
  CHECK(none.context == 0);
  CHECK(none.total() == count(*c, plain));
}

TEST_CASE("the split remembers the fixed prompt per variant and the case per case", "[run][rag]") {
  const auto c = counter();
  REQUIRE(c);
  PromptSplitter splitter(2);
  const json a = json::parse(
      R"([{"role":"system","content":"Long instructions here."},{"role":"user","content":"one"}])");
  const json b =
      json::parse(R"([{"role":"system","content":"Short."},{"role":"user","content":"one"}])");
  const json a2 = json::parse(
      R"([{"role":"system","content":"Long instructions here."},{"role":"user","content":"a second, longer case"}])");
  // Case-major: both variants of case 0, then case 1; each total equals a fresh count.
  CHECK(splitter.split(*c, 0, 0, true, a, nullptr).total() == count(*c, a));
  CHECK(splitter.split(*c, 1, 0, true, b, nullptr).total() == count(*c, b));
  CHECK(splitter.split(*c, 0, 1, true, a2, nullptr).total() == count(*c, a2));
}

TEST_CASE("without a fixed prompt the leading system and developer messages are the instructions",
          "[run][rag]") {
  const auto c = counter();
  REQUIRE(c);
  PromptSplitter splitter(1);
  const json m = json::parse(R"([{"role":"system","content":"S"},{"role":"developer","content":"D"},
    {"role":"user","content":"U"},{"role":"system","content":"late"}])");
  const PromptSplit s = splitter.split(*c, 0, 0, false, m, nullptr);
  CHECK(s.instructions == (3 + 1 + 1) * 2);  // two messages: framing, role and one token each
  CHECK(s.total() == count(*c, m));
  const json user_only = json::parse(R"([{"role":"user","content":"U"}])");
  const PromptSplit u = splitter.split(*c, 0, 1, false, user_only, nullptr);
  CHECK(u.instructions == 0);
  CHECK(u.case_tokens == count(*c, user_only));
}
