#pragma once
// A run with one variant to store results into, for the store's tests.
#include <sqlite3.h>

#include <filesystem>
#include <string>
#include <vector>

#include "store/records.hpp"

namespace tb::test {

inline RunRecord one_run(long long jobs = 4) {
  RunRecord r;
  r.suite_name = "s";
  r.suite_file = "s.yaml";
  r.suite_json = "{}";
  r.dataset_file = "d.jsonl";
  r.baseline = "a";
  r.started_at = "2026-11-22T00:00:00Z";
  r.status = "running";
  r.total_jobs = jobs;
  r.cases = jobs;
  r.tool_version = "test";
  r.price_catalog = "prices.json (x)";
  return r;
}

inline std::vector<VariantRecord> one_variant() {
  VariantRecord a;
  a.id = "a";
  a.kind = "prompted";
  a.model = "m";
  a.params_json = "{}";
  a.is_baseline = true;
  return {a};
}

inline ResultRecord result(long long run_id, long long case_index) {
  ResultRecord r;
  r.run_id = run_id;
  r.variant_id = "a";
  r.case_index = case_index;
  r.status = "ok";
  r.error_class = "none";
  r.attempts = 1;
  r.created_at = "now";
  r.request_json = "{\"case\":" + std::to_string(case_index) + "}";
  r.response_body = "{\"answer\":\"" + std::string(200, 'x') + "\"}";
  return r;
}

// Runs SQL on a connection of its own, as another process would.
inline void exec(const std::filesystem::path& db, const std::string& sql) {
  sqlite3* handle = nullptr;
  sqlite3_open(db.c_str(), &handle);
  sqlite3_busy_timeout(handle, 5000);
  sqlite3_exec(handle, sql.c_str(), nullptr, nullptr, nullptr);
  sqlite3_close(handle);
}

}  // namespace tb::test
