#include "retrieve/bm25_ranking.hpp"

#include <cmath>
#include <memory>

namespace tb {
namespace {

// Per query: what bm25() computes once in fts5Bm25GetData.
struct QueryData {
  std::vector<double> idf;
  std::vector<double> frequency;  // of each phrase in the current row, weighted by column
  double average_tokens = 0;
};

int count_row(const Fts5ExtensionApi*, Fts5Context*, void* count) {
  ++*static_cast<sqlite3_int64*>(count);
  return SQLITE_OK;
}

QueryData* query_data(const Fts5ExtensionApi* api, Fts5Context* fts, const Bm25Ranking& state,
                      int& rc) {
  if (auto* data = static_cast<QueryData*>(api->xGetAuxdata(fts, 0))) return data;
  auto data = std::make_unique<QueryData>();
  const int phrases = api->xPhraseCount(fts);
  sqlite3_int64 rows = 0, tokens = 0;
  rc = api->xRowCount(fts, &rows);
  if (rc == SQLITE_OK) rc = api->xColumnTotalSize(fts, -1, &tokens);
  data->average_tokens = rows > 0 ? static_cast<double>(tokens) / static_cast<double>(rows) : 0;
  data->idf.resize(static_cast<std::size_t>(phrases));
  data->frequency.resize(static_cast<std::size_t>(phrases));
  for (int i = 0; rc == SQLITE_OK && i < phrases; ++i) {
    const auto p = static_cast<std::size_t>(i);
    // Given for every phrase or not at all: a count that does not match is a query the caller
    // did not foresee, and its values might belong to other phrases.
    if (state.idf.size() == data->idf.size() && !std::isnan(state.idf[p])) {
      data->idf[p] = state.idf[p];
      continue;
    }
    sqlite3_int64 hits = 0;
    rc = api->xQueryPhrase(fts, i, &hits, count_row);
    const double idf =
        std::log((static_cast<double>(rows - hits) + 0.5) / (static_cast<double>(hits) + 0.5));
    data->idf[p] = idf <= 0.0 ? 1e-6 : idf;
  }
  if (rc != SQLITE_OK) return nullptr;
  QueryData* raw = data.get();
  rc = api->xSetAuxdata(fts, data.release(), [](void* p) { delete static_cast<QueryData*>(p); });
  return rc == SQLITE_OK ? raw : nullptr;
}

void tb_bm25(const Fts5ExtensionApi* api, Fts5Context* fts, sqlite3_context* result, int,
             sqlite3_value**) {
  auto& state = *static_cast<Bm25Ranking*>(api->xUserData(fts));
  int rc = SQLITE_OK;
  QueryData* data = query_data(api, fts, state, rc);
  if (data == nullptr) {
    sqlite3_result_error_code(result, rc == SQLITE_OK ? SQLITE_ERROR : rc);
    return;
  }
  // Phrase by phrase, as xInst would list them, without building the merged instance list.
  for (std::size_t i = 0; i < data->frequency.size(); ++i) {
    double f = 0;
    Fts5PhraseIter it;
    int column = 0, offset = 0;
    for (rc = api->xPhraseFirst(fts, static_cast<int>(i), &it, &column, &offset);
         rc == SQLITE_OK && column >= 0; api->xPhraseNext(fts, &it, &column, &offset))
      f += column == 0 ? Bm25Ranking::kTitleWeight : Bm25Ranking::kTextWeight;
    data->frequency[i] = f;
  }
  const sqlite3_int64 rowid = api->xRowid(fts);
  int tokens = -1;
  if (rowid >= 0 && static_cast<std::size_t>(rowid) < state.row_tokens.size())
    tokens = state.row_tokens[static_cast<std::size_t>(rowid)];
  if (tokens < 0) {
    rc = api->xColumnSize(fts, -1, &tokens);
    if (rc != SQLITE_OK) {
      sqlite3_result_error_code(result, rc);
      return;
    }
    if (rowid >= 0 && static_cast<std::size_t>(rowid) < state.row_tokens.size())
      state.row_tokens[static_cast<std::size_t>(rowid)] = tokens;
  }
  constexpr double k1 = 1.2, b = 0.75;
  const double D = static_cast<double>(tokens);
  double score = 0;
  for (std::size_t i = 0; i < data->frequency.size(); ++i) {
    const double f = data->frequency[i];
    score += data->idf[i] * ((f * (k1 + 1.0)) / (f + k1 * (1 - b + b * D / data->average_tokens)));
  }
  sqlite3_result_double(result, -1.0 * score);
}

}  // namespace

int register_bm25_ranking(sqlite3* db, Bm25Ranking* state) {
  fts5_api* api = nullptr;
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &stmt, nullptr);
  if (rc != SQLITE_OK) return rc;
  sqlite3_bind_pointer(stmt, 1, static_cast<void*>(&api), "fts5_api_ptr", nullptr);
  sqlite3_step(stmt);
  rc = sqlite3_finalize(stmt);
  if (rc != SQLITE_OK) return rc;
  if (api == nullptr) return SQLITE_ERROR;
  return api->xCreateFunction(api, "tb_bm25", state, tb_bm25, nullptr);
}

}  // namespace tb
