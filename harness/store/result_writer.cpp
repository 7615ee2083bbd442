#include "store/result_writer.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "common/background_thread.hpp"
#include "store/record_scrub.hpp"
#include "store/sqlite_db.hpp"
#include "store/store_error.hpp"

namespace tb {

struct ResultWriter::Impl {
  using Item = std::variant<CaseRecord, ResultRecord, CacheRecord>;

  explicit Impl(const std::filesystem::path& path) : db(path.string(), false) {
    // Fewer, larger checkpoints (every 32 MiB of WAL): with the default (1,000 pages) a heavy run
    // spends much of its writing time copying the WAL back. The cache is bounded so memory stays
    // flat.
    auto page_size = db.prepare("PRAGMA page_size");
    const long long page_bytes = page_size.step() ? std::max(512LL, page_size.int64(0)) : 4096;
    db.exec("PRAGMA wal_autocheckpoint=" + std::to_string((32LL << 20) / page_bytes));
    db.exec("PRAGMA cache_size=-16384");
    // Children (bodies, check outcomes) are inserted right after their result in the same
    // transaction, so checking each one's parent key would be a B-tree search that cannot fail.
    // Other connections keep foreign keys on (cascading deletes).
    db.exec("PRAGMA foreign_keys=OFF");
    insert_case = db.prepare(
        "INSERT OR IGNORE INTO cases(run_id, case_index, case_id, line, messages_json, reference, "
        "tags, content_hash)"
        " VALUES(?,?,?,?,?,?,?,?)");
    insert_result = db.prepare(
        "INSERT INTO results(run_id, variant_id, case_index, repeat, status, error_class,"
        " error_message, http_status, output, finish_reason, prompt_tokens, completion_tokens,"
        " cached_tokens, prompt_chars, local_prompt_tokens, latency_ms, ttft_ms, attempts, "
        "cost_usd,"
        " conformant, score, created_at, itl_ms, output_tps, cached,"
        " failure_kind, failure_path, usage_estimated, usage_note) "
        "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    insert_bodies = db.prepare(
        "INSERT INTO result_bodies(result_id, request_json, response_body) VALUES(?,?,?)");
    insert_cache = db.prepare(
        "INSERT OR REPLACE INTO response_cache(key, status, body, latency_ms, ttft_ms, itl_ms,"
        " output_tps, created_at) VALUES(?,?,?,?,?,?,?,strftime('%Y-%m-%dT%H:%M:%SZ','now'))");
    insert_check = db.prepare(
        "INSERT INTO check_outcomes(result_id, position, name, type, passed, required, weight,"
        " score, detail) VALUES(?,?,?,?,?,?,?,?,?)");
    insert_judge = db.prepare(
        "INSERT INTO judge_calls(result_id, position, endpoint, model, prompt_tokens,"
        " completion_tokens, cost_usd, cached, attempts, label, score, error)"
        " VALUES(?,?,?,?,?,?,?,?,?,?,?,?)");
    thread = std::thread([this] {
      run_in_background();
      loop();
    });
  }

  void write(const CaseRecord& c) {
    insert_case.bind(1, c.run_id)
        .bind(2, c.case_index)
        .bind(3, c.case_id)
        .bind(4, c.line)
        .bind(5, c.messages_json)
        .bind(6, c.reference)
        .bind(7, c.tags)
        .bind(8, c.content_hash);
    insert_case.run();
  }

  void write(const ResultRecord& r) {
    auto& q = insert_result;
    q.bind(1, r.run_id)
        .bind(2, r.variant_id)
        .bind(3, r.case_index)
        .bind(4, r.repeat)
        .bind(5, r.status)
        .bind(6, r.error_class)
        .bind(7, r.error_message)
        .bind(8, r.http_status)
        .bind(9, r.output)
        .bind(10, r.finish_reason);
    if (r.prompt_tokens >= 0)
      q.bind(11, r.prompt_tokens);
    else
      q.bind_null(11);
    if (r.completion_tokens >= 0)
      q.bind(12, r.completion_tokens);
    else
      q.bind_null(12);
    q.bind(13, r.cached_tokens).bind(14, r.prompt_chars);
    if (r.local_prompt_tokens >= 0)
      q.bind(15, r.local_prompt_tokens);
    else
      q.bind_null(15);
    q.bind(16, r.latency_ms);
    if (r.ttft_ms >= 0)
      q.bind(17, r.ttft_ms);
    else
      q.bind_null(17);
    q.bind(18, r.attempts)
        .bind(19, r.cost_usd)
        .bind(20, r.conformant ? 1 : 0)
        .bind(21, r.score)
        .bind(22, r.created_at);
    if (r.itl_ms >= 0)
      q.bind(23, r.itl_ms);
    else
      q.bind_null(23);
    if (r.output_tps >= 0)
      q.bind(24, r.output_tps);
    else
      q.bind_null(24);
    q.bind(25, r.cached ? 1 : 0).bind(26, r.failure_kind);
    if (r.failure_path.empty())
      q.bind_null(27);
    else
      q.bind(27, r.failure_path);
    q.bind(28, r.usage_estimated ? 1 : 0);
    if (r.usage_note.empty())
      q.bind_null(29);
    else
      q.bind(29, r.usage_note);
    q.run();
    const long long id = db.last_insert_id();
    if (!r.request_json.empty() || !r.response_body.empty()) {
      insert_bodies.bind(1, id).bind(2, r.request_json).bind(3, r.response_body);
      insert_bodies.run();
    }
    int position = 0;
    for (const auto& c : r.checks) {
      insert_check.bind(1, id)
          .bind(2, position++)
          .bind(3, c.name)
          .bind(4, c.type)
          .bind(5, c.passed ? 1 : 0)
          .bind(6, c.required ? 1 : 0)
          .bind(7, c.weight)
          .bind(8, c.score)
          .bind(9, c.detail);
      insert_check.run();
    }
    for (const auto& j : r.judge_calls) {
      auto& q = insert_judge;
      q.bind(1, id).bind(2, j.check_position).bind(3, j.endpoint).bind(4, j.model);
      if (j.prompt_tokens >= 0)
        q.bind(5, j.prompt_tokens);
      else
        q.bind_null(5);
      if (j.completion_tokens >= 0)
        q.bind(6, j.completion_tokens);
      else
        q.bind_null(6);
      q.bind(7, j.cost_usd).bind(8, j.cached ? 1 : 0).bind(9, j.attempts);
      if (j.error.empty()) {
        q.bind(10, j.label).bind(11, j.score).bind_null(12);
      } else {
        q.bind_null(10).bind_null(11).bind(12, j.error);
      }
      q.run();
    }
  }

