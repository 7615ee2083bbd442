// Splits documents into passages of a fixed number of tokens, overlapping, counted with the
// tokenizer of the model the passages are sent to.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "retrieve/corpus.hpp"
#include "token/encoding.hpp"

namespace tb {

struct ChunkingOptions {
  int tokens = 300;  // per chunk
  int overlap = 50;  // tokens a chunk shares with the one before it
};

// What is wrong with the options (e.g. "overlap must be smaller than tokens"), if anything.
std::optional<std::string> invalid_chunking(const ChunkingOptions& options);

struct Chunk {
  std::string id;            // "<document id>#<number>": stable while document and chunking are
  std::size_t document = 0;  // index into Corpus::documents
  int number = 0;            // 0-based position within its document
  std::size_t begin = 0;     // byte range within the document's text
  std::size_t end = 0;
  int tokens = 0;  // tokens of the window this chunk was cut from
};

// Windows of `tokens` tokens over the document's token sequence, each starting `tokens -
// overlap` tokens after the one before; the last window ends with the document. A chunk is
// the document's bytes between the windows' first and last token, moved forward to the next
// character where a token ends inside a UTF-8 sequence, so chunk texts are always valid UTF-8
// and consecutive chunks share exactly the bytes of `overlap` tokens.
class Chunker {
 public:
  Chunker(std::shared_ptr<const Encoding> encoding, ChunkingOptions options);

  // Appends the chunks of one document (none for an empty one). Thread-safe.
  void chunk(const CorpusDocument& document, std::size_t document_index,
             std::vector<Chunk>& out) const;

  const ChunkingOptions& options() const { return options_; }
  const Encoding& encoding() const { return *encoding_; }

 private:
  std::size_t token_bytes(std::uint32_t id) const;

  std::shared_ptr<const Encoding> encoding_;
  ChunkingOptions options_;
  std::vector<std::uint16_t> token_bytes_;  // byte length of every token id, filled at construction
};

}  // namespace tb
