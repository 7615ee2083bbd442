// Searching a RetrievalIndex: BM25 through FTS5, cosine over the embeddings, and both fused.
#include <algorithm>
#include <cmath>
#include <optional>
#include <set>

#include "retrieve/index_db.hpp"
#include "retrieve/rank_fusion.hpp"
#include "store/store_error.hpp"

namespace tb {
namespace {

constexpr std::size_t kMaxQueryWords = 64;

bool word_byte(unsigned char c) {
  return c >= 0x80 || (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

// The distinct words of a query, lowercased, in order: runs of ASCII letters and digits (which
// is exactly how FTS5's unicode61 splits ASCII) and of any non-ASCII bytes.
std::vector<std::string> query_words(std::string_view text) {
  std::vector<std::string> words;
  std::set<std::string> seen;
  for (std::size_t i = 0; i < text.size() && words.size() < kMaxQueryWords;) {
    if (!word_byte(static_cast<unsigned char>(text[i]))) {
      ++i;
      continue;
    }
    std::size_t end = i;
    while (end < text.size() && word_byte(static_cast<unsigned char>(text[end]))) ++end;
    std::string word = ascii_lower(text.substr(i, end - i));
    i = end;
    if (seen.insert(word).second) words.push_back(std::move(word));
  }
  return words;
}

bool ascii(std::string_view word) {
  return std::all_of(word.begin(), word.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

std::string match_expression(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& word : words) {
    // A string in double quotes is taken literally by FTS5 (AND, OR, NEAR, *, ^ and column
    // filters lose their meaning); the words hold no quote to escape.
    if (!out.empty()) out += " OR ";
    out += '"';
    out += word;
    out += '"';
  }
  return out;
}

}  // namespace

std::string fts5_match_expression(std::string_view text) {
  return match_expression(query_words(text));
}

std::vector<Passage> RetrievalIndex::Impl::passages(const std::vector<RankedItem>& ranked) {
  if (ranked.empty()) return {};
  // One statement for all of them (the ids as a JSON array): each statement is a read
  // transaction of its own, with its file locks.
  if (!passage.valid())
    passage = db.prepare(
        "SELECT j.key, c.chunk_id, c.document_id, c.title, c.text, c.tokens FROM json_each(?) j "
        "JOIN " +
        chunks_table + " c ON c.id = j.value");
  std::string ids = "[";
  for (const RankedItem& r : ranked) ids += (ids.size() > 1 ? "," : "") + std::to_string(r.item);
  ids += ']';
  passage.bind(1, ids);
  std::vector<std::optional<Passage>> found(ranked.size());
  while (passage.step()) {
    const auto at = static_cast<std::size_t>(passage.int64(0));
    Passage p;
    p.chunk_id = passage.text(1);
    p.document_id = passage.text(2);
    p.title = passage.text(3);
    p.text = passage.text(4);
    p.tokens = static_cast<int>(passage.int64(5));
    p.score = ranked[at].score;
    found[at] = std::move(p);
  }
  passage.reset();
  std::vector<Passage> out;
  out.reserve(ranked.size());
  for (auto& p : found)
    if (p) out.push_back(std::move(*p));
  return out;
}

namespace {

// The idf bm25() would compute for each word (phrase) of the query, from the number of rows
// holding it (fts5vocab), remembered per word. An ASCII word is exactly one FTS5 token, so its
// row count is its phrase's. A word with other characters may be several tokens or none (a
// phrase FTS5 may drop, which would shift the phrases after it): such a query gets no values
// and the ranking function counts every phrase itself, as bm25() does.
std::vector<double> idf_of(RetrievalIndex::Impl& impl, const std::vector<std::string>& words) {
  if (!std::all_of(words.begin(), words.end(), [](const std::string& w) { return ascii(w); }))
    return {};
  if (!impl.document_frequency.valid()) {
    const std::string vocab = "vocab_" + std::to_string(impl.id);
    impl.db.exec("CREATE VIRTUAL TABLE IF NOT EXISTS temp." + vocab + " USING fts5vocab(main, " +
                 impl.fts_table + ", 'row')");
    impl.document_frequency = impl.db.prepare("SELECT doc FROM temp." + vocab + " WHERE term = ?");
  }
  const auto rows = static_cast<double>(impl.info.chunks);
  std::vector<double> out;
  out.reserve(words.size());
  for (const std::string& word : words) {
    auto it = impl.idf.find(word);
    if (it == impl.idf.end()) {
      impl.document_frequency.bind(1, word);
      const double hits = impl.document_frequency.step()
                              ? static_cast<double>(impl.document_frequency.int64(0))
                              : 0;
      impl.document_frequency.reset();
      const double idf = std::log((rows - hits + 0.5) / (hits + 0.5));
      it = impl.idf.emplace(word, idf <= 0.0 ? 1e-6 : idf).first;
    }
    out.push_back(it->second);
  }
  return out;
}

std::vector<RankedItem> bm25_ranked(RetrievalIndex::Impl& impl, std::string_view query,
                                    std::size_t k) {
  const std::vector<std::string> words = query_words(query);
  if (words.empty() || k == 0) return {};
  if (!impl.ranking) {
    auto ranking = std::make_unique<Bm25Ranking>();
    ranking->row_tokens.assign(impl.info.chunks + 1, -1);
    if (register_bm25_ranking(impl.db.handle(), ranking.get()) != SQLITE_OK)
      throw StoreError("cannot register the BM25 ranking function: " +
                       std::string(sqlite3_errmsg(impl.db.handle())));
    impl.ranking = std::move(ranking);
    impl.bm25 = impl.db.prepare("SELECT rowid, tb_bm25(" + impl.fts_table + ") AS score FROM " +
                                impl.fts_table + " WHERE " + impl.fts_table +
                                " MATCH ? ORDER BY score, rowid LIMIT ?");
  }
  impl.ranking->idf = idf_of(impl, words);
  const std::string match = match_expression(words);
  impl.bm25.bind(1, match).bind(2, static_cast<long long>(k));
  std::vector<RankedItem> out;
  while (impl.bm25.step()) out.push_back({impl.bm25.int64(0), -impl.bm25.real(1)});
  impl.bm25.reset();
  return out;
}

}  // namespace

std::vector<Passage> RetrievalIndex::search_bm25(std::string_view query, std::size_t k) {
  impl_->begin_reading();
  return impl_->passages(bm25_ranked(*impl_, query, k));
}

std::vector<Passage> RetrievalIndex::search_embeddings(const std::string& space,
                                                       std::span<const float> query_vector,
                                                       std::size_t k) {
  impl_->begin_reading();
  return impl_->passages(impl_->vectors_of(space).search(query_vector, k));
}

std::vector<Passage> RetrievalIndex::search_hybrid(std::string_view query, const std::string& space,
                                                   std::span<const float> query_vector,
                                                   std::size_t k) {
  // Deep enough that a chunk ranked well by one method and moderately by the other is seen by
  // both: fusion can only reward agreement it sees.
  impl_->begin_reading();
  const std::size_t depth = std::max<std::size_t>(4 * k, 40);
  const std::vector<std::vector<RankedItem>> lists = {
      bm25_ranked(*impl_, query, depth), impl_->vectors_of(space).search(query_vector, depth)};
  return impl_->passages(reciprocal_rank_fusion(lists, k));
}

}  // namespace tb
