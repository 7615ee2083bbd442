// Few-shot selection: k examples, never the case itself (by id or by question), the same for a
// case whatever the order (seeded), and by similarity with the BM25 retriever rag uses.
#include <catch2/catch.hpp>

#include <algorithm>
#include <set>

#include <nlohmann/json.hpp>

#include "run/few_shot_selector.hpp"
#include "test_paths.hpp"

using namespace tb;
using json = nlohmann::json;

namespace {

FewShotSpec spec_of(const std::vector<std::pair<std::string, std::string>>& examples, int k,
                    FewShotSpec::Select select, long long seed) {
  FewShotSpec spec;
  spec.file = "train.jsonl";
  spec.display = "train.jsonl";
  spec.k = k;
  spec.select = select;
  spec.seed = seed;
  auto list = std::make_shared<std::vector<FewShotExample>>();
  int line = 0;
  for (const auto& [id, question] : examples) {
    FewShotExample e;
    e.id = id;
    e.line = ++line;
    e.question = question;
    e.turns =
        json::array({{{"role", "user"}, {"content", question}},
                     {{"role", "assistant"}, {"content", "{\"term\":\"" + question + "\"}"}}});
    list->push_back(std::move(e));
  }
  spec.examples = list;
  return spec;
}

TestCase case_of(const std::string& id, const std::string& question) {
  TestCase c;
  c.id = id;
  c.messages = json::array(
      {{{"role", "system"}, {"content", "s"}}, {{"role", "user"}, {"content", question}}});
  return c;
}

std::vector<std::string> ids(const std::vector<const FewShotExample*>& chosen) {
  std::vector<std::string> out;
  for (const auto* e : chosen) out.push_back(e->id);
  return out;
}

const std::vector<std::pair<std::string, std::string>> kTerms = {{"e0", "Raft"},
                                                                 {"e1", "Paxos"},
                                                                 {"e2", "B-tree"},
                                                                 {"e3", "mutex"},
                                                                 {"e4", "Bloom filter"},
                                                                 {"e5", "TLS handshake"},
                                                                 {"e6", "consistent hashing"},
                                                                 {"e7", "vector clock"},
                                                                 {"e8", "hash table"}};

}  // namespace

TEST_CASE("random selection: k examples, never the case, the same for a case with a seed",
          "[run][few-shot]") {
  const auto spec = spec_of(kTerms, 3, FewShotSpec::Select::random, 42);
  FewShotSelector selector(spec);
  std::set<std::vector<std::string>> seen;
  for (const auto& [id, question] : kTerms) {
    const auto c = case_of(id, question);
    const auto chosen = selector.select(c);
    REQUIRE(chosen.size() == 3);
    for (const auto* e : chosen) CHECK_FALSE(FewShotSelector::is_case(*e, c));
    auto sorted = ids(chosen);
    std::sort(sorted.begin(), sorted.end());
    CHECK(std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end());  // no repeats
    // The same case draws the same examples again (another selector, another order).
    FewShotSelector again(spec);
    CHECK(ids(again.select(c)) == ids(chosen));
    seen.insert(ids(chosen));
  }
  CHECK(seen.size() > 3);  // cases draw different examples
  // Another seed, another draw for some case.
  const auto other = spec_of(kTerms, 3, FewShotSpec::Select::random, 43);
  FewShotSelector reseeded(other);
  bool differs = false;
  for (const auto& [id, question] : kTerms)
    differs |=
        ids(reseeded.select(case_of(id, question))) != ids(selector.select(case_of(id, question)));
  CHECK(differs);
}

TEST_CASE("the case itself is never an example, by id or by its question's text",
          "[run][few-shot]") {
  const auto spec =
      spec_of({{"a", "Raft"}, {"b", "Paxos"}, {"c", "mutex"}}, 3, FewShotSpec::Select::random, 1);
  FewShotSelector selector(spec);
  // Same id, other text; other id, same text (trimmed): both are the case.
  CHECK(ids(selector.select(case_of("a", "something else"))).size() == 2);
  const auto chosen = selector.select(case_of("zz", "  Paxos\n"));
  CHECK(chosen.size() == 2);
  const auto names = ids(chosen);
  CHECK(std::find(names.begin(), names.end(), "b") == names.end());
}

TEST_CASE(
    "similar selection ranks examples by BM25 over their questions, the best nearest the question",
    "[run][few-shot]") {
  const auto spec = spec_of(kTerms, 2, FewShotSpec::Select::similar, 0);
  FewShotSelector selector(spec, TUNEBENCH_VOCAB_DIR);
  const auto chosen = selector.select(case_of("q", "hash ring for consistent hashing"));
  REQUIRE(chosen.size() == 2);
  CHECK(chosen.back()->id == "e6");   // "consistent hashing" shares two words
  CHECK(chosen.front()->id == "e8");  // "hash table" shares one (hashing is another word)
  // The case's own question is never picked, even when it ranks first.
  const auto own = selector.select(case_of("e4", "Bloom filter"));
  for (const auto* e : own) CHECK(e->id != "e4");
  CHECK(own.size() == 2);  // nothing else shares a word: drawn at random
}

TEST_CASE("examples go after the instructions and before the case's own messages",
          "[run][few-shot]") {
  const auto spec = spec_of({{"a", "Raft"}, {"b", "Paxos"}}, 2, FewShotSpec::Select::random, 1);
  json messages =
      json::array({{{"role", "system"}, {"content", "s"}}, {{"role", "user"}, {"content", "q"}}});
  std::vector<const FewShotExample*> examples = {&(*spec.examples)[0], &(*spec.examples)[1]};
  insert_examples(messages, examples);
  REQUIRE(messages.size() == 6);
  CHECK(messages[0]["role"] == "system");
  CHECK(messages[1]["content"] == "Raft");
  CHECK(messages[2]["role"] == "assistant");
  CHECK(messages[3]["content"] == "Paxos");
  CHECK(messages[5]["content"] == "q");
}
