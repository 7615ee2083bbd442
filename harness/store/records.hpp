#pragma once
#include <optional>
#include <string>
#include <vector>

namespace tb {

// Plain rows of the store, free of SQLite types so every module can hold them.

struct RunRecord {
  long long id = 0;
  std::string suite_name;
  std::string suite_file;
  std::string suite_json;
  std::string dataset_file;
  std::string baseline;
  std::string started_at;
  std::string finished_at;
  std::string status;  // running, done, interrupted, failed
  // Stored as running, but the process that drove it is gone (killed, or stopped by a full disk
  // before it could say so): status reads "interrupted" and this is set (see Store::run).
  bool stale = false;
  bool simulated = false;
  long long total_jobs = 0;
  long long cases = 0;
  int repeats = 1;
  long long monthly_requests = 0;
  std::string tool_version;
  std::string price_catalog;  // "file (date)"
  std::string dataset_fingerprint;  // SHA-256 over the cases' content hashes; empty before v6
  std::string gate_status;  // pass, fail, or empty when the run was not gated
  // Shards (schema v8). SHA-256 over the suite, its variants' prompts and prices and every case
  // of the dataset: equal for every shard of one suite, whatever the shard holds.
  std::string suite_fingerprint;
  std::optional<int> shard_index;  // 0-based; set on a shard's run only
  int shard_count = 0;             // a shard's run: N of "I/N"; a merged run: the N it merged
  std::string merged_from;         // a merged run: JSON array of the runs merged
  bool partial = false;            // a merged run missing shards or holding unfinished ones
};

// The outcome of one gate on a run: one line of `run`'s and `gate`'s output, one JUnit test.
struct GateRecord {
  std::string gate;     // min_conformance, no_regression, max_cost_per_1k, ...
  std::string variant;  // the variant it judged ("*" never: thresholds are expanded)
  bool passed = false;
  std::optional<double> figure;     // what was measured
  std::optional<double> threshold;  // the bar
  std::optional<double> low, high;  // the figure's 95% interval, when it has one
  std::string against;  // no_regression: the run or variant compared with
  std::string detail;   // the whole line, as printed
};

// Who drives a run: the process holding its lease (see Store::acquire_lease).
struct LeaseRecord {
  long long run_id = 0;
  long long pid = 0;
  std::string host;
  std::string started_at;         // when it took the lease (UTC)
  long long heartbeat_age_s = 0;  // seconds since it last said it is alive
  bool live = false;  // its process runs (this host) or its heartbeat is fresh (another)
  bool mine = false;  // held by this process
};

struct VariantRecord {
  std::string id;
  int position = 0;
  std::string kind;
  std::string endpoint;
  std::string endpoint_kind;
  std::string base_url;
  std::string model;
  std::string system_prompt;
  std::string params_json;
  double price_input = 0;
  double price_cached_input = 0;
  double price_output = 0;
  std::optional<double> price_training;
  long long training_tokens = 0;
  int training_epochs = 0;
  std::optional<double> training_cost_usd;
  bool simulated = false;
  bool is_baseline = false;
  // rag variants: the retrieval settings as JSON (corpus and its content hash, chunking,
  // tokenizer, k, method, query, template, embeddings), empty for the others; and the tokens
  // and cost of embedding the corpus's chunks, a one-time cost like training (0 for bm25).
  std::string retrieve_json;
  long long index_embedding_tokens = 0;
  double index_cost_usd = 0;
  // A variant of a checkpoint or model sweep (v14): the variant the suite wrote (this one's id is
  // sweep_of@label), empty for the others; its training step and loss, when known.
  std::string sweep_of;
  std::optional<long long> checkpoint_step;
  std::optional<double> training_loss;
};

// A successful answer kept for re-runs of the same request (key: sha256 of URL, body, repeat).
struct CacheRecord {
  std::string key;
  int status = 200;
  std::string body;
  double latency_ms = 0;
  double ttft_ms = -1;
  double itl_ms = -1;
  double output_tps = -1;

