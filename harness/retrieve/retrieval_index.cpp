#include "retrieve/retrieval_index.hpp"

#include <sqlite3.h>

#include <chrono>
#include <cstring>
#include <future>

#include "common/clock.hpp"
#include "common/hash.hpp"
#include "retrieve/index_db.hpp"
#include "store/store_error.hpp"

namespace tb {
namespace {

// Bumped when what a build writes changes, so older files are rebuilt rather than misread.
constexpr std::string_view kIndexFormat = "tunebench-index-v1";

constexpr std::string_view kSchema = R"sql(
CREATE TABLE IF NOT EXISTS indexes(
  id INTEGER PRIMARY KEY,
  key TEXT NOT NULL UNIQUE,
  corpus TEXT NOT NULL,
  corpus_hash TEXT NOT NULL,
  chunk_tokens INTEGER NOT NULL,
  chunk_overlap INTEGER NOT NULL,
  tokenizer TEXT NOT NULL,
  documents INTEGER NOT NULL,
  chunks INTEGER NOT NULL,
  bytes INTEGER NOT NULL,
  tokens INTEGER NOT NULL,
  build_ms REAL NOT NULL,
  built_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS embeddings(
  space TEXT NOT NULL,
  text_hash TEXT NOT NULL,
  dimensions INTEGER NOT NULL,
  tokens INTEGER NOT NULL,
  vector BLOB NOT NULL,
  created_at TEXT NOT NULL,
  UNIQUE(space, text_hash)
);
)sql";

// Documents chunked per task of the build's second thread: enough to make a thread's start
// negligible, few enough that the two threads overlap over most of the build.
constexpr std::size_t kBlockBytes = 256 * 1024;

struct PreparedBlock {
  std::vector<Chunk> chunks;
  std::vector<std::string> embed_hashes;
  std::size_t last = 0;  // one past the block's last document
};

std::string index_key(const Corpus& corpus, const IndexSettings& s) {
  return sha256_hex(std::string(kIndexFormat) + "\n" + corpus.content_hash + "\n" +
                    std::to_string(s.chunking.tokens) + "\n" + std::to_string(s.chunking.overlap) +
                    "\n" + std::string(to_string(s.tokenizer)));
}

std::string corpus_identity(const Corpus& corpus) {
  std::error_code ec;
  const auto canonical = std::filesystem::weakly_canonical(corpus.path, ec);
  return (ec ? std::filesystem::absolute(corpus.path) : canonical).generic_string();
}

void name_tables(RetrievalIndex::Impl& impl) {
  impl.chunks_table = "chunks_" + std::to_string(impl.id);
  impl.fts_table = "fts_" + std::to_string(impl.id);
}

bool load_registered(RetrievalIndex::Impl& impl, const std::string& key) {
  auto q = impl.db.prepare(
      "SELECT id, documents, chunks, bytes, tokens, build_ms, built_at FROM indexes WHERE key = ?");
  q.bind(1, key);
  if (!q.step()) return false;
  impl.id = q.int64(0);
  impl.info.key = key;
  impl.info.documents = static_cast<std::size_t>(q.int64(1));
  impl.info.chunks = static_cast<std::size_t>(q.int64(2));
  impl.info.bytes = static_cast<std::size_t>(q.int64(3));
  impl.info.chunk_tokens = q.int64(4);
  impl.info.build_ms = q.real(5);
  impl.info.built_at = q.text(6);
  impl.info.reused = true;
  name_tables(impl);
  return true;
}

void drop_index(sqlite::Database& db, long long id) {
  const std::string n = std::to_string(id);
  db.exec("DROP TABLE IF EXISTS fts_" + n + "; DROP TABLE IF EXISTS chunks_" + n + ";");
  db.prepare("DELETE FROM indexes WHERE id = ?").bind(1, id).run();
}

void build(RetrievalIndex::Impl& impl, const Corpus& corpus, const IndexSettings& settings,
           const std::string& key, const IndexProgress& progress,
           const std::filesystem::path& vocab_dir) {
  const double start = steady_ms();
  Chunker chunker(Encoding::load(settings.tokenizer, vocab_dir), settings.chunking);
  const std::string identity = corpus_identity(corpus);

  auto reg = impl.db.prepare(
      "INSERT INTO indexes(key, corpus, corpus_hash, chunk_tokens, chunk_overlap, tokenizer, "
      "documents, chunks, "
      "bytes, tokens, build_ms, built_at) VALUES(?, ?, ?, ?, ?, ?, 0, 0, 0, 0, 0, '')");
  reg.bind(1, key).bind(2, identity).bind(3, corpus.content_hash).bind(4, settings.chunking.tokens);
  reg.bind(5, settings.chunking.overlap).bind(6, to_string(settings.tokenizer)).run();
  impl.id = impl.db.last_insert_id();
  name_tables(impl);
  impl.db.exec("CREATE TABLE " + impl.chunks_table +
               "(id INTEGER PRIMARY KEY, chunk_id TEXT NOT NULL, document_id TEXT NOT NULL, number "
               "INTEGER NOT NULL, "
               "title TEXT NOT NULL, text TEXT NOT NULL, tokens INTEGER NOT NULL, embed_hash TEXT "
               "NOT NULL)");
  // Contentless: the texts are in the chunk table already. unicode61 folds case and (with
  // remove_diacritics 2) accents; no stemming, so a word matches only its own forms.
  impl.db.exec("CREATE VIRTUAL TABLE " + impl.fts_table +
               " USING fts5(title, text, content='', tokenize='unicode61 remove_diacritics 2')");
  // The title counts twice: a passage titled with the query's words is usually the one meant.
  impl.db.exec("INSERT INTO " + impl.fts_table + "(" + impl.fts_table +
               ", rank) VALUES('rank', 'bm25(2.0, 1.0)')");
  // Index leaves as large as the file's 16 KiB pages (FTS5's default is 4 KiB): a query reads a
  // term's rows in a quarter of the blob reads.
  impl.db.exec("INSERT INTO " + impl.fts_table + "(" + impl.fts_table +
               ", rank) VALUES('pgsz', 16000)");

  auto chunk_row =
      impl.db.prepare("INSERT INTO " + impl.chunks_table +
                      "(id, chunk_id, document_id, number, title, text, tokens, embed_hash) "
                      "VALUES(?, ?, ?, ?, ?, ?, ?, ?)");
  auto fts_row =
      impl.db.prepare("INSERT INTO " + impl.fts_table + "(rowid, title, text) VALUES(?, ?, ?)");
  // Chunking (tokenizing and hashing) of the next block of documents runs on a second thread
  // while this one writes the current block: the two take about as long as each other, so the
  // build takes about half the time it would in turn.
  auto prepare = [&](std::size_t first, std::size_t last) {
    PreparedBlock block;
    for (std::size_t d = first; d < last; ++d) chunker.chunk(corpus.documents[d], d, block.chunks);
    block.embed_hashes.reserve(block.chunks.size());
    for (const Chunk& c : block.chunks) {
      const CorpusDocument& doc = corpus.documents[c.document];
      block.embed_hashes.push_back(sha256_hex(RetrievalIndex::embedding_text(
          doc.title, std::string_view(doc.text).substr(c.begin, c.end - c.begin))));
    }
    block.last = last;
    return block;
  };
  auto block_end = [&](std::size_t first) {
    std::size_t bytes = 0, d = first;
    while (d < corpus.documents.size() && bytes < kBlockBytes)
      bytes += corpus.documents[d++].text.size();
    return d;
  };
  long long row = 0;
  long long tokens = 0;
  std::future<PreparedBlock> next;
  if (!corpus.documents.empty()) next = std::async(std::launch::async, prepare, 0, block_end(0));
  while (next.valid()) {
    const PreparedBlock block = next.get();
    if (block.last < corpus.documents.size())
      next = std::async(std::launch::async, prepare, block.last, block_end(block.last));
    for (std::size_t i = 0; i < block.chunks.size(); ++i) {
      const Chunk& c = block.chunks[i];
      const CorpusDocument& doc = corpus.documents[c.document];
      const std::string_view text = std::string_view(doc.text).substr(c.begin, c.end - c.begin);
      ++row;
      chunk_row.bind(1, row)
          .bind(2, c.id)
          .bind(3, doc.id)
          .bind(4, c.number)
          .bind(5, doc.title)
          .bind(6, text);
      chunk_row.bind(7, c.tokens).bind(8, block.embed_hashes[i]).run();
      fts_row.bind(1, row).bind(2, doc.title).bind(3, text).run();
      tokens += c.tokens;
    }
    if (progress) progress(block.last, corpus.documents.size());
  }
  impl.info.key = key;
  impl.info.documents = corpus.documents.size();
  impl.info.chunks = static_cast<std::size_t>(row);
  impl.info.bytes = corpus.bytes;
  impl.info.chunk_tokens = tokens;
  impl.info.built_at = utc_now_iso8601();
  impl.info.reused = false;

  // An earlier content of this corpus, indexed with the same settings, is now stale.
  std::vector<long long> stale;
  auto old = impl.db.prepare(
      "SELECT id FROM indexes WHERE corpus = ? AND chunk_tokens = ? AND chunk_overlap = ? AND "
      "tokenizer = ? "
      "AND id != ?");
  old.bind(1, identity).bind(2, settings.chunking.tokens).bind(3, settings.chunking.overlap);
  old.bind(4, to_string(settings.tokenizer)).bind(5, impl.id);
  while (old.step()) stale.push_back(old.int64(0));
  old.reset();
  for (const long long id : stale) drop_index(impl.db, id);
  impl.info.dropped = stale.size();

  impl.info.build_ms = steady_ms() - start;
  auto done = impl.db.prepare(
      "UPDATE indexes SET documents = ?, chunks = ?, bytes = ?, tokens = ?, build_ms = ?, built_at "
      "= ? WHERE id = ?");
  done.bind(1, static_cast<long long>(impl.info.documents))
      .bind(2, row)
      .bind(3, static_cast<long long>(corpus.bytes));
  done.bind(4, tokens)
      .bind(5, impl.info.build_ms)
      .bind(6, impl.info.built_at)
      .bind(7, impl.id)
      .run();
}

}  // namespace

std::string_view to_string(RetrievalMethod method) {
  switch (method) {
    case RetrievalMethod::bm25:
      return "bm25";
    case RetrievalMethod::embeddings:
      return "embeddings";
    case RetrievalMethod::hybrid:
      return "hybrid";
  }
  return "bm25";
}

std::optional<RetrievalMethod> parse_retrieval_method(std::string_view text) {
  if (text == "bm25") return RetrievalMethod::bm25;
  if (text == "embeddings") return RetrievalMethod::embeddings;
  if (text == "hybrid") return RetrievalMethod::hybrid;
  return std::nullopt;
}

std::filesystem::path RetrievalIndex::beside_store(const std::filesystem::path& store) {
  auto side = store;
  if (side.extension() == ".db") side.replace_extension();
  side += ".retrieval.db";
  return side;
}

std::string RetrievalIndex::embedding_text(std::string_view title, std::string_view text) {
  std::string out;
  out.reserve(title.size() + 2 + text.size());
  if (!title.empty()) {
    out += title;
    out += "\n\n";
  }
  out += text;
  return out;
}

RetrievalIndex RetrievalIndex::open(const std::filesystem::path& file, const Corpus& corpus,
                                    const IndexSettings& settings, const IndexProgress& progress,
                                    const std::filesystem::path& vocab_dir) {
  if (const auto problem = invalid_chunking(settings.chunking))
    throw StoreError("chunking " + *problem);
  if (file.has_parent_path()) {
    std::error_code ec;
    std::filesystem::create_directories(file.parent_path(), ec);
  }
  auto impl = std::make_unique<Impl>(file);
  // Another process may be building this very index: wait for it (up to 10 minutes) rather
  // than fail, then find its work done.
  sqlite3_busy_timeout(impl->db.handle(), 600000);
  // Searches read pages all over the FTS index: mapped, they cost no read() each (a third of a
  // query's time went to copying pages out of the kernel's cache).
  impl->db.exec("PRAGMA mmap_size=1073741824");
  impl->db.exec(kSchema);
  const std::string key = index_key(corpus, settings);
  if (load_registered(*impl, key)) return RetrievalIndex(std::move(impl));
  Transaction transaction(impl->db, "BEGIN IMMEDIATE");
  if (!load_registered(*impl, key)) build(*impl, corpus, settings, key, progress, vocab_dir);
  transaction.commit();
  return RetrievalIndex(std::move(impl));
}

RetrievalIndex::RetrievalIndex(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RetrievalIndex::RetrievalIndex(RetrievalIndex&&) noexcept = default;
RetrievalIndex& RetrievalIndex::operator=(RetrievalIndex&&) noexcept = default;
RetrievalIndex::~RetrievalIndex() = default;

const IndexInfo& RetrievalIndex::info() const {
  return impl_->info;
}

std::string vector_blob(std::span<const float> vector) {
  std::string blob(vector.size() * sizeof(float), '\0');
  std::memcpy(blob.data(), vector.data(), blob.size());
  return blob;
}

std::vector<float> blob_vector(std::string_view blob) {
  std::vector<float> vector(blob.size() / sizeof(float));
  std::memcpy(vector.data(), blob.data(), vector.size() * sizeof(float));
  return vector;
}

}  // namespace tb
