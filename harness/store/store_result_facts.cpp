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
      " completion_tokens, latency_ms, ttft_ms, itl_ms, output_tps, usage_estimated,"
      " instruction_tokens, context_tokens, case_tokens, retrieval_ms,"
      " coalesce(embedding_tokens,0), coalesce(embedding_cost_usd,0)"
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
    r.instruction_tokens = int_or_none(20);
    r.context_tokens = int_or_none(21);
    r.case_tokens = int_or_none(22);
    r.retrieval_ms = real_or_none(23);
    r.embedding_tokens = q.int64(24);
    r.embedding_cost_usd = q.real(25);
    fn(r);
  }
}

void Store::for_each_retrieval_facts(long long run_id, const std::string& variant_id,
                                     const std::function<void(const RetrievalFacts&)>& fn) {
  // Passages are few per result (k); one joined scan, grouped here by result.
  auto q = impl_->db.prepare(
      "SELECT r.id, r.case_index, r.repeat, coalesce(c.gold_json,''), t.chunk_id, t.document_id,"
      " r.conformant"
      " FROM results r LEFT JOIN cases c ON c.run_id=r.run_id AND c.case_index=r.case_index"
      " LEFT JOIN retrievals t ON t.result_id=r.id"
      " WHERE r.run_id=? AND r.variant_id=? AND r.retrieval_ms IS NOT NULL"
      " ORDER BY r.case_index, r.repeat, t.rank");
  q.bind(1, run_id).bind(2, variant_id);
  // Views into the row are valid only until the next step: the group keeps its own copies.
  std::vector<std::string> texts;
  std::string gold;
  RetrievalFacts facts;
  long long current = -1;
  auto flush = [&] {
    if (current < 0) return;
    facts.passages.clear();
    for (std::size_t i = 0; i + 1 < texts.size(); i += 2)
      facts.passages.push_back({texts[i], texts[i + 1]});
    facts.gold_json = gold;
    fn(facts);
  };
  while (q.step()) {
    const long long id = q.int64(0);
    if (id != current) {
      flush();
      current = id;
      texts.clear();
      facts.case_index = q.int64(1);
      facts.repeat = static_cast<int>(q.int64(2));
      gold = q.text(3);
      facts.conformant = q.int64(6) != 0;
    }
    if (!q.is_null(4)) {
      texts.push_back(q.text(4));
      texts.push_back(q.text(5));
    }
  }
  flush();
}

std::map<std::string, long long> Store::failed_check_counts(long long run_id,
                                                            const std::string& variant_id) {
  auto q = impl_->db.prepare(
      "SELECT c.name, count(DISTINCT c.result_id) FROM check_outcomes c JOIN results r ON r.id=c.result_id"
      " WHERE r.run_id=? AND r.variant_id=? AND c.passed=0 GROUP BY 1");
  q.bind(1, run_id).bind(2, variant_id);
  std::map<std::string, long long> out;
  while (q.step()) out[q.text(0)] = q.int64(1);
  return out;
}

}  // namespace tb
