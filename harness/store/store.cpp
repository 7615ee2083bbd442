#include "store/store.hpp"

#include <algorithm>
#include <limits>

#include "common/case_identity.hpp"
#include "store/run_lease.hpp"
#include "store/schema.hpp"
#include "store/store_impl.hpp"
#include "store/variant_sweep.hpp"

namespace tb {

Store::Store(const std::filesystem::path& path, bool create, Check check) : path_(path) {
  std::error_code ec;
  const bool existed =
      std::filesystem::exists(path, ec) && std::filesystem::file_size(path, ec) > 0;
  if (!create && !existed)
    throw StoreError("no database at " + path.string() +
                     " (run `tunebench run SUITE` first, or pass --db)");
  impl_ = std::make_unique<Impl>(path.string(), create);
  if (existed && check == Check::quick) check_sound();
  migrate();
}

Store::~Store() = default;

// A damaged file is refused before anything is read from it or written to it: garbage in its
// middle could otherwise give a report of zeros, or a run stored into pages that are not there.
void Store::check_sound() {
  auto q = impl_->db.prepare("PRAGMA quick_check(1)");
  std::string first = q.step() ? q.text(0) : "no answer";
  // One line: SQLite puts "*** in database main ***" and the first finding in one row.
  for (std::size_t at = 0; (at = first.find('\n', at)) != std::string::npos;)
    first.replace(at, 1, ": ");
  if (first != "ok")
    throw StoreError(path_.string() + " is damaged (PRAGMA quick_check: " + first +
                         "); nothing was read from it or written to it. `tunebench doctor --db " +
                         path_.string() +
                         "` says more; restore it from a copy, or pass --db for a new database",
                     StoreFailure::damaged);
}

void Store::migrate() {
  auto& db = impl_->db;
  {
    // Most opens find the current version: a read, with no write lock taken (a reader must not
    // wait for a writer, nor block one).
    auto has_table = db.prepare(
        "SELECT count(*) FROM sqlite_master WHERE type='table' AND name='schema_version'");
    if (has_table.step() && has_table.int64(0) == 1) {
      auto q = db.prepare("SELECT version FROM schema_version");
      if (q.step() && q.int64(0) == kSchemaVersion) return;
    }
  }
  db.exec("BEGIN IMMEDIATE");
  try {
    db.exec("CREATE TABLE IF NOT EXISTS schema_version(version INTEGER NOT NULL)");
    auto q = db.prepare("SELECT version FROM schema_version");
    int version = 0;
    bool has_row = q.step();
    if (has_row) version = static_cast<int>(q.int64(0));
    q.reset();
    if (version > kSchemaVersion)
      throw StoreError(path_.string() + " was written by a newer tunebench (schema " +
                       std::to_string(version) + ", this one knows " +
                       std::to_string(kSchemaVersion) + ")");
    for (int v = version; v < kSchemaVersion; ++v) {
      db.exec(store_schema::kMigrations[v]);
      if (v + 1 == 6) rename_line_numbered_cases();
    }
    if (!has_row) db.prepare("INSERT INTO schema_version(version) VALUES(?)").bind(1, kSchemaVersion).run();
    else if (version != kSchemaVersion) db.prepare("UPDATE schema_version SET version=?").bind(1, kSchemaVersion).run();
    db.exec("COMMIT");
  } catch (...) {
    db.rollback();
    throw;
  }
}

// Before v6 a case without an id in its line was named "line-N"; it is renamed to the id the
// dataset reader now gives it (from its stored messages), so that compare pairs old runs with
// new ones by what the case is, not where it was.
void Store::rename_line_numbered_cases() {
  auto& db = impl_->db;
  auto select = db.prepare("SELECT run_id, case_index, messages_json FROM cases WHERE case_id = 'line-' || line");
  auto update = db.prepare("UPDATE cases SET case_id=? WHERE run_id=? AND case_index=?");
  while (select.step())
    update.bind(1, case_id_of_messages(select.text(2))).bind(2, select.int64(0)).bind(3, select.int64(1)).run();
}

long long Store::create_run(const RunRecord& run, const std::vector<VariantRecord>& variants) {
  auto& db = impl_->db;
  db.exec("BEGIN IMMEDIATE");
  try {
    auto insert = db.prepare(
        "INSERT INTO runs(suite_name, suite_file, suite_json, dataset_file, baseline, started_at,"
        " status, simulated, total_jobs, cases, repeats, monthly_requests, tool_version,"
        " price_catalog, dataset_fingerprint, finished_at, suite_fingerprint, shard_index,"
        " shard_count,"
        " merged_from, partial) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    insert.bind(1, run.suite_name).bind(2, run.suite_file).bind(3, run.suite_json)
        .bind(4, run.dataset_file).bind(5, run.baseline).bind(6, run.started_at)
        .bind(7, run.status).bind(8, run.simulated ? 1 : 0).bind(9, run.total_jobs)
        .bind(10, run.cases).bind(11, run.repeats).bind(12, run.monthly_requests)
        .bind(13, run.tool_version).bind(14, run.price_catalog).bind(15, run.dataset_fingerprint);
    if (run.finished_at.empty())
      insert.bind_null(16);
    else
      insert.bind(16, run.finished_at);
    insert.bind(17, run.suite_fingerprint);
    if (run.shard_index)
      insert.bind(18, *run.shard_index);
    else
      insert.bind_null(18);
    if (run.shard_count > 0)
      insert.bind(19, run.shard_count);
    else
      insert.bind_null(19);
    if (run.merged_from.empty())
      insert.bind_null(20);
    else
      insert.bind(20, run.merged_from);
    insert.bind(21, run.partial ? 1 : 0);
    insert.run();
    const long long id = db.last_insert_id();
    run_lease::take(db, id);
    auto v = db.prepare(
        "INSERT INTO variants(run_id, id, position, kind, endpoint, endpoint_kind, base_url, model,"
        " system_prompt, params_json, price_input, price_cached_input, price_output, price_training,"
        " training_tokens, training_epochs, training_cost_usd, simulated, is_baseline,"
        " retrieve_json, index_embedding_tokens, index_cost_usd)"
        " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    for (const auto& r : variants) {
      v.bind(1, id)
          .bind(2, r.id)
          .bind(3, r.position)
          .bind(4, r.kind)
          .bind(5, r.endpoint)
          .bind(6, r.endpoint_kind)
          .bind(7, r.base_url)
          .bind(8, r.model)
          .bind(9, r.system_prompt)
          .bind(10, r.params_json)
          .bind(11, r.price_input)
          .bind(12, r.price_cached_input)
          .bind(13, r.price_output)
          .bind(14, r.price_training)
          .bind(15, r.training_tokens)
          .bind(16, r.training_epochs)
          .bind(17, r.training_cost_usd)
          .bind(18, r.simulated ? 1 : 0)
          .bind(19, r.is_baseline ? 1 : 0);
      if (r.retrieve_json.empty()) {
        v.bind_null(20).bind_null(21).bind_null(22);
      } else {
        v.bind(20, r.retrieve_json).bind(21, r.index_embedding_tokens).bind(22, r.index_cost_usd);
      }
      v.run();
    }
    variant_sweep::write(db, id, variants);
    db.exec("COMMIT");
    return id;
  } catch (...) {
    db.rollback();
    throw;
  }
}

void Store::set_run_status(long long run_id, std::string_view status, bool finished) {
  auto q = impl_->db.prepare(
      finished
          ? "UPDATE runs SET status=?, finished_at=strftime('%Y-%m-%dT%H:%M:%SZ','now') WHERE id=?"
          : "UPDATE runs SET status=? WHERE id=?");
  q.bind(1, status).bind(2, run_id).run();
  if (finished) release_lease(run_id);
}

namespace {

constexpr std::string_view kRunColumns =
    "id, suite_name, suite_file, suite_json, dataset_file, baseline, started_at,"
    " coalesce(finished_at,''), status, simulated, total_jobs, cases, repeats, monthly_requests,"
    " tool_version, price_catalog, coalesce(dataset_fingerprint,''), coalesce(gate_status,''),"
    " coalesce(suite_fingerprint,''), shard_index, coalesce(shard_count,0),"
    " coalesce(merged_from,''), partial";

RunRecord read_run(const sqlite::Statement& q) {
  RunRecord r;
  r.id = q.int64(0);
  r.suite_name = q.text(1);
  r.suite_file = q.text(2);
  r.suite_json = q.text(3);
  r.dataset_file = q.text(4);
  r.baseline = q.text(5);
  r.started_at = q.text(6);
  r.finished_at = q.text(7);
  r.status = q.text(8);
  r.simulated = q.int64(9) != 0;
  r.total_jobs = q.int64(10);
  r.cases = q.int64(11);
  r.repeats = static_cast<int>(q.int64(12));
  r.monthly_requests = q.int64(13);
  r.tool_version = q.text(14);
  r.price_catalog = q.text(15);
  r.dataset_fingerprint = q.text(16);
  r.gate_status = q.text(17);
  r.suite_fingerprint = q.text(18);
  if (!q.is_null(19)) r.shard_index = static_cast<int>(q.int64(19));
  r.shard_count = static_cast<int>(q.int64(20));
  r.merged_from = q.text(21);
  r.partial = q.int64(22) != 0;
  return r;
}

}  // namespace

std::optional<RunRecord> Store::run(long long id) {
  auto q = impl_->db.prepare("SELECT " + std::string(kRunColumns) + " FROM runs WHERE id=?");
  q.bind(1, id);
  if (!q.step()) return std::nullopt;
  RunRecord r = read_run(q);
  q.reset();
  derive_status(r);
  return r;
}

std::optional<long long> Store::latest_run_id() {
  auto q = impl_->db.prepare("SELECT max(id) FROM runs");
  if (!q.step() || q.is_null(0)) return std::nullopt;
  return q.int64(0);
}

long long Store::superseded_results(long long run_id) {
  auto q = impl_->db.prepare("SELECT count(*) FROM result_history WHERE run_id=?");
  q.bind(1, run_id);
  return q.step() ? q.int64(0) : 0;
}

std::vector<RunRecord> Store::runs(int limit) {
  auto q = impl_->db.prepare("SELECT " + std::string(kRunColumns) +
                             " FROM runs ORDER BY id DESC LIMIT ?");
  q.bind(1, limit);
  std::vector<RunRecord> out;
  while (q.step()) out.push_back(read_run(q));
  q.reset();
  for (auto& r : out) derive_status(r);
  return out;
}

std::vector<VariantRecord> Store::variants(long long run_id) {
  auto q = impl_->db.prepare(
      "SELECT id, position, kind, endpoint, endpoint_kind, base_url, model,"
      " coalesce(system_prompt,''), params_json, price_input, price_cached_input, price_output,"
      " price_training, training_tokens, training_epochs, training_cost_usd, simulated, is_baseline,"
      " coalesce(retrieve_json,''), coalesce(index_embedding_tokens,0), coalesce(index_cost_usd,0)"
      " FROM variants WHERE run_id=? ORDER BY position");
  q.bind(1, run_id);
  std::vector<VariantRecord> out;
  while (q.step()) {
    VariantRecord v;
    v.id = q.text(0);
    v.position = static_cast<int>(q.int64(1));
    v.kind = q.text(2);
    v.endpoint = q.text(3);
    v.endpoint_kind = q.text(4);
    v.base_url = q.text(5);
    v.model = q.text(6);
    v.system_prompt = q.text(7);
    v.params_json = q.text(8);
    v.price_input = q.real(9);
    v.price_cached_input = q.real(10);
    v.price_output = q.real(11);
    if (!q.is_null(12)) v.price_training = q.real(12);
    v.training_tokens = q.int64(13);
    v.training_epochs = static_cast<int>(q.int64(14));
    if (!q.is_null(15)) v.training_cost_usd = q.real(15);
    v.simulated = q.int64(16) != 0;
    v.is_baseline = q.int64(17) != 0;
    v.retrieve_json = q.text(18);
    v.index_embedding_tokens = q.int64(19);
    v.index_cost_usd = q.real(20);
    out.push_back(std::move(v));
  }
  q.reset();
  variant_sweep::read(impl_->db, run_id, out);
  return out;
}

std::optional<CaseRecord> Store::test_case(long long run_id, long long case_index) {
  auto q = impl_->db.prepare(
      "SELECT case_id, line, messages_json, coalesce(reference,''), coalesce(tags,''),"
      " coalesce(content_hash,''), coalesce(gold_json,'') FROM cases WHERE run_id=? AND case_index=?");
  q.bind(1, run_id).bind(2, case_index);
  if (!q.step()) return std::nullopt;
  CaseRecord c;
  c.run_id = run_id;
  c.case_index = case_index;
  c.case_id = q.text(0);
  c.line = static_cast<int>(q.int64(1));
  c.messages_json = q.text(2);
  c.reference = q.text(3);
  c.tags = q.text(4);
  c.content_hash = q.text(5);
  c.gold_json = q.text(6);
  return c;
}

long long Store::supersede_results(long long run_id, const Supersede& which) {
  if (which.cases.empty() && !which.from_case && !which.errors_only) return 0;
  std::string cases;
  for (const long long c : which.cases) cases += (cases.empty() ? "" : ",") + std::to_string(c);
  // The rows concerned, with their columns prefixed by `t` ("r." in the join below).
  const auto rows = [&](const std::string& t) {
    std::string w = t + "run_id=" + std::to_string(run_id);
    if (which.errors_only) w += " AND " + t + "status<>'ok'";
    if (!which.cases.empty() || which.from_case) {
      w += " AND (" + (which.cases.empty() ? std::string("0") : t + "case_index IN (" + cases + ")");
      if (which.from_case) w += " OR " + t + "case_index>=" + std::to_string(*which.from_case);
      w += ")";
    }
    return w;
  };
  auto& db = impl_->db;
  db.exec("BEGIN IMMEDIATE");
  try {
    // The whole row, its bodies and its check outcomes, as one JSON text: nothing is lost.
    db.exec(
        "INSERT INTO result_history(result_id, run_id, variant_id, case_index, repeat, status, error_class,"
        " error_message, http_status, attempts, cost_usd, created_at, superseded_at, row_json)"
        " SELECT r.id, r.run_id, r.variant_id, r.case_index, r.repeat, r.status, r.error_class, r.error_message,"
        " r.http_status, r.attempts, r.cost_usd, r.created_at, strftime('%Y-%m-%dT%H:%M:%SZ','now'),"
        " json_object('output', r.output, 'finish_reason', r.finish_reason, 'prompt_tokens', r.prompt_tokens,"
        "  'completion_tokens', r.completion_tokens, 'latency_ms', r.latency_ms, 'conformant', r.conformant,"
        "  'score', r.score, 'failure_kind', r.failure_kind, 'request_json', b.request_json,"
        "  'response_body', b.response_body, 'checks', (SELECT json_group_array(json_object('name', c.name,"
        "  'passed', c.passed, 'detail', c.detail)) FROM check_outcomes c WHERE c.result_id=r.id),"
        "  'retrieved', (SELECT json_group_array(json_object('chunk_id', t.chunk_id, 'score', t.score))"
        "  FROM retrievals t WHERE t.result_id=r.id))"
        " FROM results r LEFT JOIN result_bodies b ON b.result_id=r.id WHERE " + rows("r."));
    const long long moved = db.changes();
    const std::string ids = "(SELECT id FROM results WHERE " + rows("") + ")";
    db.exec("DELETE FROM check_outcomes WHERE result_id IN " + ids);
    db.exec("DELETE FROM result_bodies WHERE result_id IN " + ids);
    db.exec("DELETE FROM retrievals WHERE result_id IN " + ids);
    db.exec("DELETE FROM results WHERE " + rows(""));
    // A changed case is stored again, with its new messages, when its jobs are sent.
    if (!which.cases.empty() || which.from_case) {
      std::string w = "run_id=" + std::to_string(run_id) + " AND (" +
                      (which.cases.empty() ? std::string("0") : "case_index IN (" + cases + ")");
      if (which.from_case) w += " OR case_index>=" + std::to_string(*which.from_case);
      db.exec("DELETE FROM cases WHERE " + w + ")");
    }
    db.exec("COMMIT");
    return moved;
  } catch (...) {
    db.rollback();
    throw;
  }
}

void Store::for_each_case(long long run_id, const std::function<void(const CaseRecord&)>& fn) {
  auto q = impl_->db.prepare(
      "SELECT case_index, case_id, line, coalesce(content_hash,'') FROM cases WHERE run_id=? ORDER BY case_index");
  q.bind(1, run_id);
  CaseRecord c;
  c.run_id = run_id;
  while (q.step()) {
    c.case_index = q.int64(0);
    c.case_id = q.text(1);
    c.line = static_cast<int>(q.int64(2));
    c.content_hash = q.text(3);
    fn(c);
  }
}

void Store::update_run_shape(long long run_id, long long cases, long long total_jobs,
                             const std::string& fingerprint, const std::string& suite_fingerprint) {
  impl_->db
      .prepare(
          "UPDATE runs SET cases=?, total_jobs=?, dataset_fingerprint=?, suite_fingerprint=?"
          " WHERE id=?")
      .bind(1, cases)
      .bind(2, total_jobs)
      .bind(3, fingerprint)
      .bind(4, suite_fingerprint)
      .bind(5, run_id)
      .run();
}

std::optional<CacheRecord> Store::cache_lookup(const std::string& key) {
  auto& q = impl_->cache_query;
  if (!q.valid())
    q = impl_->db.prepare(
        "SELECT status, body, latency_ms, coalesce(ttft_ms,-1), coalesce(itl_ms,-1),"
        " coalesce(output_tps,-1) FROM response_cache WHERE key=?");
  q.bind(1, key);
  std::optional<CacheRecord> out;
  if (q.step()) {
    CacheRecord c;
    c.key = key;
    c.status = static_cast<int>(q.int64(0));
    c.body = q.text(1);
    c.latency_ms = q.real(2);
    c.ttft_ms = q.real(3);
    c.itl_ms = q.real(4);
    c.output_tps = q.real(5);
    out = std::move(c);
  }
  q.reset();
  return out;
}

long long Store::integrity_problems() {
  auto q = impl_->db.prepare("PRAGMA integrity_check");
  long long problems = 0;
  while (q.step())
    if (q.text(0) != "ok") ++problems;
  return problems;
}

std::vector<std::string> Store::integrity_check(int limit) {
  auto q = impl_->db.prepare("PRAGMA integrity_check(" + std::to_string(std::max(1, limit)) + ")");
  std::vector<std::string> lines;
  while (q.step()) lines.push_back(q.text(0));
  return lines;
}

}  // namespace tb
