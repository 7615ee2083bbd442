#pragma once
#include <filesystem>
#include <string>
#include <vector>

namespace tb {

// What `tunebench doctor` finds in a database: SQLite's own integrity_check, and the store's
// consistency (rows that refer to nothing, runs marked running that no process drives, results
// without their bodies or beyond their run's jobs, results waiting in an unsaved-results file).
struct StoreExamination {
  std::vector<std::string> integrity;  // PRAGMA integrity_check: {"ok"} for a sound file
  std::vector<std::string> problems;   // inconsistencies, each a sentence saying what to do
  std::vector<std::string> notes;      // harmless findings
  long long runs = -1, results = -1;   // -1 when they could not be counted
  int schema_version = -1;

  bool sound() const { return integrity.size() == 1 && integrity[0] == "ok"; }
  bool healthy() const { return sound() && problems.empty(); }
};

// Opens the file without refusing damage (unlike Store) and without changing it.
StoreExamination examine_store(const std::filesystem::path& db);

}  // namespace tb
