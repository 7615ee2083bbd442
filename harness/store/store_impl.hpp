#pragma once
// Internal to store/: the state behind Store, shared by its .cpp files.
#include "store/sqlite_db.hpp"
#include "store/store.hpp"

namespace tb {

struct Store::Impl {
  Impl(const std::string& path, bool create) : db(path, create) {}
  sqlite::Database db;
  sqlite::Statement cache_query;  // prepared on first use: looked up once per job
};

}  // namespace tb
