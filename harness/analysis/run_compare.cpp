#include "analysis/run_compare.hpp"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "analysis/run_reference.hpp"
#include "common/hash.hpp"
#include "store/result_facts.hpp"
#include "store/store.hpp"

namespace tb {

namespace {

// A variant's results on one side, folded per case: 48 bytes a case, so two sides of a million
// cases stay well under 200 MB (the sums of a case's few repeats fit a float).
struct CaseTally {
  std::uint64_t key = 0;  // hash of the case id and its occurrence
  std::uint32_t case_index = 0;
  CaseOutcome outcome;
  std::uint32_t answered = 0;
  std::uint32_t prompt_n = 0;
  float score_sum = 0;  // over answered results
  float prompt_sum = 0;
  double cost_sum = 0;  // over every result
};

// Per-case differences b - a of one figure: their sums, and their values while few enough to
// bootstrap (5,000 cases); above that the normal approximation needs only the sums.
class DifferenceTally {
 public:
  void add(double a, double b) {
    const double d = b - a;
    ++n_;
    sa_ += a;
    sb_ += b;
    sd_ += d;
    sq_ += d * d;
    if (n_ <= kBootstrapLimit) diffs_.push_back(d);
    else std::vector<double>().swap(diffs_);
  }
  Difference finish() const {
    Difference d;
    if (n_ == 0) return d;
    const double n = static_cast<double>(n_);
    d.known = true;
    d.a = sa_ / n;
    d.b = sb_ / n;
    d.diff = sd_ / n;
    d.ci = n_ <= kBootstrapLimit ? bootstrap_mean_interval(diffs_) : normal_mean_interval(n, sd_, sq_);
    return d;
  }

