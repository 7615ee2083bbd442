#include "store/result_writer.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "common/background_thread.hpp"
#include "store/record_scrub.hpp"
#include "store/run_lease.hpp"
#include "store/sqlite_db.hpp"
#include "store/store_error.hpp"
#include "store/unsaved_results.hpp"

namespace tb {

namespace {

std::string seconds_text(double s) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", s);
  return text;
}

}  // namespace

struct ResultWriter::Impl {
  using Item = StoreItem;
  using Clock = std::chrono::steady_clock;

  // A short busy timeout: the loop below waits out a lock itself, so that it can say so and keep
  // what waits in memory; SQLite's own wait would only block.
  static constexpr int kBusyTimeoutMs = 1000;

  Impl(const std::filesystem::path& path, ResultWriter::Options o)
      : db_path(path), options(std::move(o)), db(path.string(), false, kBusyTimeoutMs) {
    if (!options.report)
      options.report = [](const std::string& line) { std::cerr << line << std::endl; };
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
        "tags, content_hash, gold_json)"
        " VALUES(?,?,?,?,?,?,?,?,?)");
    insert_result = db.prepare(
        "INSERT INTO results(run_id, variant_id, case_index, repeat, status, error_class,"
        " error_message, http_status, output, finish_reason, prompt_tokens, completion_tokens,"
        " cached_tokens, prompt_chars, local_prompt_tokens, latency_ms, ttft_ms, attempts, "
        "cost_usd,"
        " conformant, score, created_at, itl_ms, output_tps, cached,"
        " failure_kind, failure_path, usage_estimated, usage_note, instruction_tokens,"
        " context_tokens, case_tokens, retrieval_ms, embedding_tokens, embedding_cost_usd,"
        " tool_calls) "
        "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    insert_bodies = db.prepare(
        "INSERT INTO result_bodies(result_id, request_json, response_body) VALUES(?,?,?)");
    insert_cache = db.prepare(
        "INSERT OR REPLACE INTO response_cache(key, status, body, latency_ms, ttft_ms, itl_ms,"
        " output_tps, created_at) VALUES(?,?,?,?,?,?,?,strftime('%Y-%m-%dT%H:%M:%SZ','now'))");
    insert_retrieved = db.prepare(
        "INSERT INTO retrievals(result_id, rank, chunk_id, document_id, score, tokens)"
        " VALUES(?,?,?,?,?,?)");
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
    if (c.gold_json.empty())
      insert_case.bind_null(9);
    else
      insert_case.bind(9, c.gold_json);
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
    if (r.instruction_tokens >= 0 && r.context_tokens >= 0 && r.case_tokens >= 0)
      q.bind(30, r.instruction_tokens).bind(31, r.context_tokens).bind(32, r.case_tokens);
    else
      q.bind_null(30).bind_null(31).bind_null(32);
    if (r.retrieval_ms >= 0)
      q.bind(33, r.retrieval_ms).bind(34, r.embedding_tokens).bind(35, r.embedding_cost_usd);
    else
      q.bind_null(33).bind_null(34).bind_null(35);
    if (r.tool_calls.empty())
      q.bind_null(36);
    else
      q.bind(36, r.tool_calls);
    q.run();
    const long long id = db.last_insert_id();
    int rank = 1;
    for (const auto& p : r.retrieved) {
      insert_retrieved.bind(1, id)
          .bind(2, rank++)
          .bind(3, p.chunk_id)
          .bind(4, p.document_id)
          .bind(5, p.score)
          .bind(6, p.tokens);
      insert_retrieved.run();
    }
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

  void commit(const std::vector<Item>& batch) {
    db.exec("BEGIN IMMEDIATE");
    for (const auto& item : batch) std::visit([this](const auto& r) { write(r); }, item);
    db.exec("COMMIT");
  }

  // After a failed transaction: nothing of it stays, and no statement keeps a half-done step.
  void roll_back() {
    for (auto* q : {&insert_case, &insert_result, &insert_bodies, &insert_check, &insert_cache,
                    &insert_judge})
      q->reset();
    db.rollback();
  }

