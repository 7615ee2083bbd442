#pragma once
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string_view>
#include <tuple>
#include <vector>

#include "store/records.hpp"
#include "store/store_error.hpp"

namespace tb {

struct ResultFacts;
struct RetrievalFacts;

// The SQLite file holding every run: runs, variants, cases, results, check outcomes.
// Readable with the sqlite3 shell; README's "The store" describes the tables. Throws StoreError.
class Store {
 public:
  static constexpr int kSchemaVersion = 9;

  explicit Store(const std::filesystem::path& path, bool create = true);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  const std::filesystem::path& path() const { return path_; }

  long long create_run(const RunRecord& run, const std::vector<VariantRecord>& variants);
  void set_run_status(long long run_id, std::string_view status, bool finished);

  std::optional<RunRecord> run(long long id);
  std::optional<long long> latest_run_id();
  std::vector<RunRecord> runs(int limit);
  std::vector<VariantRecord> variants(long long run_id);
  std::optional<CaseRecord> test_case(long long run_id, long long case_index);
  long long count_results(long long run_id);

  // Jobs of a run that already have their final result: "variant\x1fcase\x1frepeat" keys.
  std::vector<std::tuple<std::string, long long, int>> completed_jobs(long long run_id);
  std::optional<CacheRecord> cache_lookup(const std::string& key);
  long long integrity_problems();  // rows PRAGMA integrity_check reports (0 = ok)

  struct ResultQuery {
    std::string variant_id;  // empty = all variants
    bool with_checks = false;
    bool with_bodies = false;  // request and response bodies
    bool with_retrievals = false;  // the passages a rag result was given
    bool only_failing = false;  // errors and non-conformant results
    long long case_index = -1;  // one case only (>= 0)
    long long limit = -1;
  };
  // Streams a variant's results in (case, repeat) order as the columns a run summary reads
  // (see store/result_facts.hpp): one indexed scan, no texts but the outcome's names.
  void for_each_result_facts(long long run_id, const std::string& variant_id,
                             const std::function<void(const ResultFacts&)>& fn);
  // Streams a variant's retrievals in (case, repeat) order with each case's gold passages, for
  // the retrieval measures (see store/result_facts.hpp): results without a retrieval are left out.
  void for_each_retrieval_facts(long long run_id, const std::string& variant_id,
                                const std::function<void(const RetrievalFacts&)>& fn);
  // Moves results into result_history (the row as JSON, with its bodies and check outcomes)
  // and deletes them, so that a resume sends their jobs again: the results of the given cases,
  // of every case at or after `from_case`, or with `errors_only` every result that is an error.
  // Returns how many were moved. One transaction.
  struct Supersede {
    std::vector<long long> cases;
    std::optional<long long> from_case;
    bool errors_only = false;
  };
  long long supersede_results(long long run_id, const Supersede& which);
  // How many results of the run were superseded so far (rows of result_history).
  long long superseded_results(long long run_id);
  // Cases rows of a run, by index: id and content hash, to tell what changed in a dataset.
  void for_each_case(long long run_id, const std::function<void(const CaseRecord&)>& fn);
  // After a resume on a changed dataset: the run's new shape.
  void update_run_shape(long long run_id, long long cases, long long total_jobs, const std::string& fingerprint);

  // Gates: the outcome of each gate on a run, and the run's status (pass / fail) for
  // `latest-passing` and `runs`. Saving again replaces the earlier evaluation.
  void save_gates(long long run_id, const std::vector<GateRecord>& gates);
  std::vector<GateRecord> gates(long long run_id);
  // The newest run of a suite (by name) whose gates passed, older than `before` when given.
  std::optional<long long> latest_passing_run(const std::string& suite_name, std::optional<long long> before);

  // Every stored case of a run with its id, in case order.
  void for_each_case_id(long long run_id, const std::function<void(long long case_index, std::string_view case_id)>& fn);
  // Failed checks by name.
  std::map<std::string, long long> failed_check_counts(long long run_id, const std::string& variant_id);

  // Streams results in (variant position, case, repeat) order; memory stays flat.
  void for_each_result(long long run_id, const ResultQuery& query,
                       const std::function<void(const ResultRecord&)>& fn);

 private:
  void migrate();
  void rename_line_numbered_cases();

  std::filesystem::path path_;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tb
