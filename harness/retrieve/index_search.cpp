// Searching a RetrievalIndex: BM25 through FTS5, cosine over the embeddings, and both fused.
#include <algorithm>
#include <set>

#include "retrieve/index_db.hpp"
#include "retrieve/rank_fusion.hpp"

namespace tb {
namespace {

constexpr std::size_t kMaxQueryWords = 64;

bool word_byte(unsigned char c) { return c >= 0x80 || (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z'); }

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

}  // namespace

std::string fts5_match_expression(std::string_view text) {
  std::string out;
  std::set<std::string> seen;
  std::size_t words = 0;
  for (std::size_t i = 0; i < text.size() && words < kMaxQueryWords;) {
    if (!word_byte(static_cast<unsigned char>(text[i]))) {
      ++i;
      continue;
    }
    std::size_t end = i;
    while (end < text.size() && word_byte(static_cast<unsigned char>(text[end]))) ++end;
    // A string in double quotes is taken literally by FTS5 (AND, OR, NEAR, *, ^ and column
    // filters lose their meaning); the words hold no quote to escape.
    std::string word = ascii_lower(text.substr(i, end - i));
    i = end;
    if (!seen.insert(word).second) continue;
    if (!out.empty()) out += " OR ";
    out += '"';
    out += word;
    out += '"';
    ++words;
  }
  return out;
}

std::vector<Passage> RetrievalIndex::Impl::passages(const std::vector<RankedItem>& ranked) {
  if (!passage.valid())
    passage = db.prepare("SELECT chunk_id, document_id, title, text, tokens FROM " + chunks_table + " WHERE id = ?");
  std::vector<Passage> out;
  out.reserve(ranked.size());
  for (const RankedItem& r : ranked) {
    passage.bind(1, static_cast<long long>(r.item));
    if (passage.step()) {
      Passage p;
      p.chunk_id = passage.text(0);
      p.document_id = passage.text(1);
      p.title = passage.text(2);
      p.text = passage.text(3);
      p.tokens = static_cast<int>(passage.int64(4));
      p.score = r.score;
      out.push_back(std::move(p));
    }
    passage.reset();
  }
  return out;
}

namespace {

std::vector<RankedItem> bm25_ranked(RetrievalIndex::Impl& impl, std::string_view query, std::size_t k) {
  const std::string match = fts5_match_expression(query);
  if (match.empty() || k == 0) return {};
  if (!impl.bm25.valid())
    impl.bm25 = impl.db.prepare("SELECT rowid, rank FROM " + impl.fts_table + " WHERE " + impl.fts_table +
                                " MATCH ? ORDER BY rank, rowid LIMIT ?");
  impl.bm25.bind(1, match).bind(2, static_cast<long long>(k));
  std::vector<RankedItem> out;
  while (impl.bm25.step()) out.push_back({impl.bm25.int64(0), -impl.bm25.real(1)});
  impl.bm25.reset();
  return out;
}

}  // namespace

std::vector<Passage> RetrievalIndex::search_bm25(std::string_view query, std::size_t k) {
  return impl_->passages(bm25_ranked(*impl_, query, k));
}

std::vector<Passage> RetrievalIndex::search_embeddings(const std::string& space, std::span<const float> query_vector,
                                                       std::size_t k) {
  return impl_->passages(impl_->vectors_of(space).search(query_vector, k));
}

std::vector<Passage> RetrievalIndex::search_hybrid(std::string_view query, const std::string& space,
                                                   std::span<const float> query_vector, std::size_t k) {
  // Deep enough that a chunk ranked well by one method and moderately by the other is seen by
  // both: fusion can only reward agreement it sees.
  const std::size_t depth = std::max<std::size_t>(4 * k, 40);
  const std::vector<std::vector<RankedItem>> lists = {bm25_ranked(*impl_, query, depth),
                                                      impl_->vectors_of(space).search(query_vector, depth)};
  return impl_->passages(reciprocal_rank_fusion(lists, k));
}

}  // namespace tb
