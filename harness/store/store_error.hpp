#pragma once
#include <stdexcept>
#include <string>

namespace tb {

// What kind of storage failure it is: a locked database may come free and a full disk may be
// cleared, a damaged file will not mend.
enum class StoreFailure {
  other,
  locked,     // another process holds the write lock
  full,       // "database or disk is full"
  read_only,  // the file or its folder cannot be written
  cant_open,  // the file (or its -wal beside it) cannot be opened or created
  damaged,    // the file is not a sound SQLite database
};

// A storage failure (disk full, locked, damaged file): the run cannot go on safely.
class StoreError : public std::runtime_error {
 public:
  explicit StoreError(const std::string& message, StoreFailure failure = StoreFailure::other)
      : std::runtime_error(message), failure_(failure) {}
  StoreFailure failure() const { return failure_; }

 private:
  StoreFailure failure_;
};

// The store refuses what was asked of a run (a resume of a run another process drives, or of a
// run that does not fit the suite): a usage error, exit 2; nothing was sent.
class RunRefused : public StoreError {
 public:
  using StoreError::StoreError;
};

}  // namespace tb
