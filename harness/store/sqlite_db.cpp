#include "store/sqlite_db.hpp"

#include "store/store_error.hpp"

namespace tb::sqlite {

namespace {

std::string file_of(sqlite3* db) {
  const char* name = db ? sqlite3_db_filename(db, "main") : nullptr;
  return name && *name ? name : "the database";
}

}  // namespace

StoreError error(int code, const std::string& path, const std::string& detail) {
  switch (code & 0xFF) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return StoreError(path + " is locked by another process (SQLite: " + detail + ")",
                        StoreFailure::locked);
    case SQLITE_FULL:
      return StoreError("database or disk is full: cannot write " + path, StoreFailure::full);
    case SQLITE_READONLY:
      return StoreError("cannot write " + path + ": " + detail +
                            " (is the file, or the folder it is in, read-only?)",
                        StoreFailure::read_only);
    case SQLITE_CANTOPEN:
      return StoreError("cannot open " + path + ": " + detail +
                            " (does its folder exist and can it be written? SQLite creates " +
                            path + "-wal and " + path + "-shm beside it)",
                        StoreFailure::cant_open);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return StoreError(path + " is damaged (SQLite: " + detail + "); run `tunebench doctor --db " +
                            path + "` for details",
                        StoreFailure::damaged);
    default:
      return StoreError("SQLite error on " + path + ": " + detail);
  }
}

StoreError error(sqlite3* db, int code) {
  return error(code, file_of(db), db ? sqlite3_errmsg(db) : sqlite3_errstr(code));
}

Statement::Statement(sqlite3* db, std::string_view sql) : db_(db) {
  sqlite3_stmt* raw = nullptr;
  if (const int rc =
          sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &raw, nullptr);
      rc != SQLITE_OK) {
    const int code = sqlite3_errcode(db);
    if ((code & 0xFF) == SQLITE_ERROR)  // a mistake in the SQL: say which
      throw StoreError(std::string("SQL error: ") + sqlite3_errmsg(db) +
                       " in: " + std::string(sql.substr(0, 80)));
    throw error(db, rc);
  }
  stmt_.reset(raw);
}

Statement& Statement::bind(int index, long long v) {
  sqlite3_bind_int64(stmt_.get(), index, v);
  return *this;
}
Statement& Statement::bind(int index, double v) {
  sqlite3_bind_double(stmt_.get(), index, v);
  return *this;
}
Statement& Statement::bind(int index, std::string_view v) {
  // SQLITE_STATIC: statements here are stepped right after binding and reset before the bound
  // strings go away, so SQLite need not copy kilobytes of request and response bodies per row.
  sqlite3_bind_text(stmt_.get(), index, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
  return *this;
}
Statement& Statement::bind(int index, std::optional<double> v) {
  return v ? bind(index, *v) : bind_null(index);
}
Statement& Statement::bind_null(int index) {
  sqlite3_bind_null(stmt_.get(), index);
  return *this;
}

Statement& Statement::bind_blob(int index, std::string_view bytes) {
  sqlite3_bind_blob64(stmt_.get(), index, bytes.data(), bytes.size(), SQLITE_STATIC);
  return *this;
}

bool Statement::step() {
  const int rc = sqlite3_step(stmt_.get());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  throw error(db_, sqlite3_extended_errcode(db_));
}

void Statement::run() {
  while (step()) {
  }
  reset();
}

void Statement::reset() {
  sqlite3_reset(stmt_.get());
  sqlite3_clear_bindings(stmt_.get());
}

long long Statement::int64(int col) const {
  return sqlite3_column_int64(stmt_.get(), col);
}
double Statement::real(int col) const {
  return sqlite3_column_double(stmt_.get(), col);
}
std::string_view Statement::text_view(int col) const {
  const auto* p = sqlite3_column_text(stmt_.get(), col);
  if (p == nullptr) return {};
  return {reinterpret_cast<const char*>(p),
          static_cast<std::size_t>(sqlite3_column_bytes(stmt_.get(), col))};
}
bool Statement::is_null(int col) const {
  return sqlite3_column_type(stmt_.get(), col) == SQLITE_NULL;
}
std::string_view Statement::blob_view(int col) const {
  const void* p = sqlite3_column_blob(stmt_.get(), col);
  if (p == nullptr) return {};
  return {static_cast<const char*>(p),
          static_cast<std::size_t>(sqlite3_column_bytes(stmt_.get(), col))};
}
std::string Statement::text(int col) const {
  const auto* p = sqlite3_column_text(stmt_.get(), col);
  if (p == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(p),
                     static_cast<std::size_t>(sqlite3_column_bytes(stmt_.get(), col)));
}

Database::Database(const std::string& path, bool create, int busy_timeout_ms) : path_(path) {
  sqlite3* raw = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  db_.reset(raw);
  if (rc != SQLITE_OK) throw error(rc, path, raw ? sqlite3_errmsg(raw) : "out of memory");
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, busy_timeout_ms);
  // For a new file (ignored for an existing one): 16 KiB pages hold a result with its bodies in
  // one page, and a run writes a quarter of the WAL frames it would with 4 KiB.
  exec("PRAGMA page_size=16384");
  exec("PRAGMA journal_mode=WAL");
  // NORMAL is durable across process kills in WAL mode (only a power loss may drop the last
  // commits), which is the failure this tool has to survive.
  exec("PRAGMA synchronous=NORMAL");
  exec("PRAGMA foreign_keys=ON");
}

void Database::rollback() noexcept {
  if (sqlite3_get_autocommit(db_.get()) == 0)
    sqlite3_exec(db_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void Database::exec(std::string_view sql) {
  char* message = nullptr;
  const int rc = sqlite3_exec(db_.get(), std::string(sql).c_str(), nullptr, nullptr, &message);
  if (rc != SQLITE_OK) {
    const std::string detail = message ? message : sqlite3_errstr(rc);
    sqlite3_free(message);
    throw error(sqlite3_extended_errcode(db_.get()), path_, detail);
  }
}

}  // namespace tb::sqlite
