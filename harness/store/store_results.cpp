#include "store/store.hpp"

#include "store/store_impl.hpp"

// Reading results back: counts, the jobs a resume skips, and the one full reader every
// report, compare and export draws its figures from.
namespace tb {

void Store::for_each_case_id(
    long long run_id,
    const std::function<void(long long case_index, std::string_view case_id)>& fn) {
  auto q =
      impl_->db.prepare("SELECT case_index, case_id FROM cases WHERE run_id=? ORDER BY case_index");
  q.bind(1, run_id);
  while (q.step()) fn(q.int64(0), q.text(1));
}

long long Store::count_results(long long run_id) {
  auto q = impl_->db.prepare("SELECT count(*) FROM results WHERE run_id=?");
  q.bind(1, run_id);
  q.step();
  return q.int64(0);
}

std::vector<std::tuple<std::string, long long, int>> Store::completed_jobs(long long run_id) {
  auto q = impl_->db.prepare("SELECT variant_id, case_index, repeat FROM results WHERE run_id=?");
  q.bind(1, run_id);
  std::vector<std::tuple<std::string, long long, int>> out;
  while (q.step()) out.emplace_back(q.text(0), q.int64(1), static_cast<int>(q.int64(2)));
  return out;
}

void Store::for_each_result(long long run_id, const ResultQuery& query,
                            const std::function<void(const ResultRecord&)>& fn) {
  std::string sql =
      "SELECT r.id, r.variant_id, r.case_index, r.repeat, r.status, r.error_class,"
      " coalesce(r.error_message,''), coalesce(r.http_status,0), coalesce(r.output,''),"
      " coalesce(r.finish_reason,''), coalesce(r.prompt_tokens,-1), "
      "coalesce(r.completion_tokens,-1),"
      " coalesce(r.cached_tokens,0), coalesce(r.prompt_chars,0), "
      "coalesce(r.local_prompt_tokens,-1),"
      " coalesce(r.latency_ms,0), coalesce(r.ttft_ms,-1), r.attempts, r.cost_usd, r.conformant,"
      " r.score, r.created_at, coalesce(r.itl_ms,-1), coalesce(r.output_tps,-1), r.cached,"
      " r.failure_kind, coalesce(r.failure_path,'')";
  sql += query.with_bodies ? ", coalesce(b.request_json,''), coalesce(b.response_body,'')"
                           : ", '', ''";  // 27, 28
  sql +=
      ", coalesce(c.case_id,''), r.usage_estimated, coalesce(r.usage_note,''),"  // 29, 30, 31
      " coalesce(r.instruction_tokens,-1), coalesce(r.context_tokens,-1),"
      " coalesce(r.case_tokens,-1), coalesce(r.retrieval_ms,-1), coalesce(r.embedding_tokens,0),"
      " coalesce(r.embedding_cost_usd,0), coalesce(r.tool_calls,'')";  // 32..38
  sql +=
      " FROM results r JOIN variants v ON v.run_id=r.run_id AND v.id=r.variant_id"
      " LEFT JOIN cases c ON c.run_id=r.run_id AND c.case_index=r.case_index";
  if (query.with_bodies) sql += " LEFT JOIN result_bodies b ON b.result_id=r.id";
  sql += " WHERE r.run_id=?";
  if (!query.variant_id.empty()) sql += " AND r.variant_id=?";
  if (query.only_failing) sql += " AND (r.status<>'ok' OR r.conformant=0)";
  if (query.case_index >= 0) sql += " AND r.case_index=" + std::to_string(query.case_index);
  sql += " ORDER BY v.position, r.case_index, r.repeat";
  if (query.limit >= 0) sql += " LIMIT " + std::to_string(query.limit);
  auto q = impl_->db.prepare(sql);
  q.bind(1, run_id);
  if (!query.variant_id.empty()) q.bind(2, query.variant_id);
  auto checks = impl_->db.prepare(
      "SELECT name, type, passed, required, weight, score, coalesce(detail,'')"
      " FROM check_outcomes WHERE result_id=? ORDER BY position");
  auto retrieved = impl_->db.prepare(
      "SELECT chunk_id, document_id, score, tokens FROM retrievals WHERE result_id=? ORDER BY "
      "rank");
  ResultRecord r;
  while (q.step()) {
    r.id = q.int64(0);
    r.run_id = run_id;
    r.variant_id = q.text(1);
    r.case_index = q.int64(2);
    r.repeat = static_cast<int>(q.int64(3));
    r.status = q.text(4);
    r.error_class = q.text(5);
    r.error_message = q.text(6);
    r.http_status = static_cast<int>(q.int64(7));
    r.output = q.text(8);
    r.finish_reason = q.text(9);
    r.prompt_tokens = q.int64(10);
    r.completion_tokens = q.int64(11);
    r.cached_tokens = q.int64(12);
    r.prompt_chars = q.int64(13);
    r.local_prompt_tokens = q.int64(14);
    r.latency_ms = q.real(15);
    r.ttft_ms = q.real(16);
    r.attempts = static_cast<int>(q.int64(17));
    r.cost_usd = q.real(18);
    r.conformant = q.int64(19) != 0;
    r.score = q.real(20);
    r.created_at = q.text(21);
    r.itl_ms = q.real(22);
    r.output_tps = q.real(23);
    r.cached = q.int64(24) != 0;
    r.failure_kind = q.text(25);
    r.failure_path = q.text(26);
    r.request_json = q.text(27);
    r.response_body = q.text(28);
    r.case_id = q.text(29);
    r.usage_estimated = q.int64(30) != 0;
    r.usage_note = q.text(31);
    r.instruction_tokens = q.int64(32);
    r.context_tokens = q.int64(33);
    r.case_tokens = q.int64(34);
    r.retrieval_ms = q.real(35);
    r.embedding_tokens = q.int64(36);
    r.embedding_cost_usd = q.real(37);
    r.tool_calls = q.text(38);
    r.retrieved.clear();
    if (query.with_retrievals && r.retrieval_ms >= 0) {
      retrieved.bind(1, r.id);
      while (retrieved.step())
        r.retrieved.push_back(
            {retrieved.text(0), retrieved.text(1), retrieved.real(2), retrieved.int64(3)});
      retrieved.reset();
    }
    r.checks.clear();
    if (query.with_checks) {
      checks.bind(1, r.id);
      while (checks.step())
        r.checks.push_back({checks.text(0), checks.text(1), checks.int64(2) != 0,
                            checks.int64(3) != 0, checks.real(4), checks.real(5), checks.text(6)});
      checks.reset();
    }
    fn(r);
  }
}

}  // namespace tb
