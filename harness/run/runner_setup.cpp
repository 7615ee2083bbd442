// The Runner's setting up: the in-process mocks and the endpoints' URLs and cache origins, the
// run record with its variants, and attaching to a run to resume it.
#include <filesystem>
#include <iostream>
#include <system_error>

#include "common/clock.hpp"
#include "common/diagnostic.hpp"
#include "common/hash.hpp"
#include "common/secrets.hpp"
#include "mock/mock_config.hpp"
#include "mock/mock_model.hpp"
#include "run/runner_impl.hpp"
#include "suite/dataset_reader.hpp"

namespace tb {

namespace asio = boost::asio;

void Runner::start_mocks() {
  for (const auto& [name, endpoint] : suite_.endpoints) {
    std::string base_url = endpoint.base_url;
    if (endpoint.kind == EndpointKind::mock) {
      MockConfig config = default_mock_config();
      Diagnostics errors;
      if (!parse_mock_config(endpoint.mock, suite_.display_file + ": endpoints." + name + ".mock",
                             config, errors))
        throw StoreError(errors.to_string());
      // A --retry-errors resume sends failed jobs again: the in-process mock, which restarts with
      // the process and would count them as first attempts, draws anew for each such round.
      if (options_.retry_errors && options_.resume)
        config.seed =
            mix64(config.seed,
                  static_cast<std::uint64_t>(store_.superseded_results(*options_.resume)) + 1);
      MockModel model(config);
      std::string error;
      if (!model.load_dataset(suite_.dataset_file, error)) throw StoreError(error);
      auto server = std::make_unique<MockServer>(std::move(model));
      if (!server->start("127.0.0.1", 0, error)) throw StoreError(error);
      base_url = "http://127.0.0.1:" + std::to_string(server->port()) + "/v1";
      mocks_.push_back(std::move(server));
      // The in-process mock listens on a new port every run: its answers are keyed by what
      // decides them instead (its settings and the content of the dataset it answers from), so
      // a re-run of an unchanged suite is answered from the cache as with a real endpoint.
      cache_origins_[name] = "mock://" + name + " " + endpoint.mock.dump() + " " +
                             preflight_.dataset_content_fingerprint;
    }
    std::string error;
    auto url = parse_url(base_url, error);
    if (!url) throw StoreError("endpoint " + name + ": " + error);
    if (endpoint.insecure && url->tls)
      std::cerr << "WARNING: endpoint " << name
                << " has insecure: true; TLS certificates are NOT verified\n";
    urls_[name] = *url;
    cache_origins_.try_emplace(name, url->origin());
  }
}

std::vector<VariantRecord> Runner::variant_records() const {
  std::vector<VariantRecord> variants;
  int position = 0;
  for (const auto& rv : preflight_.variants) {
    const Variant& v = *rv.variant;
    VariantRecord r;
    r.id = v.id;
    r.position = position++;
    r.kind = std::string(to_string(v.kind));
    r.endpoint = v.endpoint;
    r.endpoint_kind = std::string(to_string(rv.endpoint->kind));
    r.base_url = Secrets::redact(rv.endpoint->kind == EndpointKind::mock ? "mock (in-process)"
                                                                         : rv.endpoint->base_url);
    r.model = v.model;
    r.system_prompt = v.system.value_or("");
    nlohmann::json params = nlohmann::json::object();
    if (v.temperature) params["temperature"] = *v.temperature;
    if (v.max_tokens) params["max_tokens"] = *v.max_tokens;
    if (v.seed) params["seed"] = *v.seed;
    if (v.stream) params["stream"] = true;
    if (!v.response_format.is_null()) params["response_format"] = v.response_format;
    if (!v.extra_body.is_null()) params["extra_body"] = v.extra_body;
    if (!v.tools.is_null()) {
      params["tools"] = v.tools;
      params["tool_choice"] = v.tool_choice;
    }
    if (v.few_shot)
      params["few_shot"] = {
          {"from", v.few_shot->display},
          {"k", v.few_shot->k},
          {"select", v.few_shot->select == FewShotSpec::Select::similar ? "similar" : "random"},
          {"seed", v.few_shot->seed}};
    // A self-hosted price goes with the settings (no schema change): reports derive its cost
    // per token from the throughput this run measures at its concurrency.
    if (rv.price.gpu) {
      nlohmann::json gpu = {{"gpu_hour_usd", rv.price.gpu->gpu_hour_usd},
                            {"gpus", rv.price.gpu->gpus},
                            {"concurrency", suite_.run.concurrency}};
      if (rv.price.gpu->tokens_per_s) gpu["tokens_per_s"] = *rv.price.gpu->tokens_per_s;
      params["self_hosted"] = gpu;
    }
    r.params_json = Secrets::redact(params.dump());
    r.price_input = rv.price.input;
    r.price_cached_input = rv.price.cached_input;
    r.price_output = rv.price.output;
    r.price_training = rv.price.training;
    if (rv.training) {
      r.training_tokens = rv.training->tokens;
      r.training_epochs = rv.training->epochs;
      r.training_cost_usd = rv.training->cost_usd;
    }
    r.simulated = rv.endpoint->kind == EndpointKind::mock;
    r.is_baseline = v.id == suite_.baseline;
    if (v.sweep) {
      r.sweep_of = v.sweep->of;
      r.checkpoint_step = v.sweep->step;
      r.training_loss = v.sweep->loss;
    }
    if (const auto i = static_cast<std::size_t>(r.position); rv.retrieval) {
      r.retrieve_json = retrieval_settings_.at(i);
      if (i < retrieval_.info.size()) {  // known once the index is ready (not yet on a resume)
        r.index_embedding_tokens = retrieval_.info[i].index_embedding_tokens;
        r.index_cost_usd = retrieval_.info[i].index_cost_usd;
      }
    }
    variants.push_back(std::move(r));
  }
  return variants;
}

void Runner::create_run() {
  RunRecord run;
  run.suite_name = suite_.name;
  run.suite_file = suite_.display_file;
  run.suite_json = Secrets::redact(suite_.source.dump());
  run.dataset_file = suite_.dataset_display;
  run.baseline = suite_.baseline;
  run.started_at = utc_now_iso8601();
  run.status = "running";
  run.simulated = preflight_.simulated;
  run.cases = preflight_.cases;
  run.repeats = suite_.run.repeats;
  run.total_jobs =
      preflight_.cases * static_cast<long long>(preflight_.variants.size()) * suite_.run.repeats;
  run.monthly_requests = suite_.decide.monthly_requests;
  run.tool_version = TUNEBENCH_VERSION;
  run.price_catalog = preflight_.price_catalog;
  run.dataset_fingerprint = preflight_.dataset_fingerprint;
  run.suite_fingerprint = preflight_.suite_fingerprint;
  if (preflight_.shard) {
    run.shard_index = preflight_.shard->index;
    run.shard_count = preflight_.shard->count;
  }
  total_jobs_ = run.total_jobs;
  run_id_ = store_.create_run(run, variant_records());
  if (!options_.quiet && !preflight_.tokenizer_note.empty())
    std::cerr << "note: " << preflight_.tokenizer_note << "\n";
  if (options_.quiet) return;
  std::cerr << "run " << run_id_ << ": " << suite_.name << ", ";
  if (preflight_.shard)
    std::cerr << "shard " << preflight_.shard->to_string() << " (" << preflight_.cases << " of "
              << preflight_.suite_cases << " cases) x ";
  else
    std::cerr << preflight_.cases << (preflight_.cases == 1 ? " case x " : " cases x ");
  std::cerr << preflight_.variants.size()
            << (preflight_.variants.size() == 1 ? " variant x " : " variants x ")
            << suite_.run.repeats << (suite_.run.repeats == 1 ? " repeat = " : " repeats = ")
            << total_jobs_ << (total_jobs_ == 1 ? " request" : " requests")
            << (preflight_.simulated ? " (simulated by the built-in mock)" : "") << "\n";
  if (preflight_.shard && preflight_.shard->count > 1) {
    for (const auto& [name, endpoint] : suite_.endpoints) {
      if (endpoint.rpm <= 0 && endpoint.tpm <= 0) continue;
      std::cerr << "endpoint " << name << ": "
                << (options_.limits_share < 1
                        ? "this shard keeps to 1/" + std::to_string(preflight_.shard->count) +
                              " of its limits (--shard-limits full: all of them)"
                        : "this shard uses all of its limits (--shard-limits full)");
      if (endpoint.rpm > 0) std::cerr << ", rpm " << endpoint.rpm * options_.limits_share;
      if (endpoint.tpm > 0) std::cerr << ", tpm " << endpoint.tpm * options_.limits_share;
      std::cerr << "\n";
    }
  }
}

// A resumed run must be the same experiment: same suite, variants, models and cases. With
// --resume-changed, the cases whose dataset line changed (and those added or removed) are the
// exception: their stored results move to result_history and their jobs are sent again.
void Runner::attach_to_run(long long id) {
  const auto run = store_.run(id);
  if (!run)
    throw ResumeRefused("no run " + std::to_string(id) + " in " + options_.db_path.string() +
                        " to resume");
  const std::string name = "run " + std::to_string(id);
  const long long variants = static_cast<long long>(preflight_.variants.size());
  const long long total = preflight_.cases * variants * suite_.run.repeats;
  if (run->suite_name != suite_.name)
    throw ResumeRefused(name + " is of suite \"" + run->suite_name + "\"; this suite is \"" +
                        suite_.name + "\": resume it with the suite that started it");
  if (!run->merged_from.empty())
    throw ResumeRefused(name +
                        " was merged from shards: resume the unfinished shard (with its "
                        "--shard) and merge again");
  const std::optional<Shard> stored_shard =
      run->shard_index ? std::optional<Shard>(Shard{*run->shard_index, run->shard_count})
                       : std::nullopt;
  const auto shard_name = [](const std::optional<Shard>& s) {
    return s ? "shard " + s->to_string() : std::string("no shard");
  };
  if ((stored_shard.has_value() != preflight_.shard.has_value()) ||
      (stored_shard && (stored_shard->index != preflight_.shard->index ||
                        stored_shard->count != preflight_.shard->count)))
    throw ResumeRefused(name + " ran " + shard_name(stored_shard) + "; this command asks for " +
                        shard_name(preflight_.shard) + ": resume it with " +
                        (stored_shard ? "--shard " + stored_shard->to_string()
                                      : std::string("no --shard (nor $TUNEBENCH_SHARD)")));
  const auto stored = store_.variants(id);
  const auto wanted = variant_records();
  if (stored.size() != wanted.size())
    throw ResumeRefused(name + " has " + std::to_string(stored.size()) +
                        " variants; the suite has " + std::to_string(wanted.size()) +
                        ": start a new run instead");
  std::map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < wanted.size(); ++i) {
    if (stored[i].id != wanted[i].id || stored[i].model != wanted[i].model ||
        stored[i].system_prompt != wanted[i].system_prompt ||
        stored[i].params_json != wanted[i].params_json)
      throw ResumeRefused(
          "variant " + wanted[i].id + " differs from the one " + name +
          " started with (id, model, prompt or parameters): start a new run instead");
    // Other passages would answer the rest of the cases: a changed corpus, chunking or method.
    if (stored[i].retrieve_json != wanted[i].retrieve_json)
      throw ResumeRefused(
          "variant " + wanted[i].id + " retrieves differently from when " + name +
          " started (its corpus changed, or its retrieve: settings): start a new run instead");
    index[wanted[i].id] = i;
  }
  if (run->repeats != suite_.run.repeats)
    throw ResumeRefused(name + " has " + std::to_string(run->repeats) + " repeats; the suite has " +
                        std::to_string(suite_.run.repeats) + ": start a new run instead");
  const bool dataset_changed = !run->dataset_fingerprint.empty() &&
                               run->dataset_fingerprint != preflight_.dataset_fingerprint;
  if (run->dataset_fingerprint.empty() && run->total_jobs != total)
    throw ResumeRefused(name + " has " + std::to_string(run->total_jobs) +
                        " jobs; this suite has " + std::to_string(total) +
                        ": resume it with the suite and dataset that started it");
  if (dataset_changed) reconcile_dataset(*run);
  if (options_.retry_errors) {
    const long long moved =
        store_.supersede_results(id, {.cases = {}, .from_case = std::nullopt, .errors_only = true});
    if (!options_.quiet)
      std::cerr << "--retry-errors: " << moved << (moved == 1 ? " error result" : " error results")
                << " of " << name << " moved to result_history; their jobs are sent again\n";
  }
  for (const auto& [variant, case_index, repeat] : store_.completed_jobs(id))
    if (auto it = index.find(variant); it != index.end())
      done_.insert(job_key(it->second, case_index, repeat));
  run_id_ = id;
  total_jobs_ = total;
  store_.set_run_status(id, "running", false);
  if (!options_.quiet)
    std::cerr << "resuming " << name << ": " << done_.size() << " of " << total
              << " jobs already have a result\n";
}

