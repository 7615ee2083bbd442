#include "store/store_doctor.hpp"

#include <algorithm>
#include <functional>

#include "store/run_lease.hpp"
#include "store/sqlite_db.hpp"
#include "store/store_error.hpp"
#include "store/unsaved_results.hpp"

namespace tb {
namespace {

// Runs one check; a file too damaged to answer it is reported, not thrown.
void attempt(StoreExamination& out, const std::string& what, const std::function<void()>& check) {
  try {
    check();
  } catch (const StoreError& e) {
    out.problems.push_back("could not check " + what + ": " +
                           (e.failure() == StoreFailure::damaged
                                ? std::string("the file is damaged there (see integrity)")
                                : std::string(e.what())));
  }
}

long long count(sqlite::Database& db, const std::string& sql) {
  auto q = db.prepare(sql);
  return q.step() ? q.int64(0) : 0;
}

bool has_table(sqlite::Database& db, const std::string& name) {
  return count(db,
               "SELECT count(*) FROM sqlite_master WHERE type='table' AND name='" + name + "'") > 0;
}

}  // namespace

StoreExamination examine_store(const std::filesystem::path& path) {
  StoreExamination out;
  sqlite::Database db(path.string(), false);
  attempt(out, "the file's integrity", [&] {
    auto q = db.prepare("PRAGMA integrity_check(100)");
    // A row may hold several lines ("*** in database main ***" and its first finding).
    while (q.step()) {
      const std::string row = q.text(0);
      for (std::size_t start = 0; start <= row.size();) {
        const auto end = std::min(row.find('\n', start), row.size());
        if (end > start) out.integrity.push_back(row.substr(start, end - start));
        start = end + 1;
      }
    }
  });
  if (out.integrity.empty()) out.integrity.push_back("integrity_check gave no answer");
  attempt(out, "the schema version", [&] {
    if (has_table(db, "schema_version"))
      out.schema_version = static_cast<int>(count(db, "SELECT version FROM schema_version"));
  });
  if (!has_table(db, "runs") || !has_table(db, "results")) {
    out.problems.push_back("no tunebench tables (runs, results): is this a tunebench database?");
    return out;
  }
  attempt(out, "the counts", [&] {
    out.runs = count(db, "SELECT count(*) FROM runs");
    out.results = count(db, "SELECT count(*) FROM results");
  });
  attempt(out, "references between tables", [&] {
    auto q = db.prepare(
        "SELECT \"table\", parent, count(*) FROM pragma_foreign_key_check GROUP BY 1, 2 ORDER BY "
        "1, 2");
    while (q.step())
      out.problems.push_back(std::to_string(q.int64(2)) + " rows of " + q.text(0) + " refer to " +
                             q.text(1) + " rows that do not exist");
  });
  attempt(out, "results of unknown variants", [&] {
    const long long n =
        count(db,
              "SELECT count(*) FROM results r WHERE NOT EXISTS"
              " (SELECT 1 FROM variants v WHERE v.run_id=r.run_id AND v.id=r.variant_id)");
    if (n > 0)
      out.problems.push_back(std::to_string(n) + " results belong to no variant of their run");
  });
  attempt(out, "results beyond their run's jobs", [&] {
    auto q = db.prepare(
        "SELECT r.id, r.total_jobs, count(x.id) FROM runs r JOIN results x ON x.run_id=r.id"
        " GROUP BY r.id HAVING count(x.id) > r.total_jobs");
    while (q.step())
      out.problems.push_back("run " + std::to_string(q.int64(0)) + " has " +
                             std::to_string(q.int64(2)) + " results for " +
                             std::to_string(q.int64(1)) + " jobs");
  });
  attempt(out, "results without bodies", [&] {
    if (!has_table(db, "result_bodies")) return;
    const long long n = count(db,
                              "SELECT count(*) FROM results r WHERE NOT EXISTS (SELECT 1 FROM "
                              "result_bodies b WHERE b.result_id=r.id)");
    if (n > 0)
      out.problems.push_back(std::to_string(n) +
                             " results have no stored request and response bodies (result_bodies)");
  });
  attempt(out, "runs marked running", [&] {
    const bool leases = has_table(db, "run_leases");
    auto q = db.prepare("SELECT id FROM runs WHERE status='running' ORDER BY id");
    std::vector<long long> running;
    while (q.step()) running.push_back(q.int64(0));
    for (const long long id : running) {
      const auto lease = leases ? run_lease::read(db, id) : std::nullopt;
      if (lease && lease->live) {
        out.notes.push_back("run " + std::to_string(id) + " is being driven by process " +
                            std::to_string(lease->pid) + " on " + lease->host + " since " +
                            lease->started_at);
        continue;
      }
      out.problems.push_back(
          "run " + std::to_string(id) + " is marked running but no process drives it" +
          (lease ? " (process " + std::to_string(lease->pid) + " on " + lease->host + " is gone)"
                 : "") +
          "; it reads as interrupted: resume it with `tunebench run SUITE --db " + path.string() +
          " --resume " + std::to_string(id) + "`");
    }
  });
  for (const auto& file : unsaved_result_files(path))
    out.notes.push_back("results that could not be stored wait in " + file.string() +
                        "; the next `tunebench run` on this database stores them");
  return out;
}

}  // namespace tb
