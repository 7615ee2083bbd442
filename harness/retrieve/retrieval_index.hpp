// The searchable index of a corpus: its chunks, a BM25 index of them (SQLite FTS5) and their
// embeddings, kept in a side file beside the store and built once per corpus content.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "retrieve/chunker.hpp"
#include "retrieve/corpus.hpp"
#include "token/encoding.hpp"

namespace tb {

enum class RetrievalMethod { bm25, embeddings, hybrid };
std::string_view to_string(RetrievalMethod method);
std::optional<RetrievalMethod> parse_retrieval_method(std::string_view text);

// What an index is built with besides the corpus: a different value is a different index.
struct IndexSettings {
  ChunkingOptions chunking;
  EncodingName tokenizer = EncodingName::o200k_base;  // of the model the passages are sent to
};

struct IndexInfo {
  std::string key;  // SHA-256 of the corpus content, the settings and the index format
  std::size_t documents = 0;
  std::size_t chunks = 0;
  std::size_t bytes = 0;       // of the corpus's titles and texts
  long long chunk_tokens = 0;  // sum over chunks, overlaps counted in each chunk
  bool reused = false;         // found in the file, not built by this open()
  double build_ms = 0;         // of the build that made it (this one or an earlier one)
  std::string built_at;        // UTC, ISO 8601
  std::size_t dropped = 0;     // indexes of an earlier version of this corpus removed by this build
};

// One retrieved chunk, as a rag prompt shows it and a result records it.
struct Passage {
  std::string chunk_id;     // "<document id>#<number>"
  std::string document_id;  // what gold passages name
  std::string title;
  std::string text;
  int tokens = 0;
  // Higher is better: BM25 (the negated FTS5 bm25()), cosine similarity, or the fused RRF score.
  double score = 0;
};

// Called while chunks are written: documents done, documents in all.
using IndexProgress = std::function<void(std::size_t done, std::size_t total)>;

// One SQLite file may hold the indexes of several corpora and settings; each has its own chunk
// table and FTS5 table. Embeddings live in one table keyed by embedding space (which model
// behind which endpoint made them) and a hash of the exact text embedded, so a vector is
// fetched once whether it belongs to a chunk or a query, and an edited corpus re-embeds only
// the chunks whose text changed. Use from one thread at a time. Throws StoreError when the file
// cannot be read or written.
class RetrievalIndex {
 public:
  // The side file of a store: "tunebench.db" -> "tunebench.retrieval.db".
  static std::filesystem::path beside_store(const std::filesystem::path& store);

  // Opens the index of `corpus` with `settings` in `file`, building it when the file holds none
  // for this content (key). A build also drops the indexes an earlier content of the same corpus
  // path left with the same settings. Concurrent processes building the same index wait for one
  // another instead of building twice. Throws TokenizerError when the tokenizer's rank file is
  // missing.
  static RetrievalIndex open(const std::filesystem::path& file, const Corpus& corpus,
                             const IndexSettings& settings, const IndexProgress& progress = {},
                             const std::filesystem::path& vocab_dir = {});

  RetrievalIndex(RetrievalIndex&&) noexcept;
  RetrievalIndex& operator=(RetrievalIndex&&) noexcept;
  ~RetrievalIndex();

  const IndexInfo& info() const;

  // The `k` best chunks for `query` by BM25 over the chunks' titles and texts (FTS5, k1 = 1.2,
  // b = 0.75, the title counted twice). The query's words are searched for in any combination
  // (OR); none of FTS5's query syntax is interpreted. Empty when no word of the query occurs.
  std::vector<Passage> search_bm25(std::string_view query, std::size_t k);

  // --- Embeddings. `space` names who made the vectors (endpoint and model), since vectors
  // of different models are not comparable.

  // The text embedded for a chunk: its title, a blank line, its text.
  static std::string embedding_text(std::string_view title, std::string_view text);
  // Embedding texts of the chunks that have no vector in `space` yet, each once.
  std::vector<std::string> chunks_without_embedding(const std::string& space);
  // Stores vectors (with the tokens each cost) in one transaction; a text already stored keeps
  // its first vector.
  void store_embeddings(const std::string& space, std::span<const std::string> texts,
                        std::span<const std::vector<float>> vectors,
                        std::span<const long long> tokens);
  // A stored vector of this exact text (a query embedded in an earlier run), if any, and the
  // tokens embedding it cost when `tokens` is given.
  std::optional<std::vector<float>> stored_embedding(const std::string& space,
                                                     std::string_view text,
                                                     long long* tokens = nullptr);
  // Chunks with a vector in `space`, and the tokens embedding them cost.
  struct EmbeddingCoverage {
    std::size_t chunks = 0;
    long long tokens = 0;
  };
  EmbeddingCoverage embedding_coverage(const std::string& space);

  // The `k` chunks most similar to `query_vector` (cosine); chunks without a vector in `space`
  // are not candidates.
  std::vector<Passage> search_embeddings(const std::string& space,
                                         std::span<const float> query_vector, std::size_t k);
  // BM25 and embeddings, each to a depth of max(4k, 40), fused by reciprocal rank (k = 60).
  std::vector<Passage> search_hybrid(std::string_view query, const std::string& space,
                                     std::span<const float> query_vector, std::size_t k);

  struct Impl;

 private:
  explicit RetrievalIndex(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The FTS5 MATCH expression for free text: each distinct word quoted as a string, joined by OR,
// at most 64 of them. Empty when the text holds no word.
std::string fts5_match_expression(std::string_view text);

}  // namespace tb
