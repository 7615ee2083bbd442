// Copying a shard's run into a merged run (Store::import_run and its companions): the rows move
// inside SQLite (ATTACH, INSERT ... SELECT), so a merge of a million results never holds them in
// memory and never re-encodes a body.
#include <initializer_list>
#include <string>
#include <vector>

#include "common/hash.hpp"
#include "store/schema.hpp"
#include "store/store_impl.hpp"

namespace tb {
namespace {

// The columns of a table as this version of the schema has them (the attached source is at the
// same version, checked before), minus those the import sets itself. Listing them from the
// schema instead of by hand keeps the import whole when a later migration adds a column.
std::vector<std::string> columns(sqlite::Database& db, const std::string& table,
                                 const std::vector<std::string>& except) {
  auto q = db.prepare("SELECT name FROM pragma_table_info(?, 'main') ORDER BY cid");
  q.bind(1, table);
  std::vector<std::string> out;
  while (q.step()) {
    std::string name = q.text(0);
    bool skip = false;
    for (const auto& e : except) skip = skip || e == name;
    if (!skip) out.push_back(std::move(name));
  }
  if (out.empty()) throw StoreError("the store has no table " + table);
  return out;
}

std::string joined(const std::vector<std::string>& names, const std::string& prefix = "") {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + prefix + "\"" + n + "\"";
  return out;
}

// The one number a query gives (0 for NULL), its parameters bound in order.
long long single(sqlite::Database& db, const std::string& sql,
                 std::initializer_list<long long> params = {}) {
  auto q = db.prepare(sql);
  int i = 0;
  for (const long long p : params) q.bind(++i, p);
  return q.step() && !q.is_null(0) ? q.int64(0) : 0;
}

// ATTACH for the lifetime of the object: SQLite refuses to DETACH inside a transaction, so the
// transaction is ended before this goes.
class Attached {
 public:
  Attached(sqlite::Database& db, const std::filesystem::path& file) : db_(db) {
    db_.prepare("ATTACH DATABASE ? AS shard").bind(1, file.string()).run();
  }
  ~Attached() {
    try {
      db_.exec("DETACH DATABASE shard");
    } catch (const StoreError&) {
      // Already detached by a failed ATTACH; nothing to release.
    }
  }
  Attached(const Attached&) = delete;
  Attached& operator=(const Attached&) = delete;

 private:
  sqlite::Database& db_;
};

}  // namespace

Store::ImportCounts Store::import_run(const std::filesystem::path& source, long long source_run,
                                      long long into) {
  auto& db = impl_->db;
  if (std::error_code ec; std::filesystem::equivalent(source, path_, ec))
    throw StoreError(source.string() +
                     " is the database being merged into; merge into another file");
  Attached attached(db, source);
  const long long version = single(db, "SELECT max(version) FROM shard.schema_version");
  if (version != kSchemaVersion)
    throw StoreError(source.string() + " is at schema " + std::to_string(version) + ", not " +
                     std::to_string(kSchemaVersion) +
                     ": open it with this tunebench first (tunebench runs --db FILE)");
  const long long shared = single(db,
                                  "SELECT count(*) FROM shard.cases s JOIN main.cases m ON "
                                  "m.run_id=?2 AND m.case_index=s.case_index"
                                  " WHERE s.run_id=?1",
                                  {source_run, into});
  if (shared > 0)
    throw StoreError(source.string() + " run " + std::to_string(source_run) + " holds " +
                     std::to_string(shared) + (shared == 1 ? " case" : " cases") +
                     " that the merged run has already from another input");

  ImportCounts counts;
  db.exec("BEGIN IMMEDIATE");
  try {
    const auto case_columns = columns(db, "cases", {"run_id"});
    auto cases =
        db.prepare("INSERT INTO main.cases(run_id, " + joined(case_columns) + ") SELECT ?2, " +
                   joined(case_columns) + " FROM shard.cases WHERE run_id=?1");
    cases.bind(1, source_run).bind(2, into).run();
    counts.cases = db.changes();

    // New ids follow this store's largest, in the source's order: results stay in the order
    // they were stored, and their children follow them by the same offset.
    const long long first =
        single(db, "SELECT min(id) FROM shard.results WHERE run_id=?", {source_run});
    const long long last_here = single(db, "SELECT max(id) FROM main.results");
    const long long offset = last_here + 1 - first;
    const auto result_columns = columns(db, "results", {"id", "run_id"});
    auto results = db.prepare("INSERT INTO main.results(id, run_id, " + joined(result_columns) +
                              ") SELECT id + ?3, ?2, " + joined(result_columns) +
                              " FROM shard.results WHERE run_id=?1 ORDER BY id");
    results.bind(1, source_run).bind(2, into).bind(3, offset).run();
    counts.results = db.changes();
    for (const std::string table : {"result_bodies", "check_outcomes", "judge_calls"}) {
      // A shard written before a child table existed has none of its rows to bring.
      if (single(db, "SELECT count(*) FROM shard.sqlite_master WHERE type='table' AND name='" + table + "'") == 0)
        continue;
      const auto cols = columns(db, table, {"result_id"});
      auto children =
          db.prepare("INSERT INTO main." + table + "(result_id, " + joined(cols) +
                     ") SELECT c.result_id + ?2, " + joined(cols, "c.") + " FROM shard." + table +
                     " c JOIN shard.results r ON r.id = c.result_id WHERE r.run_id=?1");
      children.bind(1, source_run).bind(2, offset).run();
    }
    const auto history_columns = columns(db, "result_history", {"run_id"});
    auto history = db.prepare("INSERT INTO main.result_history(run_id, " + joined(history_columns) +
                              ") SELECT ?2, " + joined(history_columns) +
                              " FROM shard.result_history WHERE run_id=?1");
    history.bind(1, source_run).bind(2, into).run();

    const auto cache_columns = columns(db, "response_cache", {});
    db.exec("INSERT OR IGNORE INTO main.response_cache(" + joined(cache_columns) + ") SELECT " +
            joined(cache_columns) + " FROM shard.response_cache");
    counts.cache_entries = db.changes();
    db.exec("COMMIT");
  } catch (...) {
    db.exec("ROLLBACK");
    throw;
  }
  return counts;
}

void Store::finish_merged_run(long long run_id, long long cases, long long total_jobs,
                              std::string_view status) {
  auto& db = impl_->db;
  // The same digest as the preflight's over the cases it read: a complete merge has the
  // fingerprint of the unsharded run.
  Sha256 digest;
  bool complete = true;
  auto q =
      db.prepare("SELECT coalesce(content_hash,'') FROM cases WHERE run_id=? ORDER BY case_index");
  q.bind(1, run_id);
  while (q.step()) {
    const auto hash = q.text_view(0);
    complete = complete && !hash.empty();
    digest.update(hash);
  }
  const std::string fingerprint = complete ? digest.hex_digest() : std::string();
  db.prepare(
        "UPDATE runs SET cases=?2, total_jobs=?3, dataset_fingerprint=?4, status=?5,"
        " finished_at=strftime('%Y-%m-%dT%H:%M:%SZ','now') WHERE id=?1")
      .bind(1, run_id)
      .bind(2, cases)
      .bind(3, total_jobs)
      .bind(4, fingerprint)
      .bind(5, status)
      .run();
}

void Store::delete_run(long long run_id) {
  impl_->db.prepare("DELETE FROM runs WHERE id=?").bind(1, run_id).run();
}

}  // namespace tb
