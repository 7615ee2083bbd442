#pragma once
// A few-shot variant's examples for a case: k from its training file, chosen at random (seeded
// per case) or by similarity of their question to the case's (BM25 over the examples'
// questions, with the retriever rag uses), never the case itself.
#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "suite/suite.hpp"
#include "suite/test_case.hpp"

namespace tb {

class RetrievalIndex;

class FewShotSelector {
 public:
  // `similar` builds an in-memory BM25 index of the examples' questions (tokenized with
  // o200k_base from `vocab_dir`, the default folder when empty); throws TokenizerError when the
  // rank file is missing.
  explicit FewShotSelector(const FewShotSpec& spec, const std::filesystem::path& vocab_dir = {});
  ~FewShotSelector();
  FewShotSelector(const FewShotSelector&) = delete;
  FewShotSelector& operator=(const FewShotSelector&) = delete;

  // Up to k examples, none of them the case (same id, or the same question text). `random`:
  // the same for a case in every run with the seed, whatever the order cases come in.
  // `similar`: most similar last (nearest the question); when fewer than k share a word with
  // the question, the rest are drawn at random. Fewer than k only when the file holds too few
  // other examples.
  std::vector<const FewShotExample*> select(const TestCase& test_case);

  // Whether an example is the case itself.
  static bool is_case(const FewShotExample& example, const TestCase& test_case);

 private:
  void fill_random(const TestCase& test_case, std::vector<const FewShotExample*>& chosen) const;

  const FewShotSpec& spec_;
  std::unique_ptr<RetrievalIndex> index_;  // similar only
};

// The messages with the examples' turns inserted after the leading system and developer
// messages, before the case's own.
void insert_examples(nlohmann::json& messages, std::span<const FewShotExample* const> examples);

}  // namespace tb
