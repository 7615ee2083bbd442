#include "store/result_facts.hpp"
#include "store/store_impl.hpp"

namespace tb {

void Store::for_each_result_facts(long long run_id, const std::string& variant_id,
                                  const std::function<void(const ResultFacts&)>& fn) {
  // The unique (run, variant, case, repeat) index gives the order; the summary's sums are
  // taken in it, so they come out the same on every read of the run.
  auto q = impl_->db.prepare(
      "SELECT case_index, repeat, status='ok', error_class, failure_kind, "
      "coalesce(failure_path,''),"
      " conformant, cached, attempts, score, cost_usd, prompt_tokens, local_prompt_tokens, "
      "prompt_chars,"
      " completion_tokens, latency_ms, ttft_ms, itl_ms, output_tps, usage_estimated"
      " FROM results WHERE run_id=? AND variant_id=? ORDER BY case_index, repeat");
  q.bind(1, run_id).bind(2, variant_id);
  auto int_or_none = [&](int col) -> std::optional<long long> {
    if (q.is_null(col)) return std::nullopt;
    return q.int64(col);
  };
  auto real_or_none = [&](int col) -> std::optional<double> {
    if (q.is_null(col)) return std::nullopt;
    return q.real(col);
  };
  ResultFacts r;
  while (q.step()) {
    r.case_index = q.int64(0);
    r.repeat = static_cast<int>(q.int64(1));
    r.ok = q.int64(2) != 0;
    r.error_class = q.text_view(3);
    r.failure_kind = q.text_view(4);
    r.failure_path = q.text_view(5);
    r.conformant = q.int64(6) != 0;
    r.cached = q.int64(7) != 0;
    r.attempts = static_cast<int>(q.int64(8));
    r.score = q.real(9);
    r.cost_usd = q.real(10);
    r.prompt_tokens = int_or_none(11);
    r.local_prompt_tokens = int_or_none(12);
    r.prompt_chars = int_or_none(13);
    r.completion_tokens = int_or_none(14);
    r.latency_ms = real_or_none(15);
    r.ttft_ms = real_or_none(16);
    r.itl_ms = real_or_none(17);
    r.output_tps = real_or_none(18);
    r.usage_estimated = q.int64(19) != 0;
    fn(r);
  }
}

std::map<std::string, long long> Store::failed_check_counts(long long run_id,
                                                            const std::string& variant_id) {
  auto q = impl_->db.prepare(
      "SELECT c.name, count(*) FROM check_outcomes c JOIN results r ON r.id=c.result_id"
      " WHERE r.run_id=? AND r.variant_id=? AND c.passed=0 GROUP BY 1");
  q.bind(1, run_id).bind(2, variant_id);
  std::map<std::string, long long> out;
  while (q.step()) out[q.text(0)] = q.int64(1);
  return out;
}

}  // namespace tb
