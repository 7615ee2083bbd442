#include <string>

#include "store/store_impl.hpp"

namespace tb {
namespace {

// SQL fragments as macros so that queries are joined into single literals at compile time (and
// GCC 12's -Warray-bounds false positives on runtime string concatenation stay away).
// The prompt size a report uses: the API's usage count, else the local tokenizer's.
#define TB_PROMPT_TOKENS "coalesce(prompt_tokens, local_prompt_tokens)"
// Pairs of a variant's and the baseline's results on the same job.
#define TB_PAIRS                                                                      \
  " FROM results v JOIN results b ON b.run_id=v.run_id AND b.case_index=v.case_index" \
  " AND b.repeat=v.repeat AND b.variant_id=? WHERE v.run_id=? AND v.variant_id=?"
#define TB_SAVING                                                                  \
  "(coalesce(b.prompt_tokens, b.local_prompt_tokens) - coalesce(v.prompt_tokens, " \
  "v.local_prompt_tokens))"
#define TB_BOTH_COUNTED                                                                           \
  " AND v.status='ok' AND b.status='ok' AND coalesce(v.prompt_tokens, v.local_prompt_tokens) IS " \
  "NOT NULL"                                                                                      \
  " AND coalesce(b.prompt_tokens, b.local_prompt_tokens) IS NOT NULL"

// Steps a query sorted ascending and keeps the values at the given ascending ranks.
std::vector<double> values_at_ranks(sqlite::Statement& q, const std::vector<long long>& ranks) {
  std::vector<double> out;
  long long index = 0;
  std::size_t next = 0;
  while (next < ranks.size() && q.step()) {
    while (next < ranks.size() && ranks[next] == index) {
      out.push_back(q.real(0));
      ++next;
    }
    ++index;
  }
  return out;
}

const char* column_sql(ResultColumn c) {
  switch (c) {
    case ResultColumn::prompt_tokens:
      return TB_PROMPT_TOKENS;
    case ResultColumn::latency_ms:
      return "latency_ms";
    case ResultColumn::ttft_ms:
      return "ttft_ms";
    case ResultColumn::itl_ms:
      return "itl_ms";
    case ResultColumn::output_tps:
      return "output_tps";
  }
  return "latency_ms";
}

}  // namespace

VariantAggregates Store::variant_aggregates(long long run_id, const std::string& variant_id) {
  auto q = impl_->db.prepare(
      "SELECT count(*), sum(status='ok'), sum(status<>'ok'), sum(conformant), sum(cached), "
      "sum(attempts>1),"
      " total(CASE WHEN status='ok' THEN score END), total(cost_usd),"
      " sum(status='ok' AND " TB_PROMPT_TOKENS
      " IS NOT NULL), total(CASE WHEN status='ok' THEN " TB_PROMPT_TOKENS
      " END),"
      " sum(status='ok' AND prompt_tokens IS NULL AND local_prompt_tokens IS NOT NULL),"
      " total(CASE WHEN status='ok' THEN prompt_chars END),"
      " sum(status='ok' AND completion_tokens IS NOT NULL), total(CASE WHEN status='ok' THEN "
      "completion_tokens END),"
      " total(CASE WHEN status='ok' THEN latency_ms END),"
      " sum(status='ok' AND ttft_ms IS NOT NULL), sum(status='ok' AND itl_ms IS NOT NULL),"
      " sum(status='ok' AND output_tps IS NOT NULL),"
      " sum(prompt_tokens IS NOT NULL AND local_prompt_tokens IS NOT NULL),"
      " sum(prompt_tokens IS NOT NULL AND prompt_tokens=local_prompt_tokens),"
      // The latency fit's sums, over the rows where f (answered, uncached, both counts) holds.
      " total(f), total(f*p), total(f*c), total(f*p*p), total(f*p*c), total(f*c*c), total(f*y),"
      " total(f*p*y), total(f*c*y), total(f*y*y)"
      " FROM (SELECT *, (status='ok' AND cached=0 AND " TB_PROMPT_TOKENS
      " IS NOT NULL AND completion_tokens IS NOT NULL) AS f,"
      " coalesce(CAST(" TB_PROMPT_TOKENS
      " AS REAL), 0) AS p,"
      " coalesce(CAST(completion_tokens AS REAL), 0) AS c, coalesce(latency_ms, 0) AS y"
      " FROM results WHERE run_id=? AND variant_id=?)");
  q.bind(1, run_id).bind(2, variant_id);
  VariantAggregates a;
  if (!q.step()) return a;
  a.results = q.int64(0);
  a.ok = q.int64(1);
  a.errors = q.int64(2);
  a.conformant = q.int64(3);
  a.cached = q.int64(4);
  a.retried = q.int64(5);
  a.score_sum = q.real(6);
  a.cost_sum = q.real(7);
  a.prompt_n = q.int64(8);
  a.prompt_sum = q.real(9);
  a.usage_missing = q.int64(10);
  a.chars_sum = q.real(11);
  a.completion_n = q.int64(12);
  a.completion_sum = q.real(13);
  a.latency_sum = q.real(14);
  a.ttft_n = q.int64(15);
  a.itl_n = q.int64(16);
  a.tps_n = q.int64(17);
  LatencySums& l = a.latency;
  l.n = q.real(20);
  l.p = q.real(21);
  l.c = q.real(22);
  l.pp = q.real(23);
  l.pc = q.real(24);
  l.cc = q.real(25);
  l.y = q.real(26);
  l.py = q.real(27);
  l.cy = q.real(28);
  l.yy = q.real(29);
  a.local_counted = q.int64(18);
  a.local_matches = q.int64(19);
  return a;
}

std::vector<double> Store::ranked_values(long long run_id, const std::string& variant_id,
                                         ResultColumn column, const std::vector<long long>& ranks) {
  if (ranks.empty()) return {};
  const std::string expr = column_sql(column);
  auto q = impl_->db.prepare("SELECT " + expr +
                             " FROM results WHERE run_id=? AND variant_id=? AND status='ok' AND " +
                             expr + " IS NOT NULL ORDER BY " + expr);
  q.bind(1, run_id).bind(2, variant_id);
  return values_at_ranks(q, ranks);
}

OutcomeCounts Store::outcome_counts(long long run_id, const std::string& variant_id) {
  auto q = impl_->db.prepare(
      "SELECT status='ok', error_class, failure_kind, coalesce(failure_path,''), count(*) FROM "
      "results"
      " WHERE run_id=? AND variant_id=? GROUP BY 1, 2, 3, 4");
  q.bind(1, run_id).bind(2, variant_id);
  OutcomeCounts out;
  while (q.step()) {
    const long long n = q.int64(4);
    if (q.int64(0) == 0) {
      out.error_classes[q.text(1)] += n;
      continue;
    }
    const std::string kind = q.text(2);
    if (kind == "none") continue;
    out.failure_kinds[kind] += n;
    const std::string path = q.text(3);
    if (!path.empty()) out.failure_paths[kind + " " + path] += n;
  }
  return out;
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

PairedAggregates Store::paired_with(long long run_id, const std::string& variant_id,
                                    const std::string& baseline_id) {
  // One pass over the pairs: the sums over pairs whose prompts were both counted, the discordant
  // conformance counts over all of them.
  auto q = impl_->db.prepare(
      "SELECT total(counted), total(CASE WHEN counted THEN bp END), total(CASE WHEN counted THEN "
      "vp END),"
      " total(CASE WHEN counted THEN bp - vp END), total(CASE WHEN counted THEN (bp - vp) * (bp - "
      "vp) END),"
      " total(vc=1 AND bc=0), total(vc=0 AND bc=1) FROM (SELECT v.conformant AS vc, b.conformant "
      "AS bc,"
      " coalesce(b.prompt_tokens, b.local_prompt_tokens) AS bp, coalesce(v.prompt_tokens, "
      "v.local_prompt_tokens) AS vp,"
      " (v.status='ok' AND b.status='ok' AND coalesce(v.prompt_tokens, v.local_prompt_tokens) IS "
      "NOT NULL"
      " AND coalesce(b.prompt_tokens, b.local_prompt_tokens) IS NOT NULL) AS counted" TB_PAIRS ")");
  q.bind(1, baseline_id).bind(2, run_id).bind(3, variant_id);
  PairedAggregates p;
  if (q.step()) {
    p.pairs = static_cast<long long>(q.real(0));
    p.baseline_sum = q.real(1);
    p.variant_sum = q.real(2);
    p.saving_sum = q.real(3);
    p.saving_sq_sum = q.real(4);
    p.only_variant_passed = static_cast<long long>(q.real(5));
    p.only_baseline_passed = static_cast<long long>(q.real(6));
  }
  return p;
}

std::vector<double> Store::ranked_savings(long long run_id, const std::string& variant_id,
                                          const std::string& baseline_id,
                                          const std::vector<long long>& ranks) {
  if (ranks.empty()) return {};
  auto q = impl_->db.prepare("SELECT " TB_SAVING " AS s" TB_PAIRS TB_BOTH_COUNTED " ORDER BY s");
  q.bind(1, baseline_id).bind(2, run_id).bind(3, variant_id);
  return values_at_ranks(q, ranks);
}

void Store::for_each_saving(long long run_id, const std::string& variant_id,
                            const std::string& baseline_id, const std::function<void(double)>& fn) {
  auto q = impl_->db.prepare("SELECT " TB_SAVING TB_PAIRS TB_BOTH_COUNTED
                             " ORDER BY v.case_index, v.repeat");
  q.bind(1, baseline_id).bind(2, run_id).bind(3, variant_id);
  while (q.step()) fn(q.real(0));
}

}  // namespace tb
