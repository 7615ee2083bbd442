// The Runner's setting up: the in-process mocks and the endpoints' URLs and cache origins, the
// run record with its variants, and attaching to a run to resume it.
#include <filesystem>
#include <iostream>
#include <system_error>

#include "common/clock.hpp"
#include "common/diagnostic.hpp"
#include "common/secrets.hpp"
#include "mock/mock_config.hpp"
#include "mock/mock_model.hpp"
#include "run/runner_impl.hpp"

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
      MockModel model(config);
      std::string error;
      if (!model.load_dataset(suite_.dataset_file, error)) throw StoreError(error);
      auto server = std::make_unique<MockServer>(std::move(model));
      if (!server->start("127.0.0.1", 0, error)) throw StoreError(error);
      base_url = "http://127.0.0.1:" + std::to_string(server->port()) + "/v1";
      mocks_.push_back(std::move(server));
      // The in-process mock listens on a new port every run: its answers are keyed by what
      // decides them instead (its settings and the dataset it answers from), so a re-run of an
      // unchanged suite is answered from the cache as with a real endpoint.
      std::error_code size_ec, time_ec;
      const auto size = std::filesystem::file_size(suite_.dataset_file, size_ec);
      const auto modified = std::filesystem::last_write_time(suite_.dataset_file, time_ec);
      cache_origins_[name] = "mock://" + name + " " + endpoint.mock.dump() + " " +
                             suite_.dataset_file.string() + " " +
                             std::to_string(size_ec ? 0 : size) + " " +
                             std::to_string(time_ec ? 0 : modified.time_since_epoch().count());
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
    r.params_json = Secrets::redact(params.dump());
    r.price_input = rv.price.input;
    r.price_cached_input = rv.price.cached_input;
    r.price_output = rv.price.output;
    r.price_training = rv.price.training;
    if (v.training) {
      r.training_tokens = v.training->tokens;
      r.training_epochs = v.training->epochs;
      r.training_cost_usd = v.training->cost_usd;
    }
    r.simulated = rv.endpoint->kind == EndpointKind::mock;
    r.is_baseline = v.id == suite_.baseline;
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
  total_jobs_ = run.total_jobs;
  run_id_ = store_.create_run(run, variant_records());
  if (!options_.quiet && !preflight_.tokenizer_note.empty())
    std::cerr << "note: " << preflight_.tokenizer_note << "\n";
  if (!options_.quiet)
    std::cerr << "run " << run_id_ << ": " << suite_.name << ", " << preflight_.cases << " cases x "
              << preflight_.variants.size() << " variants x " << suite_.run.repeats
              << " repeats = " << total_jobs_ << " requests"
              << (preflight_.simulated ? " (simulated by the built-in mock)" : "") << "\n";
}

// A resumed run must be the same experiment: same suite, variants, models and job count.
void Runner::attach_to_run(long long id) {
  const auto run = store_.run(id);
  if (!run)
    throw StoreError("no run " + std::to_string(id) + " in " + options_.db_path.string() +
                     " to resume");
  const long long total =
      preflight_.cases * static_cast<long long>(preflight_.variants.size()) * suite_.run.repeats;
  if (run->suite_name != suite_.name || run->total_jobs != total)
    throw StoreError("run " + std::to_string(id) + " is \"" + run->suite_name + "\" with " +
                     std::to_string(run->total_jobs) + " jobs; this suite is \"" + suite_.name +
                     "\" with " + std::to_string(total) +
                     " jobs: resume it with the suite that started it");
  const auto stored = store_.variants(id);
  const auto wanted = variant_records();
  if (stored.size() != wanted.size())
    throw StoreError("run " + std::to_string(id) + " has " + std::to_string(stored.size()) +
                     " variants; the suite has " + std::to_string(wanted.size()));
  std::map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < wanted.size(); ++i) {
    if (stored[i].id != wanted[i].id || stored[i].model != wanted[i].model ||
        stored[i].system_prompt != wanted[i].system_prompt ||
        stored[i].params_json != wanted[i].params_json)
      throw StoreError("variant " + wanted[i].id + " differs from the one run " +
                       std::to_string(id) +
                       " started with (id, model, prompt or parameters): start a new run instead");
    index[wanted[i].id] = i;
  }
  for (const auto& [variant, case_index, repeat] : store_.completed_jobs(id))
    if (auto it = index.find(variant); it != index.end())
      done_.insert(job_key(it->second, case_index, repeat));
  run_id_ = id;
  total_jobs_ = total;
  store_.set_run_status(id, "running", false);
  if (!options_.quiet)
    std::cerr << "resuming run " << id << ": " << done_.size() << " of " << total
              << " jobs already have a result\n";
}

}  // namespace tb
