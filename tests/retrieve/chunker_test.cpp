#include <catch2/catch.hpp>

#include "common/utf8.hpp"
#include "retrieve/chunker.hpp"

using namespace tb;

namespace {

std::shared_ptr<const Encoding> cl100k() {
  return Encoding::load(EncodingName::cl100k_base, TUNEBENCH_VOCAB_DIR);
}

CorpusDocument doc(std::string id, std::string text) {
  CorpusDocument d;
  d.id = std::move(id);
  d.title = d.id;
  d.text = std::move(text);
  return d;
}

std::string slice(const CorpusDocument& d, const Chunk& c) {
  return d.text.substr(c.begin, c.end - c.begin);
}

// A text of exactly `n` tokens in cl100k_base: " wordK" is one token for these words.
std::string words(int n) {
  static const char* kWords[] = {" alpha", " beta",  " gamma", " delta",
                                 " river", " stone", " cloud", " green"};
  std::string out = "start";
  for (int i = 1; i < n; ++i) out += kWords[i % 8];
  return out;
}

}  // namespace

TEST_CASE("chunking options are checked", "[retrieve][chunker]") {
  CHECK_FALSE(invalid_chunking({300, 50}));
  CHECK_FALSE(invalid_chunking({1, 0}));
  CHECK(*invalid_chunking({0, 0}) == "tokens: expected a whole number of at least 1");
  CHECK(*invalid_chunking({10, -1}) == "overlap: expected a whole number of at least 0");
  CHECK(invalid_chunking({10, 10})->starts_with("overlap: must be smaller than tokens (10 >= 10)"));
}

TEST_CASE("windows of N tokens advance by N - overlap and end with the document",
          "[retrieve][chunker]") {
  const auto enc = cl100k();
  const std::string text = words(25);
  REQUIRE(enc->count(text) == 25);
  const Chunker chunker(enc, {10, 3});
  const auto d = doc("d", text);
  std::vector<Chunk> chunks;
  chunker.chunk(d, 4, chunks);
  // Windows [0,10) [7,17) [14,24) [21,25): the last one is short and ends the document.
  REQUIRE(chunks.size() == 4);
  const auto ids = enc->encode(text);
  const int starts[] = {0, 7, 14, 21};
  const int ends[] = {10, 17, 24, 25};
  for (std::size_t i = 0; i < chunks.size(); ++i) {
    INFO("chunk " << i);
    CHECK(chunks[i].id == "d#" + std::to_string(i));
    CHECK(chunks[i].number == static_cast<int>(i));
    CHECK(chunks[i].document == 4);
    CHECK(chunks[i].tokens == ends[i] - starts[i]);
    const std::span<const std::uint32_t> window(ids.data() + starts[i],
                                                static_cast<std::size_t>(ends[i] - starts[i]));
    CHECK(slice(d, chunks[i]) == enc->decode(window));
  }
  // Consecutive chunks share exactly the bytes of the 3 overlapping tokens.
  for (std::size_t i = 1; i < chunks.size(); ++i) {
    const std::span<const std::uint32_t> overlap(ids.data() + starts[i], 3);
    CHECK(chunks[i - 1].end - chunks[i].begin == enc->decode(overlap).size());
  }
  CHECK(chunks.front().begin == 0);
  CHECK(chunks.back().end == text.size());
}

TEST_CASE("a document shorter than a chunk is one chunk, an empty one none",
          "[retrieve][chunker]") {
  const Chunker chunker(cl100k(), {300, 50});
  std::vector<Chunk> chunks;
  const auto d = doc("short", "Just a few words.");
  chunker.chunk(d, 0, chunks);
  REQUIRE(chunks.size() == 1);
  CHECK(slice(d, chunks[0]) == "Just a few words.");
  CHECK(chunks[0].tokens == 5);
  chunker.chunk(doc("empty", ""), 1, chunks);
  CHECK(chunks.size() == 1);
  // Exactly one chunk's worth: no second window that would hold only the overlap.
  const auto exact = doc("exact", words(300));
  chunker.chunk(exact, 2, chunks);
  REQUIRE(chunks.size() == 2);
  CHECK(chunks[1].tokens == 300);
  CHECK(chunks[1].id == "exact#0");
}

TEST_CASE("without overlap the chunks tile the document", "[retrieve][chunker]") {
  const Chunker chunker(cl100k(), {7, 0});
  const auto d = doc(
      "t", "The quick brown fox jumps over the lazy dog, twice: the quick brown fox jumps again.");
  std::vector<Chunk> chunks;
  chunker.chunk(d, 0, chunks);
  REQUIRE(chunks.size() > 2);
  std::string joined;
  for (std::size_t i = 0; i < chunks.size(); ++i) {
    if (i > 0) CHECK(chunks[i].begin == chunks[i - 1].end);
    joined += slice(d, chunks[i]);
  }
  CHECK(joined == d.text);
}

TEST_CASE("chunk boundaries never split a UTF-8 character", "[retrieve][chunker]") {
  const auto enc = cl100k();
  // Emoji and CJK take several byte-level tokens per character in cl100k_base, so windows of
  // one or two tokens end inside characters.
  const auto d = doc("u", "名前は🙂🙂 and 😀 émigré 東京タワー");
  for (const ChunkingOptions options :
       {ChunkingOptions{1, 0}, ChunkingOptions{2, 1}, ChunkingOptions{3, 1}}) {
    const Chunker chunker(enc, options);
    std::vector<Chunk> chunks;
    chunker.chunk(d, 0, chunks);
    REQUIRE_FALSE(chunks.empty());
    std::size_t covered = 0;
    for (const auto& c : chunks) {
      CHECK(valid_utf8(slice(d, c)));
      CHECK(c.end > c.begin);
      covered = std::max(covered, c.end);
    }
    CHECK(covered == d.text.size());
    // Numbers stay dense even when a window held no whole character and was left out.
    CHECK(chunks.back().id == "u#" + std::to_string(chunks.size() - 1));
  }
}

TEST_CASE("special-token spellings in a document are text", "[retrieve][chunker]") {
  const Chunker chunker(cl100k(), {300, 50});
  std::vector<Chunk> chunks;
  const auto d = doc("s", "Models end with <|endoftext|> in training data.");
  REQUIRE_NOTHROW(chunker.chunk(d, 0, chunks));
  REQUIRE(chunks.size() == 1);
  CHECK(slice(d, chunks[0]) == d.text);
}
