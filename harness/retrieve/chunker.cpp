#include "retrieve/chunker.hpp"

#include <algorithm>

namespace tb {
namespace {

bool continuation_byte(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

// Moves a boundary that falls inside a UTF-8 sequence to the start of the next character.
std::size_t to_character_start(std::string_view text, std::size_t at) {
  while (at < text.size() && continuation_byte(text[at])) ++at;
  return at;
}

}  // namespace

std::optional<std::string> invalid_chunking(const ChunkingOptions& options) {
  if (options.tokens < 1) return "tokens: expected a whole number of at least 1";
  if (options.tokens > 100000)
    return "tokens: expected at most 100000 (a passage must fit a prompt)";
  if (options.overlap < 0) return "overlap: expected a whole number of at least 0";
  if (options.overlap >= options.tokens)
    return "overlap: must be smaller than tokens (" + std::to_string(options.overlap) +
           " >= " + std::to_string(options.tokens) + "), or chunks would never advance";
  return std::nullopt;
}

Chunker::Chunker(std::shared_ptr<const Encoding> encoding, ChunkingOptions options)
    : encoding_(std::move(encoding)), options_(options) {
  // One decode per id, once, instead of one per token of the corpus.
  token_bytes_.assign(encoding_->n_vocab(), 0);
  for (std::uint32_t id = 0; id < encoding_->n_vocab(); ++id) {
    try {
      token_bytes_[id] = static_cast<std::uint16_t>(
          encoding_->decode(std::span<const std::uint32_t>(&id, 1)).size());
    } catch (const TokenizerError&) {
      // an unused id between the ranks and the special tokens: never produced by encode
    }
  }
}

std::size_t Chunker::token_bytes(std::uint32_t id) const {
  return id < token_bytes_.size() ? token_bytes_[id] : 0;
}

void Chunker::chunk(const CorpusDocument& document, std::size_t document_index,
                    std::vector<Chunk>& out) const {
  const std::string_view text = document.text;
  if (text.empty()) return;
  // Special-token spellings in a document are its text, not control tokens.
  const auto ids = encoding_->encode(text, SpecialTokens::as_text);
  // offsets[i] = byte offset where token i starts; offsets[n] = the text's size.
  std::vector<std::size_t> offsets(ids.size() + 1, 0);
  for (std::size_t i = 0; i < ids.size(); ++i) offsets[i + 1] = offsets[i] + token_bytes(ids[i]);
  const auto window = static_cast<std::size_t>(options_.tokens);
  const auto step = static_cast<std::size_t>(options_.tokens - options_.overlap);
  int number = 0;
  for (std::size_t first = 0;; first += step) {
    const std::size_t last = std::min(ids.size(), first + window);
    Chunk c;
    c.begin = to_character_start(text, offsets[first]);
    c.end = to_character_start(text, offsets[last]);
    // A window of a few tokens inside one emoji holds no whole character: nothing to keep.
    if (c.end > c.begin) {
      c.document = document_index;
      c.number = number++;
      c.id = document.id + "#" + std::to_string(c.number);
      c.tokens = static_cast<int>(last - first);
      out.push_back(std::move(c));
    }
    if (last == ids.size()) break;
  }
}

}  // namespace tb