  bool operator==(const CacheRecord&) const = default;
};

// CaseRecord, CacheRecord and ResultRecord (with its checks and judge calls) are also written to
// a file when the database cannot take them: a new field goes into store/unsaved_results.cpp too.
struct CaseRecord {
  long long run_id = 0;
  long long case_index = 0;
  std::string case_id;
  int line = 0;
  std::string messages_json;
  std::string reference;
  std::string tags;  // comma-separated
  std::string content_hash;  // SHA-256 of the dataset line's text; empty before v6
  std::string gold_json;     // the line's gold passages as a JSON array; empty when none

  bool operator==(const CaseRecord&) const = default;
};

struct CheckRecord {
  std::string name;
  std::string type;
  bool passed = false;
  bool required = true;
  double weight = 1;
  double score = 0;
  std::string detail;

  bool operator==(const CheckRecord&) const = default;
};

// One passage a rag result's prompt held; its rank is its position in ResultRecord::retrieved.
struct RetrievedRecord {
  std::string chunk_id;
  std::string document_id;
  double score = 0;  // higher is better: BM25, cosine similarity or the fused RRF score
  long long tokens = 0;

  bool operator==(const RetrievedRecord&) const = default;
};

// One request to a judge model for a model-graded check of a result (`type: judge`). Its tokens
// and cost are the judge's, kept apart from the variant's (results.cost_usd).
struct JudgeCallRecord {
  int check_position = 0;  // the check it decided, as in check_outcomes.position
  std::string endpoint;
  std::string model;
  long long prompt_tokens = -1;  // -1: the judge's reply had no usage
  long long completion_tokens = -1;
  double cost_usd = 0;
  bool cached = false;
  int attempts = 0;
  std::string label;
  double score = 0;
  std::string error;  // why there is no verdict (the request failed, the reply was no verdict)

  bool operator==(const JudgeCallRecord&) const = default;
};

struct ResultRecord {
  long long id = 0;
  long long run_id = 0;
  std::string variant_id;
  long long case_index = 0;
  int repeat = 0;
  std::string status;       // ok or error
  std::string error_class;  // none, auth, rate_limit, ...
  std::string error_message;
  int http_status = 0;
  std::string output;       // the content, or the first tool call's arguments
  std::string finish_reason;
  std::string tool_calls;   // JSON [{"id", "name", "arguments"}]; empty when the answer made none
  long long prompt_tokens = -1;  // from the API's usage; -1 when absent or not believable
  long long completion_tokens = -1;
  long long cached_tokens = 0;
  long long prompt_chars = 0;
  long long local_prompt_tokens = -1;  // counted here; -1 when no tokenizer
  double latency_ms = 0;
  double ttft_ms = -1;     // streaming: time to the first content token
  double itl_ms = -1;      // streaming: mean gap between content tokens
  double output_tps = -1;  // streaming: completion tokens per second after the first token
  bool cached = false;     // answered from the response cache; latencies are the original ones
  int attempts = 0;
  double cost_usd = 0;
  // Costed from local token counts: the usage was missing or not believable (usage_note: why).
  bool usage_estimated = false;
  std::string usage_note;
  bool conformant = false;
  double score = 0;
  std::string failure_kind = "none";  // the failure taxonomy (not_json, fenced, ...)
  std::string failure_path;           // JSON Pointer of the offending value, when there is one
  std::string request_json;
  std::string response_body;
  std::string created_at;
  // The prompt's local token count by part (-1 without a tokenizer): the instructions (the
  // system and developer messages before the case's own), the retrieved context (rag) and the
  // case's own messages. They add up to local_prompt_tokens.
  long long instruction_tokens = -1;
  long long context_tokens = -1;
  long long case_tokens = -1;
  // rag: searching the index for this job, apart from the model's latency (-1: no retrieval);
  // the tokens of embedding its query and their cost (part of cost_usd), and what it retrieved.
  double retrieval_ms = -1;
  long long embedding_tokens = 0;
  double embedding_cost_usd = 0;
  std::vector<RetrievedRecord> retrieved;
  std::string case_id;  // read from the cases table, not stored per result
  std::vector<CheckRecord> checks;
  std::vector<JudgeCallRecord> judge_calls;

  bool operator==(const ResultRecord&) const = default;
};

}  // namespace tb