  void write(const CacheRecord& c) {
    auto& q = insert_cache;
    q.bind(1, c.key).bind(2, c.status).bind(3, c.body).bind(4, c.latency_ms);
    if (c.ttft_ms >= 0)
      q.bind(5, c.ttft_ms);
    else
      q.bind_null(5);
    if (c.itl_ms >= 0)
      q.bind(6, c.itl_ms);
    else
      q.bind_null(6);
    if (c.output_tps >= 0)
      q.bind(7, c.output_tps);
    else
      q.bind_null(7);
    q.run();
  }

  // After the first item arrives the writer lingers briefly for more: one transaction (and one
  // wake-up of this thread) per several hundred results instead of per result, which at 30,000
  // results/s is what keeps the runner's thread from spending its time waking this one. Each
  // commit also rewrites the last, partly filled page of every table and index, so fewer
  // commits write less.
  static constexpr auto kLinger = std::chrono::milliseconds(25);
  static constexpr std::size_t kBatchWake = 2048;

  void loop() {
    std::vector<Item> batch;
    while (true) {
      {
        std::unique_lock lock(mutex);
        wake.wait(lock, [&] { return stopping || !queue.empty(); });
        wake.wait_for(lock, kLinger,
                      [&] { return stopping || flush_requested || queue.size() >= kBatchWake; });
        flush_requested = false;
        if (queue.empty() && stopping) return;
        batch.swap(queue);
        busy = true;
      }
      // Off the network thread: what a server sent back is scrubbed before it is stored.
      for (auto& item : batch) std::visit([](auto& r) { scrub(r); }, item);
      long long results = 0;
      for (const auto& item : batch) results += std::holds_alternative<ResultRecord>(item);
      if (!failed) {
        try {
          db.exec("BEGIN IMMEDIATE");
          for (const auto& item : batch) std::visit([this](const auto& r) { write(r); }, item);
          db.exec("COMMIT");
        } catch (const StoreError& e) {
          try {
            db.exec("ROLLBACK");
          } catch (const StoreError&) {
          }
          std::lock_guard lock(mutex);
          failure = e.what();
          failed = true;
        }
      }
      batch.clear();
      {
        std::lock_guard lock(mutex);
        if (!failed) committed += results;
        busy = false;
      }
      drained.notify_all();
    }
  }

  void push(Item item, bool is_result) {
    bool wake_writer = false;
    {
      std::lock_guard lock(mutex);
      queue.push_back(std::move(item));
      if (is_result) ++queued;
      // The writer sleeps until the first item and lingers until a batch is full.
      wake_writer = queue.size() == 1 || queue.size() == kBatchWake;
    }
    if (wake_writer) wake.notify_one();
  }

  sqlite::Database db;
  sqlite::Statement insert_case, insert_result, insert_bodies, insert_check, insert_cache, insert_judge;
  mutable std::mutex mutex;
  std::condition_variable wake, drained;
  std::vector<Item> queue;
  bool stopping = false;
  bool flush_requested = false;
  std::atomic<bool> failed{false};
  std::string failure;
  bool busy = false;
  long long queued = 0, committed = 0;
  std::thread thread;
};

ResultWriter::ResultWriter(const std::filesystem::path& db_path)
    : impl_(std::make_unique<Impl>(db_path)) {}

ResultWriter::~ResultWriter() {
  {
    std::lock_guard lock(impl_->mutex);
    impl_->stopping = true;
  }
  impl_->wake.notify_one();
  impl_->thread.join();
}

void ResultWriter::add_case(CaseRecord record) {
  impl_->push(std::move(record), false);
}
void ResultWriter::add_result(ResultRecord record) {
  impl_->push(std::move(record), true);
}
void ResultWriter::add_cache(CacheRecord record) {
  impl_->push(std::move(record), false);
}

bool ResultWriter::flush() {
  std::unique_lock lock(impl_->mutex);
  impl_->flush_requested = true;
  impl_->wake.notify_one();
  impl_->drained.wait(lock, [&] { return impl_->queue.empty() && !impl_->busy; });
  return !impl_->failed;
}

long long ResultWriter::committed_results() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->committed;
}

long long ResultWriter::queued_results() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->queued;
}

std::optional<std::string> ResultWriter::error() const {
  std::lock_guard lock(impl_->mutex);
  if (!impl_->failed) return std::nullopt;
  return impl_->failure;
}

}  // namespace tb