  static long long results_in(const std::vector<Item>& items) {
    long long n = 0;
    for (const auto& item : items) n += std::holds_alternative<ResultRecord>(item);
    return n;
  }

  // Keeps what could not be stored in the unsaved-results file (counted for error()).
  void keep(const std::vector<Item>& items) {
    const long long n = results_in(items);
    std::filesystem::path file;
    std::string error;
    const bool saved = save_unsaved(db_path, items, file, error);
    std::lock_guard lock(mutex);
    if (saved) {
      kept += n;
      kept_file = file;
    } else {
      lost += n;
      lost_error = error;
    }
  }

  // What failed and where the results it left are: every result that came after it counts.
  std::string failure_message() const {
    std::string out = failure;
    if (kept > 0)
      out += "; the " + std::to_string(kept) + " results not stored are kept in " +
             kept_file.string() +
             "; the next `tunebench run` on this database stores them (a resume then sends only "
             "what is missing)";
    if (lost > 0)
      out += "; " + std::to_string(lost) + " results could not be kept either (" + lost_error +
             "); a resume sends them again";
    return out;
  }

  void refresh_leases(Clock::time_point now) {
    if (now < next_heartbeat) return;
    next_heartbeat = now + std::chrono::seconds(run_lease::kHeartbeatEveryS);
    try {
      run_lease::heartbeat(db);
    } catch (const StoreError&) {
      // locked or full: the next beat tries again; a live process is not taken for gone anyway
    }
  }

