// One rag variant's retrieval for a case: the query picked from the case's messages, the index
// searched, and the passages written into the block the variant's template makes.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "retrieve/retrieval_index.hpp"
#include "suite/suite.hpp"
#include "suite/test_case.hpp"

namespace tb {

// What one case retrieved, as its prompt and its result use it.
struct CaseRetrieval {
  std::vector<Passage> passages;  // best first, at most k
  std::string block;              // the passages as the template writes them into the prompt
  std::string context;            // the passages' titles and texts, for context-recall
  double search_ms = 0;           // searching the index (and reading the query's vector)
  long long query_tokens = 0;     // embedding the query (0 for bm25)
  // The method needs the query's vector and none is stored: nothing was searched.
  bool missing_vector = false;
};

class VariantRetriever {
 public:
  // `space` names the embedding space of the variant's vectors (empty for bm25); the index is
  // shared with other variants of the same corpus and chunking. Used from one thread at a time.
  VariantRetriever(const RetrieveSpec& spec, std::shared_ptr<RetrievalIndex> index,
                   std::string space);

  // The case's retrieval. The last case's is kept: the plan hands out a case's repeats one
  // after another, and they search once.
  std::shared_ptr<const CaseRetrieval> retrieve(const TestCase& test_case);

  const RetrieveSpec& spec() const { return spec_; }
  const std::string& space() const { return space_; }
  RetrievalIndex& index() { return *index_; }

 private:
  const RetrieveSpec& spec_;
  std::shared_ptr<RetrievalIndex> index_;
  std::string space_;
  RetrievalMethod method_;
  std::size_t last_case_ = static_cast<std::size_t>(-1);
  std::shared_ptr<const CaseRetrieval> last_;
};

}  // namespace tb
