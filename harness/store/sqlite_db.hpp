#pragma once
// Internal to store/ and retrieve/ (whose index is a SQLite side file beside the store): the thin
// RAII layer over the SQLite C API. Included only by .cpp files and internal headers of those two,
// so sqlite3.h stays out of every public header.
#include <sqlite3.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace tb {
class StoreError;
}

namespace tb::sqlite {

// A StoreError for an SQLite result code, its kind and message saying what it means for the
// file at `path` (locked, full, read-only, cannot be opened, damaged).
StoreError error(int code, const std::string& path, const std::string& detail);
StoreError error(sqlite3* db, int code);

struct DbDeleter {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StmtDeleter {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};

class Statement {
 public:
  Statement() = default;
  Statement(sqlite3* db, std::string_view sql);
  bool valid() const { return stmt_ != nullptr; }

  Statement& bind(int index, long long v);
  Statement& bind(int index, int v) { return bind(index, static_cast<long long>(v)); }
  Statement& bind(int index, double v);
  Statement& bind(int index, std::string_view v);
  Statement& bind(int index, const std::string& v) { return bind(index, std::string_view(v)); }
  Statement& bind(int index, const char* v) { return bind(index, std::string_view(v)); }
  Statement& bind(int index, std::optional<double> v);
  Statement& bind_null(int index);
  // A BLOB, bound without a copy like the strings (the bytes must outlive the step).
  Statement& bind_blob(int index, std::string_view bytes);

  bool step();  // true while a row is available; throws on error
  void run();   // step to completion, then reset
  void reset();

  long long int64(int col) const;
  double real(int col) const;
  std::string text(int col) const;
  std::string_view text_view(int col) const;  // valid until the next step
  bool is_null(int col) const;
  std::string_view blob_view(int col) const;  // valid until the next step

 private:
  sqlite3* db_ = nullptr;
  std::unique_ptr<sqlite3_stmt, StmtDeleter> stmt_;
};

class Database {
 public:
  // Opens (creating when asked) with WAL and a busy timeout; throws StoreError.
  Database(const std::string& path, bool create, int busy_timeout_ms = 10000);
  sqlite3* handle() const { return db_.get(); }
  const std::string& path() const { return path_; }
  void exec(std::string_view sql);
  // Ends the open transaction, if any, without throwing: for error paths, where SQLite may have
  // rolled back already (a full disk does) and the error that matters is the one in flight.
  void rollback() noexcept;
  Statement prepare(std::string_view sql) { return Statement(db_.get(), sql); }
  long long last_insert_id() const { return sqlite3_last_insert_rowid(db_.get()); }
  long long changes() const {
    return sqlite3_changes(db_.get());
  }  // rows the last statement changed

 private:
  std::string path_;
  std::unique_ptr<sqlite3, DbDeleter> db_;
};

}  // namespace tb::sqlite
