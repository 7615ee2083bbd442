#include "run/few_shot_selector.hpp"

#include <algorithm>
#include <numeric>
#include <random>

#include "common/hash.hpp"
#include "common/text.hpp"
#include "retrieve/retrieval_index.hpp"
#include "suite/prompt_renderer.hpp"

namespace tb {

FewShotSelector::FewShotSelector(const FewShotSpec& spec, const std::filesystem::path& vocab_dir)
    : spec_(spec) {
  if (spec.select != FewShotSpec::Select::similar) return;
  // Each example a document of its own, searched by its question; the index lives in memory for
  // the run (a training file is small, and its index is rebuilt in milliseconds).
  Corpus corpus;
  corpus.path = spec.file;
  for (std::size_t i = 0; i < spec.examples->size(); ++i) {
    const auto& e = (*spec.examples)[i];
    corpus.documents.push_back(
        {std::to_string(i), "", e.question, spec.display + ":" + std::to_string(e.line)});
    corpus.bytes += e.question.size();
  }
  corpus.content_hash = sha256_hex(spec.file.string());
  IndexSettings settings;
  settings.chunking.tokens = 512;  // a question is one chunk
  settings.chunking.overlap = 0;
  index_ = std::make_unique<RetrievalIndex>(
      RetrievalIndex::open(":memory:", corpus, settings, {}, vocab_dir));
}

FewShotSelector::~FewShotSelector() = default;

bool FewShotSelector::is_case(const FewShotExample& example, const TestCase& test_case) {
  if (!example.id.empty() && example.id == test_case.id) return true;
  return trim(example.question) == trim(question_text(test_case.messages));
}

void FewShotSelector::fill_random(const TestCase& test_case,
                                  std::vector<const FewShotExample*>& chosen) const {
  const auto& examples = *spec_.examples;
  std::vector<std::size_t> order(examples.size());
  std::iota(order.begin(), order.end(), 0);
  // Seeded by the case's identity, not its position: the same examples for a case in every run,
  // shard and resume.
  std::mt19937_64 rng(mix64(static_cast<std::uint64_t>(spec_.seed), fnv1a64(test_case.id)));
  for (std::size_t i = 0; i < order.size() && chosen.size() < static_cast<std::size_t>(spec_.k);
       ++i) {
    std::uniform_int_distribution<std::size_t> pick(i, order.size() - 1);
    std::swap(order[i], order[pick(rng)]);
    const FewShotExample* e = &examples[order[i]];
    if (is_case(*e, test_case) || std::find(chosen.begin(), chosen.end(), e) != chosen.end())
      continue;
    chosen.push_back(e);
  }
}

std::vector<const FewShotExample*> FewShotSelector::select(const TestCase& test_case) {
  std::vector<const FewShotExample*> chosen;
  if (index_) {
    const std::string question = question_text(test_case.messages);
    // A few more than k: the case itself (and copies of it) may rank first.
    for (const Passage& p : index_->search_bm25(question, static_cast<std::size_t>(spec_.k) + 4)) {
      const FewShotExample* e = &(*spec_.examples)[std::stoul(p.document_id)];
      if (is_case(*e, test_case)) continue;
      chosen.push_back(e);
      if (chosen.size() == static_cast<std::size_t>(spec_.k)) break;
    }
    std::reverse(chosen.begin(), chosen.end());  // the most similar nearest the question
    if (chosen.size() < static_cast<std::size_t>(spec_.k)) {
      std::vector<const FewShotExample*> rest = chosen;
      fill_random(test_case, rest);
      rest.erase(rest.begin(), rest.begin() + static_cast<std::ptrdiff_t>(chosen.size()));
      chosen.insert(chosen.begin(), rest.begin(), rest.end());
    }
    return chosen;
  }
  fill_random(test_case, chosen);
  return chosen;
}

void insert_examples(nlohmann::json& messages, std::span<const FewShotExample* const> examples) {
  std::size_t at = 0;
  while (
      at < messages.size() && messages[at].is_object() &&
      (messages[at].value("role", "") == "system" || messages[at].value("role", "") == "developer"))
    ++at;
  nlohmann::json out = nlohmann::json::array();
  for (std::size_t i = 0; i < at; ++i) out.push_back(std::move(messages[i]));
  for (const FewShotExample* e : examples)
    for (const auto& turn : e->turns) out.push_back(turn);
  for (std::size_t i = at; i < messages.size(); ++i) out.push_back(std::move(messages[i]));
  messages = std::move(out);
}

}  // namespace tb
