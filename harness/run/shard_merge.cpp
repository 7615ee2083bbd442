#include "run/shard_merge.hpp"

#include <algorithm>
#include <map>

#include <nlohmann/json.hpp>

namespace tb {
namespace {

std::string shard_name(const RunRecord& run) {
  return std::to_string(run.shard_index.value_or(-1)) + "/" + std::to_string(run.shard_count);
}

std::string short_hash(const std::string& h) {
  return h.substr(0, 12);
}

// "2/4, 3/4"
std::string list_shards(const std::vector<int>& indexes, int count) {
  std::string out;
  for (const int i : indexes)
    out += (out.empty() ? "" : ", ") + std::to_string(i) + "/" + std::to_string(count);
  return out;
}

}  // namespace

std::string MergeInput::label() const {
  return file.string() + " (run " + std::to_string(run.id) + ")";
}

MergePlan plan_merge(const std::vector<MergeInput>& inputs, bool allow_partial) {
  MergePlan plan;
  if (inputs.empty()) {
    plan.errors.push_back("no input to merge");
    return plan;
  }
  for (const auto& in : inputs)
    if (!in.run.shard_index)
      plan.errors.push_back(
          in.label() + " is not a shard's run (" +
          (in.run.merged_from.empty() ? "it ran without --shard" : "it is a merged run") +
          "); merge combines the runs of `tunebench run SUITE --shard I/N`");
  if (!plan.errors.empty()) return plan;

  const MergeInput& first = inputs.front();
  for (const auto& in : inputs) {
    if (in.run.suite_fingerprint != first.run.suite_fingerprint)
      plan.errors.push_back(
          in.label() + " is a shard of another suite than " + first.label() +
          " (suite fingerprint " + short_hash(in.run.suite_fingerprint) + "... against " +
          short_hash(first.run.suite_fingerprint) +
          "...: the suite, a prompt, a price or the dataset differ); run every shard from the same "
          "suite and dataset");
    else if (in.run.shard_count != first.run.shard_count)
      plan.errors.push_back(in.label() + " is shard " + shard_name(in.run) + " and " +
                            first.label() + " shard " + shard_name(first.run) +
                            ": shards of different splits cannot be merged");
  }
  if (!plan.errors.empty()) return plan;

  const int count = first.run.shard_count;
  std::map<int, std::size_t> by_index;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const int index = *inputs[i].run.shard_index;
    const auto [it, fresh] = by_index.emplace(index, i);
    if (!fresh)
      plan.errors.push_back(inputs[i].label() + " and " + inputs[it->second].label() +
                            " are both shard " + shard_name(inputs[i].run) +
                            "; give each shard once");
  }
  if (!plan.errors.empty()) return plan;

  std::vector<int> missing;
  for (int i = 0; i < count; ++i)
    if (!by_index.contains(i)) missing.push_back(i);
  std::vector<std::string> problems;
  if (!missing.empty())
    problems.push_back((missing.size() == 1 ? "shard " : "shards ") + list_shards(missing, count) +
                       " of " + std::to_string(count) + (missing.size() == 1 ? " is" : " are") +
                       " missing");
  for (const auto& [index, i] : by_index)
    if (inputs[i].run.status != "done")
      problems.push_back(inputs[i].label() + " (shard " + shard_name(inputs[i].run) + ") is " +
                         inputs[i].run.status + ": resume it with its --shard and --resume " +
                         std::to_string(inputs[i].run.id));
  if (!problems.empty() && !allow_partial) {
    for (const auto& p : problems)
      plan.errors.push_back(p +
                            "; or merge anyway with --allow-partial (the run is marked partial)");
    return plan;
  }
  plan.warnings = problems;

  for (const auto& [index, i] : by_index) plan.order.push_back(i);
  RunRecord& m = plan.merged;
  const RunRecord& f = first.run;
  m.suite_name = f.suite_name;
  m.suite_file = f.suite_file;
  m.suite_json = f.suite_json;
  m.dataset_file = f.dataset_file;
  m.baseline = f.baseline;
  m.repeats = f.repeats;
  m.monthly_requests = f.monthly_requests;
  m.tool_version = f.tool_version;
  m.price_catalog = f.price_catalog;
  m.suite_fingerprint = f.suite_fingerprint;
  m.shard_count = count;
  m.status = "merging";
  m.partial = !problems.empty();
  m.started_at = f.started_at;
  nlohmann::json from = nlohmann::json::array();
  for (const std::size_t i : plan.order) {
    const RunRecord& r = inputs[i].run;
    m.started_at = std::min(m.started_at, r.started_at);
    m.simulated = m.simulated || r.simulated;
    m.cases += r.cases;
    m.total_jobs += r.total_jobs;
    from.push_back({{"file", inputs[i].file.string()},
                    {"run", r.id},
                    {"shard", shard_name(r)},
                    {"status", r.status},
                    {"started_at", r.started_at},
                    {"finished_at", r.finished_at},
                    {"tool_version", r.tool_version}});
  }
  m.merged_from = from.dump();
  return plan;
}

}  // namespace tb
