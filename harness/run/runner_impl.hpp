#pragma once
// The Runner behind execute_run (run/runner.hpp). Internal to the runner: only run/runner*.cpp
// include it. Its member functions are spread by concern:
//   runner.cpp          the dispatch loop: workers take prepared jobs, progress, the end;
//   runner_setup.cpp    the in-process mocks, the run record, resuming a run;
//   runner_job.cpp      a job's lifecycle: prepared, answered from the cache or sent (attempt,
//                       retry decision, backoff), scored into its result;
//   runner_stop.cpp     stopping: Ctrl-C and its grace, budgets, the error budget, the outcome.
// Everything runs on the one io_context's thread but prepare(), which runs on the preparer's.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <unordered_set>
#include <vector>

#include <nlohmann/json.hpp>

#include "mock/mock_server.hpp"
#include "net/http_client.hpp"
#include "net/http_types.hpp"
#include "net/url.hpp"
#include "provider/chat_response.hpp"
#include "run/few_shot_selector.hpp"
#include "run/job_preparer.hpp"
#include "run/pacing.hpp"
#include "run/plan.hpp"
#include "run/progress.hpp"
#include "run/prompt_split.hpp"
#include "run/retrieval_setup.hpp"
#include "run/runner.hpp"
#include "score/scorer.hpp"
#include "store/records.hpp"
#include "store/result_writer.hpp"
#include "store/store.hpp"
#include "token/chat_token_counter.hpp"

namespace tb {

// One request's answer as sent and read (or replayed from the cache), with its timings.
struct Attempt {
  HttpResponse response;
  ChatResponse parsed;
  double latency_ms = 0;
  double ttft_ms = -1;
  double itl_ms = -1;
  double output_tps = -1;
};

class Runner {
 public:
  Runner(const Suite& suite, const Preflight& preflight, const RunnerOptions& options);
  // The preparer's thread reads members declared after it (the writer, the URLs, the token
  // memo): it must end first, also when an exception leaves run().
  ~Runner();
  Runner(const Runner&) = delete;
  Runner& operator=(const Runner&) = delete;

  RunOutcome run();

 private:
  // The dispatch loop (runner.cpp).
  static std::uint64_t job_key(std::size_t variant, long long case_index, int repeat);
  boost::asio::awaitable<void> worker();
  boost::asio::awaitable<std::optional<PreparedJob>> next_job();
  boost::asio::awaitable<void> ticker();
  ProgressSnapshot snapshot() const;

  // Setting up (runner_setup.cpp).
  void start_mocks();
  std::vector<VariantRecord> variant_records() const;
  void create_run();
  void attach_to_run(long long id);
  void reconcile_dataset(const RunRecord& run);
  std::string resume_command() const;

  // A job's lifecycle (runner_job.cpp).
  PreparedJob prepare(Job job);
  static std::string cache_key(const std::string& origin, const std::string& target,
                               const std::string& body, int repeat);
  boost::asio::awaitable<std::optional<ResultRecord>> execute(PreparedJob& prepared,
                                                              boost::asio::steady_timer& timer);
  boost::asio::awaitable<Attempt> send_once(const HttpRequest& base, bool stream);
  static Attempt replay(const CacheRecord& cached, bool stream);
  // Waits `ms` on the worker's timer unless the run stops first (stop() cancels every such
  // wait): false when it stopped, and the job is then abandoned. Backoff, server wait hints and
  // rate-limit pacing all wait here, so Ctrl-C, SIGTERM and the deadline end them at once.
  boost::asio::awaitable<bool> wait_unless_stopped(boost::asio::steady_timer& timer, double ms);
  // Model-graded checks of a scored answer (runner_judge.cpp); false when the run stopped before
  // every judgement was in (the job is then not stored).
  boost::asio::awaitable<bool> judge_answer(const TestCase& test_case, ResultRecord& r,
                                            Score& score, boost::asio::steady_timer& timer);

  // Stopping and the outcome (runner_stop.cpp).
  void listen_for_signals();
  void watch_deadline();
  std::string deadline_reason() const;
  // Ctrl-C, SIGTERM and the deadline: stop dispatching, give requests in flight the grace period,
  // then cancel them.
  void interrupt(std::string reason, const std::string& notice);
  void stop(std::string reason, bool resumable);
  void worker_finished();
  bool over_budget(double job_estimate);
  RunOutcome finish(bool stored, const std::optional<std::string>& storage_error);

  const Suite& suite_;
  const Preflight& preflight_;
  const RunnerOptions& options_;
  Store store_;
  boost::asio::io_context io_;
  HttpClient client_;
  Plan plan_;
  boost::asio::signal_set signals_;
  boost::asio::steady_timer ticker_;
  boost::asio::steady_timer grace_timer_;
  boost::asio::steady_timer deadline_timer_;
  std::unordered_set<boost::asio::steady_timer*> waiting_;  // workers' timers in a wait
  ConcurrencyGate gate_;
  boost::asio::steady_timer
      jobs_ready_;  // cancelled when prepared jobs arrive for starving workers
  // rag variants' retrievers (used on the preparer's thread only) and what they retrieve with.
  RetrievalSetup retrieval_;
  std::vector<std::string> retrieval_settings_;  // by variant; empty for non-rag
  // few-shot variants' example selectors by variant (null for others); the preparer's.
  std::vector<std::unique_ptr<FewShotSelector>> few_shot_;
  std::unique_ptr<JobPreparer> preparer_;
  std::mt19937_64 rng_;
  std::unique_ptr<ResultWriter> writer_;
  std::vector<std::unique_ptr<MockServer>> mocks_;
  std::map<std::string, Url> urls_;
  std::map<std::string, std::string> cache_origins_;  // what a cache key says the endpoint is
  std::map<std::string, EndpointLimiter> limiters_;
  std::unordered_set<std::uint64_t> done_;
  PromptSplitter prompt_splitter_{preflight_.variants.size()};  // the preparer's
  Progress progress_{Progress::detect(options_.quiet)};
  std::optional<double> deadline_s_;
  long long run_id_ = 0;
  long long total_jobs_ = 0;
  long long live_workers_ = 0;
  long long errors_ = 0;
  long long retries_ = 0;
  long long cached_ = 0;
  long long sent_ = 0;
  long long consecutive_errors_ = 0;
  long long judge_calls_ = 0;
  long long judge_cached_ = 0;
  double judge_cost_ = 0;
  long long committed_at_end_ = 0;
  double spend_ = 0;
  double in_flight_cost_ = 0;
  double started_ms_ = 0;
  bool stopping_ = false;
  bool stop_resumable_ = false;
  std::string stop_reason_;
};

}  // namespace tb