  void loop() {
    std::vector<Item> pending;  // taken from the queue, not yet committed
    std::size_t scrubbed = 0;
    bool waiting = false;  // for a lock held by another process
    Clock::time_point wait_started{}, next_report{};
    auto backoff = std::chrono::milliseconds(50);
    while (true) {
      {
        std::unique_lock lock(mutex);
        if (pending.empty()) {
          wake.wait_until(lock, next_heartbeat, [&] { return stopping || !queue.empty(); });
          if (!queue.empty())
            wake.wait_for(lock, kLinger, [&] {
              return stopping || flush_requested || queue.size() >= kBatchWake;
            });
        } else {
          // Waiting out a lock: new items join the batch that waits.
          wake.wait_for(lock, backoff, [] { return false; });
        }
        flush_requested = false;
        if (queue.empty() && pending.empty() && stopping) return;
        std::move(queue.begin(), queue.end(), std::back_inserter(pending));
        queue.clear();
        busy = true;
      }
      const auto now = Clock::now();
      refresh_leases(now);
      // Off the network thread: what a server sent back is scrubbed before it is stored.
      for (; scrubbed < pending.size(); ++scrubbed)
        std::visit([](auto& r) { scrub(r); }, pending[scrubbed]);
      long long stored = 0;
      std::string failure_now;
      if (!pending.empty() && failed) {
        keep(pending);  // after a failure every later result goes to the file as well
        pending.clear();
      } else if (!pending.empty()) {
        try {
          commit(pending);
          stored = results_in(pending);
          if (waiting)
            options.report("the database is writable again: " + std::to_string(stored) +
                           " results that waited are stored");
          waiting = false;
          backoff = std::chrono::milliseconds(50);
          pending.clear();
        } catch (const StoreError& e) {
          roll_back();
          // The attempt itself waited out the busy timeout: the wait began when it did.
          if (e.failure() == StoreFailure::locked && !waiting) {
            waiting = true;
            wait_started = now;
            next_report = now;
          }
          const double waited =
              waiting ? std::chrono::duration<double>(Clock::now() - wait_started).count() : 0;
          if (e.failure() == StoreFailure::locked && waited < options.lock_wait_s) {
            if (Clock::now() >= next_report) {
              options.report("database is locked by another process; waiting to store " +
                             std::to_string(results_in(pending)) + " results (up to " +
                             seconds_text(options.lock_wait_s) + " s, " + seconds_text(waited) +
                             " s so far)...");
              next_report = Clock::now() + std::chrono::seconds(10);
            }
            backoff = std::min(backoff * 2, std::chrono::milliseconds(1000));
          } else {
            const std::string why = e.failure() == StoreFailure::locked
                                        ? db_path.string() +
                                              " stayed locked by another process for " +
                                              seconds_text(waited) + " s"
                                        : std::string(e.what());
            failure_now = why;
            keep(pending);
            pending.clear();
            scrubbed = 0;
          }
        }
      }
      if (pending.empty()) scrubbed = 0;
      {
        std::lock_guard lock(mutex);
        committed += stored;
        if (!failure_now.empty() && !failed) {
          failure = failure_now;
          failed = true;
        }
        holding = !pending.empty();
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

  std::filesystem::path db_path;
  ResultWriter::Options options;
  sqlite::Database db;
  sqlite::Statement insert_case, insert_result, insert_bodies, insert_check, insert_cache,
      insert_retrieved, insert_judge;
  Clock::time_point next_heartbeat = Clock::now();
  mutable std::mutex mutex;
  std::condition_variable wake, drained;
  std::vector<Item> queue;
  bool stopping = false;
  bool flush_requested = false;
  std::atomic<bool> failed{false};
  std::string failure;           // what stopped the writing
  long long kept = 0, lost = 0;  // results kept in the unsaved-results file, and not even there
  std::filesystem::path kept_file;
  std::string lost_error;
  bool busy = false;
  bool holding = false;  // items wait for a locked database
  long long queued = 0, committed = 0;
  std::thread thread;
};

double ResultWriter::default_lock_wait_s() {
  if (const char* env = std::getenv("TUNEBENCH_LOCK_WAIT_S")) {
    char* end = nullptr;
    const double v = std::strtod(env, &end);
    if (end != env && *end == '\0' && std::isfinite(v) && v >= 0) return v;
  }
  return 120;
}

ResultWriter::ResultWriter(const std::filesystem::path& db_path)
    : ResultWriter(db_path, Options{}) {}

ResultWriter::ResultWriter(const std::filesystem::path& db_path, Options options)
    : impl_(std::make_unique<Impl>(db_path, std::move(options))) {}

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
  impl_->drained.wait(lock,
                      [&] { return impl_->queue.empty() && !impl_->busy && !impl_->holding; });
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
  return impl_->failure_message();
}

long long store_unsaved_results(const std::filesystem::path& db_path) {
  const auto files = unsaved_result_files(db_path);
  if (files.empty()) return 0;
  long long stored = 0;
  sqlite::Database db(db_path.string(), false);
  auto exists = db.prepare(
      "SELECT 1 FROM results WHERE run_id=? AND variant_id=? AND case_index=? AND repeat=?");
  for (const auto& file : files) {
    std::vector<StoreItem> items;
    std::string error;
    if (!load_unsaved(file, items, error)) throw StoreError(error);
    ResultWriter writer(db_path);
    long long results = 0;
    for (auto& item : items) {
      if (auto* r = std::get_if<ResultRecord>(&item)) {
        exists.bind(1, r->run_id).bind(2, r->variant_id).bind(3, r->case_index).bind(4, r->repeat);
        const bool known = exists.step();
        exists.reset();
        if (known) continue;  // stored after all (a commit that reported failure but landed)
        ++results;
        writer.add_result(std::move(*r));
      } else if (auto* c = std::get_if<CaseRecord>(&item)) {
        writer.add_case(std::move(*c));
      } else {
        writer.add_cache(std::move(std::get<CacheRecord>(item)));
      }
    }
    if (!writer.flush())
      throw StoreError("cannot store the results kept in " + file.string() + ": " +
                       writer.error().value_or(""));
    std::error_code ec;
    std::filesystem::remove(file, ec);
    stored += results;
  }
  return stored;
}

}  // namespace tb
