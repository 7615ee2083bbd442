#pragma once
// Internal to retrieve/: the ranking function of the BM25 search, an FTS5 auxiliary function.
#include <sqlite3.h>

#include <vector>

namespace tb {

// FTS5's own bm25(2.0, 1.0) (fts5_aux.c: k1 = 1.2, b = 0.75, idf = ln((N - n + 0.5) / (n + 0.5))
// or 1e-6 when not positive, each phrase's frequency weighted by column, D the row's tokens over
// all columns), evaluated with two of its inputs held in memory instead of read per row:
// - bm25() looks every matched row's length up with an SQL statement of its own, the larger part
//   of its cost; here each row's length is read once (the same xColumnSize) and kept.
// - bm25() counts each phrase's rows with a scan of its matches per query; here the caller may
//   pass the phrases' idf, computed from fts5vocab and cached (the index never changes).
// Same scores as bm25() to the last bit (tests compare them on every matched row); about 2.5x
// the queries per second on a 10 MB corpus (bench/README.md, "Retrieval").
struct Bm25Ranking {
  static constexpr double kTitleWeight = 2.0;
  static constexpr double kTextWeight = 1.0;

  std::vector<int> row_tokens;  // by rowid; -1 until the row is first ranked
  std::vector<double> idf;      // per phrase of the next query (all or none); NaN = count it here
};

// Registers tb_bm25(fts_table) on the connection; `state` must outlive the connection's queries.
// Returns an SQLite error code.
int register_bm25_ranking(sqlite3* db, Bm25Ranking* state);

}  // namespace tb
