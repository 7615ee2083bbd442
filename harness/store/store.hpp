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
  static constexpr int kSchemaVersion = 14;

  // How an existing file is checked when it is opened: `quick` runs PRAGMA quick_check and
  // refuses a damaged file (StoreError, StoreFailure::damaged) before anything is read or written;
  // `none` is for `tunebench doctor`, which reports the damage itself.
  enum class Check { quick, none };

  explicit Store(const std::filesystem::path& path, bool create = true, Check check = Check::quick);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  const std::filesystem::path& path() const { return path_; }

  // Creates a run and takes its lease for this process (see acquire_lease).
  long long create_run(const RunRecord& run, const std::vector<VariantRecord>& variants);
  // Sets the status; a finished run also releases this process's lease on it.
  void set_run_status(long long run_id, std::string_view status, bool finished);

  // One process drives a run. Takes the run's lease for this process: throws RunRefused ("run 3
  // is being driven by process 1234 on HOST since ...") while another live process holds it;
  // takes it over from a process that is gone (this host: its pid no longer runs that process;
  // another host: no heartbeat for a minute) and returns that lease, to say so.
  std::optional<LeaseRecord> acquire_lease(long long run_id);
  void release_lease(long long run_id);  // this process's lease only
  std::optional<LeaseRecord> lease(long long run_id);

  // A run's status is read as stored, except that a run marked running whose lease holder is
  // gone (killed, or stopped by a full disk before it could say so) reads as interrupted.
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
  // What PRAGMA integrity_check says (["ok"] for a sound file), at most `limit` lines.
  std::vector<std::string> integrity_check(int limit = 100);

  struct ResultQuery {
    std::string variant_id;  // empty = all variants
    bool with_checks = false;
    bool with_bodies = false;   // request and response bodies
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
  void update_run_shape(long long run_id, long long cases, long long total_jobs,
                        const std::string& fingerprint, const std::string& suite_fingerprint);

  // Merging shards (store/run_import.cpp). Copies run `source_run` of the store file `source` (at
  // this schema version: open it as a Store first) into run `into` of this store: its cases, its
  // results with their bodies and check outcomes, its result history, and the source's response
  // cache (entries this store has already are kept). One transaction; result ids are renumbered
  // after this store's. Throws StoreError, also when a case of the source is already in `into`.
  struct ImportCounts {
    long long cases = 0, results = 0, cache_entries = 0;
  };
  ImportCounts import_run(const std::filesystem::path& source, long long source_run,
                          long long into);
  // After the imports: the run's cases, jobs and status, finished now, and its dataset
  // fingerprint over the stored cases' content hashes in case order, as the preflight computes it
  // (a complete merge has the fingerprint of the unsharded run).
  void finish_merged_run(long long run_id, long long cases, long long total_jobs,
                         std::string_view status);
  // Deletes a run with everything it holds (a merge that failed half-way).
  void delete_run(long long run_id);

  // Gates: the outcome of each gate on a run, and the run's status (pass / fail) for
  // `latest-passing` and `runs`. Saving again replaces the earlier evaluation.
  void save_gates(long long run_id, const std::vector<GateRecord>& gates);
  std::vector<GateRecord> gates(long long run_id);
  // The newest run of a suite (by name) whose gates passed, older than `before` when given.
  std::optional<long long> latest_passing_run(const std::string& suite_name, std::optional<long long> before);

  // Every stored case of a run with its id, in case order.
  void for_each_case_id(long long run_id, const std::function<void(long long case_index, std::string_view case_id)>& fn);
  // Failed checks by name.
  std::map<std::string, long long> failed_check_counts(long long run_id,
                                                       const std::string& variant_id);

  // Streams results in (variant position, case, repeat) order; memory stays flat.
  void for_each_result(long long run_id, const ResultQuery& query,
                       const std::function<void(const ResultRecord&)>& fn);

 private:
  void migrate();
  void check_sound();
  void derive_status(RunRecord& run);
  void rename_line_numbered_cases();

  std::filesystem::path path_;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tb
