#pragma once
#include <functional>
#include <memory>
#include <optional>
#include <unordered_set>

#include "run/shard.hpp"
#include "suite/dataset_reader.hpp"
#include "suite/suite.hpp"

namespace tb {

class Check;

// A case as the runner holds it while its jobs are in flight, with its own checks compiled.
struct PlannedCase {
  TestCase test_case;
  std::vector<std::shared_ptr<const Check>> checks;
};

// One request to make: case x variant x repeat.
struct Job {
  std::shared_ptr<const PlannedCase> planned;
  std::size_t variant = 0;  // index into the suite's variants
  int repeat = 0;
};

// A lazy stream of jobs over the dataset: reads one case at a time and yields its jobs, so
// memory holds the cases in flight, never the dataset. With a shard, only the cases of that
// shard (after the suite's `limit`, which counts every case).
class Plan {
 public:
  Plan(const Suite& suite, std::size_t variants, std::optional<Shard> shard = std::nullopt);

  bool open(Diagnostic& error);
  // Called once per case read, before its jobs are handed out (to store the case).
  void on_case(std::function<void(const TestCase&)> fn) { on_case_ = std::move(fn); }
  // Jobs to skip (already have a final result when resuming).
  void skip(std::function<bool(std::size_t variant, long long case_index, int repeat)> fn) {
    skip_ = std::move(fn);
  }

  // The next job, or nullopt at the end; a read error ends the plan and sets error().
  std::optional<Job> next();
  const std::optional<Diagnostic>& error() const { return error_; }

 private:
  bool advance_case();

  const Suite& suite_;
  std::size_t variants_;
  std::optional<Shard> shard_;
  DatasetReader reader_;
  std::shared_ptr<const PlannedCase> current_;
  std::size_t variant_ = 0;
  int repeat_ = 0;
  long long cases_read_ = 0;
  std::function<void(const TestCase&)> on_case_;
  std::function<bool(std::size_t, long long, int)> skip_;
  std::optional<Diagnostic> error_;
};

}  // namespace tb
