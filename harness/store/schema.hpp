#pragma once
// Internal to store/: the SQL of every schema version, applied in order by Store::migrate.
#include <array>
#include <string_view>

namespace tb::store_schema {

// Index i takes a database from version i to version i + 1. Append, never edit.
inline constexpr std::array<std::string_view, 14> kMigrations = {
    R"sql(
CREATE TABLE runs(
  id INTEGER PRIMARY KEY,
  suite_name TEXT NOT NULL,
  suite_file TEXT NOT NULL,
  suite_json TEXT NOT NULL,
  dataset_file TEXT NOT NULL,
  baseline TEXT NOT NULL,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  status TEXT NOT NULL,
  simulated INTEGER NOT NULL,
  total_jobs INTEGER NOT NULL,
  cases INTEGER NOT NULL,
  repeats INTEGER NOT NULL,
  monthly_requests INTEGER NOT NULL,
  tool_version TEXT NOT NULL,
  price_catalog TEXT NOT NULL
);
CREATE TABLE variants(
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  id TEXT NOT NULL,
  position INTEGER NOT NULL,
  kind TEXT NOT NULL,
  endpoint TEXT NOT NULL,
  endpoint_kind TEXT NOT NULL,
  base_url TEXT NOT NULL,
  model TEXT NOT NULL,
  system_prompt TEXT,
  params_json TEXT NOT NULL,
  price_input REAL NOT NULL,
  price_cached_input REAL NOT NULL,
  price_output REAL NOT NULL,
  price_training REAL,
  training_tokens INTEGER NOT NULL,
  training_epochs INTEGER NOT NULL,
  training_cost_usd REAL,
  simulated INTEGER NOT NULL,
  is_baseline INTEGER NOT NULL,
  PRIMARY KEY(run_id, id)
);
CREATE TABLE cases(
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  case_index INTEGER NOT NULL,
  case_id TEXT NOT NULL,
  line INTEGER NOT NULL,
  messages_json TEXT NOT NULL,
  reference TEXT,
  tags TEXT,
  PRIMARY KEY(run_id, case_index)
);
CREATE TABLE results(
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  variant_id TEXT NOT NULL,
  case_index INTEGER NOT NULL,
  repeat INTEGER NOT NULL,
  status TEXT NOT NULL,
  error_class TEXT NOT NULL,
  error_message TEXT,
  http_status INTEGER,
  output TEXT,
  finish_reason TEXT,
  prompt_tokens INTEGER,
  completion_tokens INTEGER,
  cached_tokens INTEGER,
  prompt_chars INTEGER,
  local_prompt_tokens INTEGER,
  latency_ms REAL,
  ttft_ms REAL,
  attempts INTEGER NOT NULL,
  cost_usd REAL NOT NULL,
  conformant INTEGER NOT NULL,
  score REAL NOT NULL,
  request_json TEXT,
  response_body TEXT,
  created_at TEXT NOT NULL,
  UNIQUE(run_id, variant_id, case_index, repeat)
);
CREATE TABLE check_outcomes(
  result_id INTEGER NOT NULL REFERENCES results(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  name TEXT NOT NULL,
  type TEXT NOT NULL,
  passed INTEGER NOT NULL,
  required INTEGER NOT NULL,
  weight REAL NOT NULL,
  score REAL NOT NULL,
  detail TEXT,
  PRIMARY KEY(result_id, position)
);
)sql",
    // 2: streaming latency, cached results, the response cache.
    R"sql(
ALTER TABLE results ADD COLUMN itl_ms REAL;
ALTER TABLE results ADD COLUMN output_tps REAL;
ALTER TABLE results ADD COLUMN cached INTEGER NOT NULL DEFAULT 0;
CREATE TABLE response_cache(
  key TEXT PRIMARY KEY,
  status INTEGER NOT NULL,
  body TEXT NOT NULL,
  latency_ms REAL NOT NULL,
  ttft_ms REAL,
  itl_ms REAL,
  output_tps REAL,
  created_at TEXT NOT NULL
);
CREATE INDEX results_by_variant ON results(run_id, variant_id);
)sql",
    // 3: the failure taxonomy of each result.
    R"sql(
ALTER TABLE results ADD COLUMN failure_kind TEXT NOT NULL DEFAULT 'none';
ALTER TABLE results ADD COLUMN failure_path TEXT;
)sql",
    // 4: faster inserts: the UNIQUE index on (run_id, variant_id, ...) already serves lookups by
    // variant, and check outcomes live in their primary key's B-tree alone.
    R"sql(
