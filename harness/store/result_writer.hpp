#pragma once
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "store/records.hpp"

namespace tb {

// The store's single writer: a thread with its own connection that commits whatever has queued
// up in one transaction, so the network side never waits on the disk and inserts are batched.
// A result counts as done only once committed (committed_results()).
//
// Nothing paid for is thrown away: while another process holds the database's write lock the
// writer keeps what it has (the runner stops taking jobs once 20,000 results wait) and retries
// with backoff, saying so; a lock that outlasts `lock_wait_s`, a full disk or any other failure
// keeps the waiting results in an unsaved-results file beside the database (see
// store/unsaved_results.hpp), which the next run stores, before error() reports it.
class ResultWriter {
 public:
  struct Options {
    double lock_wait_s = default_lock_wait_s();
    // Where waits and their end are reported (default: a line on standard error).
    std::function<void(const std::string&)> report;
  };
  // TUNEBENCH_LOCK_WAIT_S when set to a number of seconds, else 120.
  static double default_lock_wait_s();

  explicit ResultWriter(const std::filesystem::path& db_path);
  ResultWriter(const std::filesystem::path& db_path, Options options);
  ~ResultWriter();  // flushes and joins
  ResultWriter(const ResultWriter&) = delete;
  ResultWriter& operator=(const ResultWriter&) = delete;

  void add_case(CaseRecord record);
  void add_result(ResultRecord record);
  void add_cache(CacheRecord record);

  // Blocks until everything queued so far is committed (or, after a failure, kept in the
  // unsaved-results file); false after a storage error.
  bool flush();
  long long committed_results() const;
  long long queued_results() const;
  // The storage error (locked too long, disk full, ...) after which nothing more is written to
  // the database, saying where the results that were not stored are kept.
  std::optional<std::string> error() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Stores what earlier runs kept in unsaved-results files beside the database and removes the
// files; results whose job already has a row are skipped. Returns how many results were stored;
// throws StoreError when the database cannot take them (the files stay).
long long store_unsaved_results(const std::filesystem::path& db_path);

}  // namespace tb
