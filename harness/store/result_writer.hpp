#pragma once
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "store/records.hpp"

namespace tb {

// The store's single writer: a thread with its own connection that commits whatever has queued
// up in one transaction, so the network side never waits on the disk and inserts are batched.
// A result counts as done only once committed (committed_results()).
class ResultWriter {
 public:
  explicit ResultWriter(const std::filesystem::path& db_path);
  ~ResultWriter();  // flushes and joins
  ResultWriter(const ResultWriter&) = delete;
  ResultWriter& operator=(const ResultWriter&) = delete;

  void add_case(CaseRecord record);
  void add_result(ResultRecord record);
  void add_cache(CacheRecord record);

  // Blocks until everything queued so far is committed; false after a storage error.
  bool flush();
  long long committed_results() const;
  long long queued_results() const;
  // The first storage error (disk full, locked), after which nothing more is written.
  std::optional<std::string> error() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tb
