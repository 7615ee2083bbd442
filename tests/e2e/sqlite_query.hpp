#pragma once
// One value from a database, read as any SQLite tool would (read-only, waiting out a writer).
#include <sqlite3.h>

#include <filesystem>
#include <string>

namespace tb::test {

inline std::string query(const std::filesystem::path& db, const std::string& sql) {
  sqlite3* handle = nullptr;
  if (sqlite3_open_v2(db.c_str(), &handle, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(handle);
    return {};
  }
  sqlite3_busy_timeout(handle, 5000);
  sqlite3_stmt* stmt = nullptr;
  std::string value;
  if (sqlite3_prepare_v2(handle, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
      sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0) != nullptr)
    value = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
  sqlite3_finalize(stmt);
  sqlite3_close(handle);
  return value;
}

inline long long count(const std::filesystem::path& db, const std::string& sql) {
  const auto v = query(db, sql);
  return v.empty() ? 0 : std::stoll(v);
}

}  // namespace tb::test
