#pragma once
// Internal to retrieve/: the state behind RetrievalIndex, shared by its .cpp files, so SQLite
// stays out of the public header.
#include <map>
#include <memory>
#include <string>
#include <unordered_map>

#include "retrieve/bm25_ranking.hpp"
#include "retrieve/retrieval_index.hpp"
#include "retrieve/vector_search.hpp"
#include "store/sqlite_db.hpp"

namespace tb {

struct RetrievalIndex::Impl {
  explicit Impl(const std::filesystem::path& file) : db(file.string(), true) {}

  sqlite::Database db;
  IndexInfo info;
  long long id = 0;  // row in `indexes`; names the tables chunks_<id> and fts_<id>
  std::string chunks_table;
  std::string fts_table;
  std::map<std::string, VectorSearch> vectors;  // by space, loaded on first use
  // The BM25 ranking (registered on the connection at the first search), the idf of every
  // word looked up so far, and statements prepared on first use, reused for every query.
  std::unique_ptr<Bm25Ranking> ranking;
  std::unordered_map<std::string, double> idf;
  sqlite::Statement bm25;
  sqlite::Statement document_frequency;
  sqlite::Statement passage;
  sqlite::Statement stored_vector;

  // Searches run in one read transaction, kept open until something is written: the index does
  // not change once built, and each statement in a transaction of its own took file locks and a
  // WAL snapshot (a tenth of a BM25 query's time). Writers in other processes are not blocked.
  void begin_reading() {
    if (sqlite3_get_autocommit(db.handle()) != 0) db.exec("BEGIN");
  }
  void end_reading() {
    if (sqlite3_get_autocommit(db.handle()) == 0) db.exec("COMMIT");
  }

  // Rows of chunks_<id> as passages, in the order given, with the given scores.
  std::vector<Passage> passages(const std::vector<RankedItem>& ranked);
  // Loads the chunk vectors of a space into memory (once) for search.
  const VectorSearch& vectors_of(const std::string& space);
};

// BEGIN ... COMMIT, rolled back if the scope is left by an exception.
class Transaction {
 public:
  Transaction(sqlite::Database& db, const char* begin = "BEGIN") : db_(db) { db_.exec(begin); }
  ~Transaction() {
    if (!done_) {
      try {
        db_.exec("ROLLBACK");
      } catch (...) {
        // the connection is gone; nothing left to undo
      }
    }
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit() {
    db_.exec("COMMIT");
    done_ = true;
  }

 private:
  sqlite::Database& db_;
  bool done_ = false;
};

// float32 vectors as blobs: the bytes of the floats, little-endian as the machine stores them.
std::string vector_blob(std::span<const float> vector);
std::vector<float> blob_vector(std::string_view blob);

}  // namespace tb
