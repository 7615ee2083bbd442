#pragma once
// Jobs made ready to send on a thread of their own: the dataset read and parsed, the prompt
// rendered, the request body written and its tokens counted, a bounded number of jobs ahead of
// the runner's network thread, which is then left to send, read and score.
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "run/plan.hpp"

namespace tb {

struct CaseRetrieval;

struct PreparedJob {
  Job job;
  std::string body;  // the request body, as it is sent and stored
  long long prompt_chars = 0;
  long long local_prompt_tokens = -1;  // -1: not counted (no tokenizer, or not UTF-8)
  double estimated_tokens = 0;         // against a TPM budget, before the answer says
  double estimated_cost = 0;           // USD that --max-cost reserves while it is in flight
  std::string cache_key;               // empty when the cache is off
  // The local count by part (-1 without a tokenizer): instructions, retrieved context, case.
  long long instruction_tokens = -1, context_tokens = -1, case_tokens = -1;
  std::shared_ptr<const CaseRetrieval> retrieval;  // rag: what the prompt holds
};

class JobPreparer {
 public:
  using Prepare = std::function<PreparedJob(Job)>;
  // `ready` runs on the preparer's thread when jobs (or their end) arrive after take() found
  // none: it must only hand a wake-up to the consumer's thread. Plan and callbacks must outlive
  // the preparer; preparing starts at once.
  JobPreparer(Plan& plan, Prepare prepare, std::size_t capacity, std::function<void()> ready);
  ~JobPreparer();  // stops, then waits for the job being prepared
  JobPreparer(const JobPreparer&) = delete;
  JobPreparer& operator=(const JobPreparer&) = delete;

  enum class Take { job, none_yet, end };
  // Never blocks. Rethrows, on the consumer's thread, what preparing threw.
  Take take(PreparedJob& out);
  // No more jobs are wanted: the thread ends after the job in hand.
  void stop();

 private:
  void loop();

  Plan& plan_;
  Prepare prepare_;
  std::size_t capacity_;
  std::function<void()> ready_;
  std::mutex mutex_;
  std::condition_variable room_;  // the consumer took enough to prepare more
  std::deque<PreparedJob> jobs_;
  bool ended_ = false;     // the plan ran out (or preparing failed)
  bool stopped_ = false;   // the consumer wants no more
  bool starving_ = false;  // take() found nothing: the next job must wake the consumer
  bool full_ = false;      // the preparer waits for room
  std::exception_ptr failure_;
  std::thread thread_;
};

}  // namespace tb
