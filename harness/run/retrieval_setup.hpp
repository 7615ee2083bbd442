// A run's rag variants made ready before the first request: each variant's index opened, or
// built once per corpus content, chunking and tokenizer (and shared by the variants that agree
// on them); for methods that need vectors, the chunks and every case's query embedded through
// the variant's embeddings endpoint, each distinct text once, ever (the vectors stay in the
// index's side file). Jobs then retrieve without a request of their own.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "net/url.hpp"
#include "run/preflight.hpp"
#include "run/variant_retriever.hpp"
#include "suite/suite.hpp"

namespace tb {

// What embedding a rag variant's corpus cost once, and what a query costs.
struct VariantRetrievalInfo {
  long long index_embedding_tokens = 0;
  double index_cost_usd = 0;
  double query_price = 0;  // USD per 1M tokens of embedding a query
};

struct RetrievalSetup {
  // By the suite's variant index; null for variants without retrieve.
  std::vector<std::unique_ptr<VariantRetriever>> retrievers;
  std::vector<VariantRetrievalInfo> info;
  long long embeddings_requests = 0;  // sent by this setup, retries included
};

// Embedding failed after its retries: a runtime failure (the vectors that arrived are kept).
class RetrievalSetupError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Each rag variant's retrieval settings as JSON (corpus and its content hash, chunking,
// tokenizer, k, method, query, template, embeddings), by variant index; empty for the others.
// Known before anything is built or sent, so a resume compares them first.
std::vector<std::string> describe_retrieval(const Suite& suite, const Preflight& preflight,
                                            const std::map<std::string, Url>& urls);

// `urls` are the endpoints' base URLs as the run reaches them (the in-process mock's included).
// Throws RetrievalSetupError, StoreError (the side file) or TokenizerError.
RetrievalSetup prepare_retrieval(const Suite& suite, const Preflight& preflight,
                                 const std::filesystem::path& db_path,
                                 const std::map<std::string, Url>& urls, bool quiet);

}  // namespace tb