DROP INDEX results_by_variant;
CREATE TABLE check_outcomes_v4(
  result_id INTEGER NOT NULL REFERENCES results(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  name TEXT NOT NULL,
  type TEXT NOT NULL,
  passed INTEGER NOT NULL,
  required INTEGER NOT NULL,
  weight REAL NOT NULL,
  score REAL NOT NULL,
  detail TEXT,
  PRIMARY KEY(result_id, position)
) WITHOUT ROWID;
INSERT INTO check_outcomes_v4 SELECT result_id, position, name, type, passed, required, weight, score, detail FROM check_outcomes;
DROP TABLE check_outcomes;
ALTER TABLE check_outcomes_v4 RENAME TO check_outcomes;
)sql",
    // 5: request and response bodies in a table of their own. The aggregates behind every summary
    // and report scan results; with ~2 KB of bodies inline in each row they read ten times the
    // pages they use (40,000 results: 0.9 s, now a tenth of that).
    R"sql(
CREATE TABLE result_bodies(
  result_id INTEGER PRIMARY KEY REFERENCES results(id) ON DELETE CASCADE,
  request_json TEXT,
  response_body TEXT
);
INSERT INTO result_bodies SELECT id, request_json, response_body FROM results
  WHERE request_json IS NOT NULL OR response_body IS NOT NULL;
ALTER TABLE results DROP COLUMN request_json;
ALTER TABLE results DROP COLUMN response_body;
)sql",
    // 6: case identity. A case is named by its dataset id, else by a hash of its messages (never by
    // its line), and keeps the hash of its line's text; a run keeps the fingerprint of its cases so
    // that a resume can tell a changed dataset. Ids of older runs ("line-N") are rewritten by
    // Store::migrate, which can hash (SQL cannot).
    R"sql(
ALTER TABLE cases ADD COLUMN content_hash TEXT;
ALTER TABLE runs ADD COLUMN dataset_fingerprint TEXT;
CREATE INDEX cases_by_id ON cases(run_id, case_id);
)sql",
    // 7: gates and their outcomes per run (gate_status: pass, fail, or NULL when the suite has
    // none), and the history of results a --retry-errors resume replaced (nothing is lost).
    R"sql(