 private:
  static constexpr long long kBootstrapLimit = 5000;
  long long n_ = 0;
  double sa_ = 0, sb_ = 0, sd_ = 0, sq_ = 0;
  std::vector<double> diffs_;
};

struct SideTally {
  std::vector<CaseTally> cases;  // sorted by key once read
  std::vector<double> latency;   // per answered request, sorted once read
  std::map<std::string, long long> failure_kinds, failure_paths;
  long long results = 0, conformant = 0;
};

// Case index -> key: the id's hash, mixed with how many earlier cases share the id (the same
// question twice without an id pairs in order of appearance).
std::vector<std::uint64_t> case_keys(Store& store, long long run_id) {
  std::vector<std::pair<std::uint64_t, std::uint32_t>> by_hash;
  store.for_each_case_id(run_id, [&](long long index, std::string_view id) {
    by_hash.emplace_back(fnv1a64(id), static_cast<std::uint32_t>(index));
  });
  std::sort(by_hash.begin(), by_hash.end());
  std::vector<std::uint64_t> keys;
  for (std::size_t i = 0; i < by_hash.size(); ++i) {
    std::uint64_t occurrence = 0;
    for (std::size_t j = i; j > 0 && by_hash[j - 1].first == by_hash[i].first; --j) ++occurrence;
    const auto index = by_hash[i].second;
    if (keys.size() <= index) keys.resize(index + 1, 0);
    keys[index] = occurrence == 0 ? by_hash[i].first : mix64(by_hash[i].first, occurrence);
  }
  return keys;
}

SideTally tally_side(Store& store, long long run_id, const std::string& variant,
                     const std::vector<std::uint64_t>& keys) {
  SideTally side;
  store.for_each_result_facts(run_id, variant, [&](const ResultFacts& r) {
    if (side.cases.empty() || side.cases.back().case_index != static_cast<std::uint32_t>(r.case_index)) {
      CaseTally t;
      t.case_index = static_cast<std::uint32_t>(r.case_index);
      const auto i = static_cast<std::size_t>(r.case_index);
      t.key = i < keys.size() && keys[i] != 0 ? keys[i] : mix64(0x5eed, i);  // a case row is missing
      side.cases.push_back(t);
    }
    CaseTally& t = side.cases.back();
    ++side.results;
    side.conformant += r.conformant;
    ++t.outcome.runs;
    t.outcome.passed += r.conformant;
    t.cost_sum += r.cost_usd;
    if (!r.ok) return;
    ++t.answered;
    t.score_sum += static_cast<float>(r.score);
    const auto prompt = r.prompt_tokens ? r.prompt_tokens : r.local_prompt_tokens;
    if (prompt) {
      ++t.prompt_n;
      t.prompt_sum += static_cast<float>(*prompt);
    }
    if (r.latency_ms && !r.cached) side.latency.push_back(*r.latency_ms);
    if (r.failure_kind != "none") {
      ++side.failure_kinds[std::string(r.failure_kind)];
      if (!r.failure_path.empty())
        ++side.failure_paths[std::string(r.failure_kind) + " " + std::string(r.failure_path)];
    }
  });
  std::sort(side.cases.begin(), side.cases.end(), [](const CaseTally& x, const CaseTally& y) { return x.key < y.key; });
  std::sort(side.latency.begin(), side.latency.end());
  return side;
}

bool passes(const CaseOutcome& o) {
  return o.runs > 0 && 2 * o.passed > o.runs;
}

// A percentile of each side's requests and the difference, with a conservative interval: each
// side's distribution-free 97.5% interval, combined at their extremes (at least 95% jointly).
Difference quantile_difference(const std::vector<double>& a, const std::vector<double>& b, double p) {
  Difference d;
  if (a.empty() || b.empty()) return d;
  d.known = true;
  d.a = sorted_percentile(a, p);
  d.b = sorted_percentile(b, p);
  d.diff = d.b - d.a;
  const Interval ia = quantile_interval(a, p, 0.975), ib = quantile_interval(b, p, 0.975);
  d.ci = {ib.low - ia.high, ib.high - ia.low};
  return d;
}

std::string case_id_of(Store& store, long long run_id, long long case_index) {
  const auto c = store.test_case(run_id, case_index);
  return c ? c->case_id : "#" + std::to_string(case_index);
}

VariantComparison compare_variant(const RunSide& a, const RunSide& b, const std::string& av, const std::string& bv,
                                  const std::vector<std::uint64_t>& a_keys, const std::vector<std::uint64_t>& b_keys) {
  VariantComparison out;
  out.a_variant = av;
  out.b_variant = bv;
  SideTally sa = tally_side(*a.store, a.run_id, av, a_keys);
  SideTally sb = tally_side(*b.store, b.run_id, bv, b_keys);
  out.a_results = sa.results;
  out.b_results = sb.results;
  out.conformance_a = sa.results ? static_cast<double>(sa.conformant) / sa.results : 0;
  out.conformance_b = sb.results ? static_cast<double>(sb.conformant) / sb.results : 0;

  std::vector<PairedCase> paired;
  DifferenceTally score, cost, prompt;
  std::size_t i = 0, j = 0;
  while (i < sa.cases.size() || j < sb.cases.size()) {
    if (j == sb.cases.size() || (i < sa.cases.size() && sa.cases[i].key < sb.cases[j].key)) {
      ++out.only_in_a;
      ++i;
      continue;
    }
    if (i == sa.cases.size() || sb.cases[j].key < sa.cases[i].key) {
      ++out.only_in_b;
      ++j;
      continue;
    }
    const CaseTally& x = sa.cases[i++];
    const CaseTally& y = sb.cases[j++];
    ++out.paired_cases;
    paired.push_back({x.outcome, y.outcome});
    const bool was = passes(x.outcome), is = passes(y.outcome);
    if (was && !is) out.regressed.push_back({"", x.case_index, y.case_index, x.outcome, y.outcome});
    if (!was && is) out.fixed.push_back({"", x.case_index, y.case_index, x.outcome, y.outcome});
    out.still_failing += !was && !is;
    if (x.answered && y.answered) score.add(x.score_sum / x.answered, y.score_sum / y.answered);
    cost.add(1000 * x.cost_sum / x.outcome.runs, 1000 * y.cost_sum / y.outcome.runs);
    if (x.prompt_n && y.prompt_n) prompt.add(x.prompt_sum / x.prompt_n, y.prompt_sum / y.prompt_n);
  }
  // Each side's case list is no longer needed: free it before the paired test's work.
  std::vector<CaseTally>().swap(sa.cases);
  std::vector<CaseTally>().swap(sb.cases);
  out.conformance = compare_paired(paired);
  out.score = score.finish();
  out.cost_per_1k = cost.finish();
  out.prompt_tokens = prompt.finish();
  out.latency_p50 = quantile_difference(sa.latency, sb.latency, 50);
  out.latency_p95 = quantile_difference(sa.latency, sb.latency, 95);
  for (const auto& [kind, n] : sb.failure_kinds)
    if (!sa.failure_kinds.contains(kind)) out.new_failure_kinds[kind] = n;
  for (const auto& [path, n] : sb.failure_paths)
    if (!sa.failure_paths.contains(path)) out.new_failure_paths[path] = n;
  // Case order, and names only for the cases listed.
  for (auto* list : {&out.regressed, &out.fixed}) {
    std::sort(list->begin(), list->end(), [](const CaseChange& x, const CaseChange& y) { return x.b_case_index < y.b_case_index; });
    for (auto& c : *list) c.case_id = case_id_of(*b.store, b.run_id, c.b_case_index);
  }
  return out;
}

bool has_variant(Store& store, long long run_id, const std::string& id) {
  for (const auto& v : store.variants(run_id))
    if (v.id == id) return true;
  return false;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> shared_variants(Store& a_store, long long a_run, Store& b_store,
                                                                 long long b_run) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& v : a_store.variants(a_run))
    if (has_variant(b_store, b_run, v.id)) out.emplace_back(v.id, v.id);
  return out;
}

RunComparison compare_runs(const RunSide& a, const RunSide& b,
                           const std::vector<std::pair<std::string, std::string>>& pairs) {
  RunComparison out;
  const auto ra = a.store->run(a.run_id), rb = b.store->run(b.run_id);
  if (!ra) throw StoreError("no " + describe_run(a) + " in " + a.store->path().string());
  if (!rb) throw StoreError("no " + describe_run(b) + " in " + b.store->path().string());
  out.a = *ra;
  out.b = *rb;
  out.a_label = describe_run(a);
  out.b_label = describe_run(b);
  for (const auto& [av, bv] : pairs) {
    if (!has_variant(*a.store, a.run_id, av)) throw StoreError(describe_run(a) + " has no variant \"" + av + "\"");
    if (!has_variant(*b.store, b.run_id, bv)) throw StoreError(describe_run(b) + " has no variant \"" + bv + "\"");
  }
  const auto a_keys = case_keys(*a.store, a.run_id);
  const bool same_run = a.store == b.store && a.run_id == b.run_id;
  const auto b_keys = same_run ? a_keys : case_keys(*b.store, b.run_id);
  for (const auto& [av, bv] : pairs) out.variants.push_back(compare_variant(a, b, av, bv, a_keys, b_keys));
  return out;
}

}  // namespace tb
