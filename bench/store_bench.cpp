// Sustained insert rate of results into the store, through the single writer thread that runs
// use: store_bench [ROWS=200000] [DB=/tmp/tunebench-store-bench.db]
// Rows carry realistic request/response bodies (~1 KB) and two check outcomes each.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>

#include "store/result_writer.hpp"
#include "store/store.hpp"

int main(int argc, char** argv) {
  const long long rows = argc > 1 ? std::stoll(argv[1]) : 200000;
  const std::filesystem::path db = argc > 2 ? argv[2] : "/tmp/tunebench-store-bench.db";
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db.string() + suffix);
  tb::Store store(db);
  tb::RunRecord run;
  run.suite_name = "store-bench";
  run.suite_file = run.dataset_file = run.baseline = "x";
  run.suite_json = "{}";
  run.started_at = "2026-11-22T00:00:00Z";
  run.status = "running";
  run.total_jobs = rows;
  run.tool_version = "bench";
  tb::VariantRecord v;
  v.id = "a";
  v.kind = "prompted";
  v.model = "gpt-4o-mini";
  v.params_json = "{}";
  const long long run_id = store.create_run(run, {v});

  const std::string request(
      R"({"model":"gpt-4o-mini","messages":[{"role":"system","content":"Define the technical term as JSON with term, definition, category and related."},{"role":"user","content":"idempotency"}],"temperature":0})");
  const std::string response(
      R"({"id":"chatcmpl-x","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"{\"term\":\"idempotency\",\"definition\":\"A property of an operation whereby applying it many times has the same effect as applying it once.\",\"category\":\"distributed-systems\",\"related\":[\"retry\",\"HTTP PUT\"]}"},"finish_reason":"stop"}],"usage":{"prompt_tokens":41,"completion_tokens":48,"total_tokens":89}})");
  const auto start = std::chrono::steady_clock::now();
  {
    tb::ResultWriter writer(db);
    for (long long i = 0; i < rows; ++i) {
      tb::ResultRecord r;
      r.run_id = run_id;
      r.variant_id = "a";
      r.case_index = i;
      r.status = "ok";
      r.error_class = "none";
      r.output = R"({"term":"idempotency","definition":"A property of an operation.","category":"distributed-systems","related":["retry"]})";
      r.finish_reason = "stop";
      r.prompt_tokens = 41;
      r.completion_tokens = 48;
      r.latency_ms = 12.5;
      r.attempts = 1;
      r.cost_usd = 0.0001;
      r.conformant = true;
      r.score = 1;
      r.request_json = request;
      r.response_body = response;
      r.created_at = "2026-11-22T00:00:00Z";
      r.checks = {{"is-json", "is-json", true, true, 1, 1, ""}, {"json-schema", "json-schema", true, true, 1, 1, ""}};
      writer.add_result(std::move(r));
    }
    writer.flush();
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("store_bench rows=%lld seconds=%.2f rows_per_s=%.0f db_mb=%.1f\n", rows, seconds,
              static_cast<double>(rows) / seconds,
              static_cast<double>(std::filesystem::file_size(db)) / 1e6);
  return store.count_results(run_id) == rows ? 0 : 1;
}