// The stored run's cases against the dataset as it is now, case by case (by position: results
// are keyed by it). Refuses with what changed, unless --resume-changed.
void Runner::reconcile_dataset(const RunRecord& run) {
  std::vector<CaseRecord> stored;
  store_.for_each_case(run.id, [&](const CaseRecord& c) { stored.push_back(c); });
  std::vector<long long> changed;
  std::vector<std::string> examples;
  DatasetReader reader(suite_.dataset_file, suite_.dataset_display);
  Diagnostic error;
  if (!reader.open(error)) throw ResumeRefused(error.to_string());
  TestCase c;
  std::size_t next = 0;
  long long read = 0;   // every case, as `limit` counts them
  long long cases = 0;  // this run's (its shard's)
  while ((!suite_.limit || read < *suite_.limit) &&
         reader.next(c, error) == DatasetReader::Status::ok) {
    ++read;
    // A case whose id changed may belong to another shard now: its old results go all the same.
    const bool mine = !preflight_.shard || in_shard(*preflight_.shard, c.id);
    cases += mine ? 1 : 0;
    while (next < stored.size() && stored[next].case_index < static_cast<long long>(c.index))
      ++next;
    if (next == stored.size() || stored[next].case_index != static_cast<long long>(c.index))
      continue;  // never sent
    const CaseRecord& s = stored[next];
    if (mine && (s.content_hash.empty() || (s.content_hash == c.content_hash && s.case_id == c.id)))
      continue;
    changed.push_back(s.case_index);
    if (examples.size() < 3)
      examples.push_back("case " + s.case_id + " (line " + std::to_string(s.line) + ")" +
                         (s.case_id == c.id
                              ? " changed"
                              : " is now case " + c.id + " (line " + std::to_string(c.line) + ")"));
  }
  long long removed = 0;
  for (const auto& s : stored) removed += s.case_index >= read;
  const std::string name = "run " + std::to_string(run.id);
  if (!options_.resume_changed) {
    std::string what =
        std::to_string(changed.size()) + (changed.size() == 1 ? " case" : " cases") + " changed";
    if (cases != run.cases)
      what +=
          ", " + std::to_string(run.cases) + " cases then and " + std::to_string(cases) + " now";
    if (!examples.empty()) {
      what += " (";
      for (std::size_t i = 0; i < examples.size(); ++i) what += (i ? "; " : "") + examples[i];
      what += changed.size() > examples.size() ? "; ...)" : ")";
    }
    throw ResumeRefused(
        name + " was started on another version of " + suite_.dataset_display + ": " + what +
        ". Its stored answers would not belong to these cases. Resume with --resume-changed to "
        "send only the changed cases again (their old results are kept in result_history), or "
        "start a new run");
  }
  const long long moved = store_.supersede_results(
      run.id, {.cases = changed,
               .from_case = removed > 0 ? std::optional<long long>(read) : std::nullopt,
               .errors_only = false});
  const long long total =
      cases * static_cast<long long>(preflight_.variants.size()) * suite_.run.repeats;
  store_.update_run_shape(run.id, cases, total, preflight_.dataset_fingerprint,
                          preflight_.suite_fingerprint);
  if (!options_.quiet)
    std::cerr << "--resume-changed: " << changed.size()
              << (changed.size() == 1 ? " changed case" : " changed cases")
              << (removed > 0 ? " and " + std::to_string(removed) + " removed" : "") << "; "
              << moved << (moved == 1 ? " result" : " results") << " moved to result_history\n";
}

}  // namespace tb