ALTER TABLE runs ADD COLUMN gate_status TEXT;
CREATE TABLE gate_results(
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  gate TEXT NOT NULL,
  variant TEXT NOT NULL,
  passed INTEGER NOT NULL,
  figure REAL,
  threshold REAL,
  low REAL,
  high REAL,
  against TEXT,
  detail TEXT NOT NULL,
  evaluated_at TEXT NOT NULL,
  PRIMARY KEY(run_id, position)
);
CREATE TABLE result_history(
  result_id INTEGER NOT NULL,
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  variant_id TEXT NOT NULL,
  case_index INTEGER NOT NULL,
  repeat INTEGER NOT NULL,
  status TEXT NOT NULL,
  error_class TEXT NOT NULL,
  error_message TEXT,
  http_status INTEGER,
  attempts INTEGER NOT NULL,
  cost_usd REAL NOT NULL,
  created_at TEXT NOT NULL,
  superseded_at TEXT NOT NULL,
  row_json TEXT NOT NULL
);
CREATE INDEX runs_by_suite ON runs(suite_name, id);
)sql",
// 8: the judge's requests of model-graded checks, with their own tokens and cost.
R"sql(
CREATE TABLE judge_calls(
  result_id INTEGER NOT NULL REFERENCES results(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  endpoint TEXT NOT NULL,
  model TEXT NOT NULL,
  prompt_tokens INTEGER,
  completion_tokens INTEGER,
  cost_usd REAL NOT NULL,
  cached INTEGER NOT NULL,
  attempts INTEGER NOT NULL,
  label TEXT,
  score REAL,
  error TEXT,
  PRIMARY KEY(result_id, position)
);
)sql",
// 9: shards. A run keeps the fingerprint of its suite (suite, variants, prices and every case of
// the dataset, whatever the shard) and which shard of how many it ran, so that `merge` can tell
// which runs belong together. A merged run keeps the runs it was merged from (JSON) and whether
// any shard was missing or unfinished (partial).
R"sql(
ALTER TABLE runs ADD COLUMN suite_fingerprint TEXT;
ALTER TABLE runs ADD COLUMN shard_index INTEGER;
ALTER TABLE runs ADD COLUMN shard_count INTEGER;
ALTER TABLE runs ADD COLUMN merged_from TEXT;
ALTER TABLE runs ADD COLUMN partial INTEGER NOT NULL DEFAULT 0;
)sql",
// 10: one process drives a run. Its lease names the process (pid, host, start time: a reused pid
// is another process) and carries a heartbeat the writer refreshes, so a second resume of the
// same run is refused and a run whose process is gone can be taken over.
R"sql(
CREATE TABLE run_leases(
  run_id INTEGER PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
  pid INTEGER NOT NULL,
  host TEXT NOT NULL,
  process_start TEXT NOT NULL,
  started_at TEXT NOT NULL,
  heartbeat_unix INTEGER NOT NULL
);
)sql",
    // 11: results costed from local token counts because the server's usage was missing, not a
    // number, negative or not believable (usage_note says which); their API counts stay NULL.
    R"sql(
ALTER TABLE results ADD COLUMN usage_estimated INTEGER NOT NULL DEFAULT 0;
ALTER TABLE results ADD COLUMN usage_note TEXT;
)sql",
// 12: the rag strategy. A result's prompt tokens by part (instructions, retrieved context, the
// case's own messages; local counts), its retrieval time and query-embedding tokens and cost
// (part of cost_usd), and the passages it was given, best first; a case's gold passages; a
// variant's retrieval settings and what embedding its corpus cost once.
R"sql(
ALTER TABLE results ADD COLUMN instruction_tokens INTEGER;
ALTER TABLE results ADD COLUMN context_tokens INTEGER;
ALTER TABLE results ADD COLUMN case_tokens INTEGER;
ALTER TABLE results ADD COLUMN retrieval_ms REAL;
ALTER TABLE results ADD COLUMN embedding_tokens INTEGER;
ALTER TABLE results ADD COLUMN embedding_cost_usd REAL;
CREATE TABLE retrievals(
  result_id INTEGER NOT NULL REFERENCES results(id) ON DELETE CASCADE,
  rank INTEGER NOT NULL,
  chunk_id TEXT NOT NULL,
  document_id TEXT NOT NULL,
  score REAL NOT NULL,
  tokens INTEGER NOT NULL,
  PRIMARY KEY(result_id, rank)
) WITHOUT ROWID;
ALTER TABLE cases ADD COLUMN gold_json TEXT;
ALTER TABLE variants ADD COLUMN retrieve_json TEXT;
ALTER TABLE variants ADD COLUMN index_embedding_tokens INTEGER;
ALTER TABLE variants ADD COLUMN index_cost_usd REAL;
)sql",
// 13: function calling. The tool calls an answer made ([{"id", "name", "arguments"}], arguments
// as the model wrote them); NULL when it made none. The output column holds the first call's
// arguments, the answer that was scored.
R"sql(
ALTER TABLE results ADD COLUMN tool_calls TEXT;
)sql",
// 14: checkpoint and model sweeps. A variant expanded from `models:` or `checkpoints:` keeps the
// variant the suite wrote (its id is sweep_of@label), the training step and the training loss
// when known; NULL for every other variant.
R"sql(
ALTER TABLE variants ADD COLUMN sweep_of TEXT;
ALTER TABLE variants ADD COLUMN checkpoint_step INTEGER;
ALTER TABLE variants ADD COLUMN training_loss REAL;
)sql"};

}  // namespace tb::store_schema
