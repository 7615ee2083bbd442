#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "mock/mock_grounding.hpp"
#include "mock/mock_model.hpp"

using namespace tb;
using json = nlohmann::json;

namespace {

std::string term(const std::string& name, const std::string& definition,
                 const std::string& category) {
  return json{{"term", name},
              {"definition", definition},
              {"category", category},
              {"related", {name + " basics"}}}
      .dump();
}

const std::string kRaft =
    term("Raft", "A consensus algorithm that elects a leader and replicates a log.",
         "distributed-systems");
const std::string kBTree =
    term("B-tree", "A self-balancing tree whose nodes hold many sorted keys.", "databases");
const std::string kMutex = term(
    "mutex", "A lock that lets one thread at a time into a critical section.", "operating-systems");

std::string request(const std::string& user, const std::string& context) {
  json messages = json::array();
  messages.push_back(
      {{"role", "system"},
       {"content", "Reply with JSON: term, definition, category, related.\n" + context}});
  messages.push_back({{"role", "user"}, {"content", user}});
  return json{{"model", "gpt-4o-mini"}, {"messages", messages}}.dump();
}

json answer(const MockModel& m, const std::string& body, std::uint64_t attempt = 0) {
  const auto reply = m.chat_completion(body, attempt);
  return json::parse(json::parse(reply.body)["choices"][0]["message"]["content"].get<std::string>(),
                     nullptr, false);
}

}  // namespace

TEST_CASE("grounding finds which reference a prompt's passages hold", "[mock][grounding]") {
  MockGrounding g;
  CHECK(g.add(0, kRaft));
  CHECK(g.add(1, kBTree));
  CHECK_FALSE(g.add(2, R"({"term": "x", "definition": "too short"})"));
  CHECK(g.add(3, "A plain-text reference answer that is long enough."));
  // Case and whitespace do not matter: passages are re-wrapped by chunking and templates.
  const std::string passage =
      "[1] Raft\nA CONSENSUS algorithm that elects a leader\n   and replicates a log.";
  CHECK(g.find(passage, 0).grounded);
  CHECK_FALSE(g.find(passage, 0).misled_by);
  const auto misled = g.find(passage, 1);
  CHECK_FALSE(misled.grounded);
  CHECK(misled.misled_by == 0u);
  const auto nothing = g.find("No passages at all, just a long instruction about JSON output.", 1);
  CHECK_FALSE(nothing.grounded);
  CHECK_FALSE(nothing.misled_by);
  CHECK(g.find("Before. a plain-text reference answer that is long enough. After.", 9).misled_by ==
        3u);
  CHECK_FALSE(g.find("short", 0).grounded);
  CHECK(MockGrounding::normalize("  A \n\tB  c ") == "a b c");
}

TEST_CASE("the base model answers from a retrieved passage and is misled by the wrong one",
          "[mock][grounding]") {
  MockConfig config = default_mock_config();
  config.base.format_break = 0;
  config.base.field_error = 0;           // without passages: always right here
  config.base.field_error_grounded = 0;  // with the right passage: always right
  config.base.field_error_misled = 1;    // with only another entry's passage: always misled
  MockModel m(config, estimate_token_counter());
  m.add_case("Raft", kRaft);
  m.add_case("B-tree", kBTree);
  m.add_case("mutex", kMutex);
  const std::string raft_passage =
      "Passages:\n[1] Raft: A consensus algorithm that elects a leader and replicates a log.";
  const std::string btree_passage =
      "Passages:\n[1] B-tree: A self-balancing tree whose nodes hold many sorted keys.";

  CHECK(answer(m, request("Raft", raft_passage)) == json::parse(kRaft));
  CHECK(answer(m, request("Raft", "")) == json::parse(kRaft));
  // The right passage next to a wrong one still grounds the answer.
  CHECK(answer(m, request("Raft", btree_passage + "\n" + raft_passage)) == json::parse(kRaft));
  // Only the wrong passage: one field takes the B-tree entry's value; the term stays the one asked.
  int copied = 0;
  for (int i = 0; i < 40; ++i) {
    const json misled =
        answer(m, request("Raft", btree_passage + std::string(static_cast<std::size_t>(i), ' ')));
    REQUIRE(misled.is_object());
    CHECK(misled["term"] == "Raft");
    CHECK(misled != json::parse(kRaft));
    const json btree = json::parse(kBTree);
    int from_btree = 0;
    for (const auto& key : {"definition", "category", "related"})
      from_btree += misled[key] == btree[key];
    CHECK(from_btree == 1);
    copied += misled["category"] == "databases";
  }
  CHECK(copied > 4);  // some of the forty draws took the category: a valid enum value, wrong
}

TEST_CASE("grounded answers are wrong at their own rate", "[mock][grounding]") {
  MockConfig config = default_mock_config();
  config.base.format_break = 0;
  config.base.field_error = 1;
  config.base.field_error_grounded = 0.2;
  MockModel m(config, estimate_token_counter());
  m.add_case("Raft", kRaft);
  int wrong = 0;
  const int n = 400;
  for (int i = 0; i < n; ++i) {
    const std::string context =
        "[" + std::to_string(i) +
        "] A consensus algorithm that elects a leader and replicates a log.";
    wrong += answer(m, request("Raft", context)) != json::parse(kRaft);
  }
  CHECK(wrong > n * 0.12);
  CHECK(wrong < n * 0.28);
  // The same prompt without the passage: field_error (1) applies.
  CHECK(answer(m, request("Raft", "no passage")) != json::parse(kRaft));
}

TEST_CASE("the grounding rates are mock profile settings", "[mock][grounding]") {
  MockConfig config = default_mock_config();
  CHECK(config.base.field_error_grounded == 0.02);
  CHECK(config.base.field_error_misled == 0.5);
  CHECK(config.fine_tuned.field_error_grounded == 0.01);
  Diagnostics errors;
  REQUIRE(parse_mock_config(
      json::parse(
          R"({"profiles": {"base": {"field_error_grounded": 0.1, "field_error_misled": 0.9}},
                      "models": {"gpt-4o": {"field_error_misled": 0.3}}})"),
      "m", config, errors));
  CHECK(config.base.field_error_grounded == 0.1);
  CHECK(config.base.field_error_misled == 0.9);
  CHECK(config.profile_for("gpt-4o").field_error_misled == 0.3);
  CHECK(config.profile_for("gpt-4o").field_error_grounded == 0.1);
  CHECK_FALSE(parse_mock_config(
      json::parse(R"({"profiles": {"base": {"field_error_grunded": 0.1}}})"), "m", config, errors));
  CHECK(errors.to_string().find("did you mean \"field_error_grounded\"") != std::string::npos);
  CHECK_FALSE(parse_mock_config(json::parse(R"({"profiles": {"base": {"field_error_misled": 2}}})"),
                                "m", config, errors));
  CHECK(errors.to_string().find("field_error_misled: expected a number from 0 to 1") !=
        std::string::npos);
}
