#include "suite/suite_loader.hpp"

#include <array>

#include "common/files.hpp"
#include "common/text.hpp"
#include "suite/source_document.hpp"
#include "suite/suite_sections.hpp"

namespace tb {

std::string_view to_string(VariantKind kind) {
  switch (kind) {
    case VariantKind::prompted: return "prompted";
    case VariantKind::fine_tuned: return "fine-tuned";
    case VariantKind::rag: return "rag";
    case VariantKind::as_is: return "as-is";
    case VariantKind::few_shot: return "few-shot";
    case VariantKind::structured: return "structured";
    case VariantKind::tools: return "tools";
  }
  return "?";
}

std::string_view to_string(EndpointKind kind) {
  return kind == EndpointKind::mock ? "mock" : "openai";
}

const Variant* Suite::find_variant(std::string_view id) const {
  for (const auto& v : variants)
    if (v.id == id) return &v;
  return nullptr;
}

std::string display_path(const Suite& suite, const std::string& relative) {
  const auto parent = std::filesystem::path(suite.display_file).parent_path();
  return (parent / relative).lexically_normal().string();
}

std::optional<ModelPrice> read_price(FieldReader& r, const FieldReader::At& at) {
  static constexpr std::array<std::string_view, 7> kPriceKeys = {
      "input", "cached_input", "output", "training", "gpu_hour_usd", "gpus", "tokens_per_s"};
  if (!r.expect_mapping(at, kPriceKeys)) return std::nullopt;
  const std::size_t before = r.error_count();
  ModelPrice p;
  if (at.value.contains("gpu_hour_usd") || at.value.contains("gpus") || at.value.contains("tokens_per_s")) {
    // Self-hosted: paid by the GPU hour. A per-token price beside it would be counted twice.
    for (const char* key : {"input", "cached_input", "output"})
      if (at.value.contains(key))
        r.error(at.child(key), "a self-hosted price (gpu_hour_usd) is per GPU hour; give either "
                               "gpu_hour_usd or per-token prices, not both");
    GpuPrice gpu;
    const auto hour = r.number(at, "gpu_hour_usd", 0, 1e6);
    if (!hour) r.error(at, "gpu_hour_usd: missing (USD per GPU hour of the self-hosted server)");
    gpu.gpu_hour_usd = hour.value_or(0);
    gpu.gpus = static_cast<int>(r.integer(at, "gpus", 1, 100000).value_or(1));
    gpu.tokens_per_s = r.number(at, "tokens_per_s", 0.001, 1e12);
    p.gpu = gpu;
    p.training = r.number(at, "training", 0, 1e6);
    if (r.error_count() != before) return std::nullopt;
    return p;
  }
  auto input = r.number(at, "input", 0, 1e6);
  auto output = r.number(at, "output", 0, 1e6);
  if (!input) r.error(at, "input: missing (USD per 1M input tokens)");
  if (!output) r.error(at, "output: missing (USD per 1M output tokens)");
  p.input = input.value_or(0);
  p.output = output.value_or(0);
  p.cached_input = r.number(at, "cached_input", 0, 1e6).value_or(p.input);
  p.training = r.number(at, "training", 0, 1e6);
  if (r.error_count() != before) return std::nullopt;
  return p;
}

namespace {

using json = nlohmann::json;

constexpr std::array<std::string_view, 13> kTopKeys = {
    "name", "description", "dataset", "limit", "expect", "baseline", "variants",
    "endpoints", "run", "decide", "prices", "price_catalog", "gate"};
constexpr std::array<std::string_view, 13> kRunKeys = {"concurrency",
                                                       "repeats",
                                                       "timeout_s",
                                                       "connect_timeout_s",
                                                       "max_attempts",
                                                       "deadline_s",
                                                       "grace_s",
                                                       "max_consecutive_errors",
                                                       "max_retry_wait_s",
                                                       "max_response_bytes",
                                                       "temperature",
                                                       "max_tokens",
                                                       "seed"};
constexpr std::array<std::string_view, 4> kDecideKeys = {"monthly_requests", "min_conformance",
                                                        "horizon_months", "max_p95_latency_ms"};

void read_run(FieldReader& r, const FieldReader::At& root, RunOptions& run) {
  if (!root.value.contains("run")) return;
  const auto at = root.child("run");
  if (!r.expect_mapping(at, kRunKeys)) return;
  run.concurrency = static_cast<int>(r.integer(at, "concurrency", 1, 100000).value_or(run.concurrency));
  run.repeats = static_cast<int>(r.integer(at, "repeats", 1, 1000).value_or(run.repeats));
  run.timeout_s = r.number(at, "timeout_s", 0.001, 86400).value_or(run.timeout_s);
  run.connect_timeout_s = r.number(at, "connect_timeout_s", 0.001, 3600).value_or(run.connect_timeout_s);
  run.max_attempts = static_cast<int>(r.integer(at, "max_attempts", 1, 100).value_or(run.max_attempts));
  run.deadline_s = r.number(at, "deadline_s", 0.001, 1e9);
  run.grace_s = r.number(at, "grace_s", 0, 86400).value_or(run.grace_s);
  run.max_consecutive_errors = static_cast<int>(
      r.integer(at, "max_consecutive_errors", 1, 1000000000).value_or(run.max_consecutive_errors));
  run.max_retry_wait_s = r.number(at, "max_retry_wait_s", 0, 86400).value_or(run.max_retry_wait_s);
  // 1 KiB .. 1 GiB: below, no chat answer fits; above, a few requests in flight fill the memory.
  run.max_response_bytes =
      static_cast<std::size_t>(r.integer(at, "max_response_bytes", 1024, 1LL << 30)
                                   .value_or(static_cast<long long>(run.max_response_bytes)));
  run.temperature = r.number(at, "temperature", 0, 2);
  if (auto v = r.integer(at, "max_tokens", 1, 10'000'000)) run.max_tokens = static_cast<int>(*v);
  run.seed = r.integer(at, "seed", -(1LL << 62), 1LL << 62);
}

void read_decide(FieldReader& r, const FieldReader::At& root, Decide& decide) {
  if (!root.value.contains("decide")) return;
  const auto at = root.child("decide");
  if (!r.expect_mapping(at, kDecideKeys)) return;
  decide.monthly_requests = r.integer(at, "monthly_requests", 1, 1LL << 50).value_or(decide.monthly_requests);
  // A share, not a percentage: 95 would be a bar nothing can reach.
  decide.min_conformance = r.number(at, "min_conformance", 0, 1);
  decide.max_p95_latency_ms = r.number(at, "max_p95_latency_ms", 0.001, 1e9);
  decide.horizon_months =
      static_cast<int>(r.integer(at, "horizon_months", 1, 1200).value_or(decide.horizon_months));
  decide.verdict = at.value.contains("min_conformance") || at.value.contains("horizon_months") ||
                   at.value.contains("max_p95_latency_ms");
}

void read_prices(FieldReader& r, const FieldReader::At& root, Suite& suite) {
  if (!root.value.contains("prices")) return;
  const auto at = root.child("prices");
  if (!at.value.is_object()) {
    r.error(at, "expected a mapping of model ids to prices");
    return;
  }
  for (const auto& [model, value] : at.value.items())
    if (auto p = read_price(r, at.child(model))) suite.prices[model] = *p;
}

// The top level: names and files, then each section in the order later ones depend on
// (variants inherit `run:` defaults and name `endpoints:`).
std::optional<Suite> build_suite(const SourceDocument& doc, Diagnostics& errors) {
  FieldReader r(doc, errors);
  const auto root = r.root();
  if (!r.expect_mapping(root, kTopKeys)) return std::nullopt;
  Suite suite;
  suite.file = doc.path();
  suite.display_file = doc.display_name();
  suite.source = root.value;
  suite.name = r.string(root, "name", true).value_or("");
  suite.description = r.string(root, "description", false).value_or("");
  if (auto dataset = r.string(root, "dataset", true)) {
    suite.dataset_file = resolve_relative(suite.file, *dataset);
    suite.dataset_display = display_path(suite, *dataset);
    if (auto problem = file_read_problem(suite.dataset_file))
      r.error(root.child("dataset"), *problem);
  }
  suite.limit = r.integer(root, "limit", 1, 1LL << 40);
  if (auto catalog = r.string(root, "price_catalog", false)) {
    suite.price_catalog = resolve_relative(suite.file, *catalog);
    if (auto problem = file_read_problem(suite.price_catalog))
      r.error(root.child("price_catalog"), *problem);
  }
  const auto endpoints = read_endpoints(r, root);
  read_run(r, root, suite.run);
  read_decide(r, root, suite.decide);
  read_prices(r, root, suite);
  read_expect(r, root, suite);
  read_variants(r, root, endpoints, suite);
  read_gates(r, root, suite);
  if (r.error_count() > 0) return std::nullopt;
  return suite;
}

}  // namespace

std::optional<Suite> load_suite_text(const std::filesystem::path& file, std::string_view text,
                                     Diagnostics& errors) {
  SourceDocument doc;
  if (!SourceDocument::parse(file, file.string(), text, doc, errors)) return std::nullopt;
  return build_suite(doc, errors);
}

std::optional<Gates> load_gates(std::string_view suite_json, const std::vector<std::string>& variant_ids,
                                Diagnostics& errors) {
  SourceDocument doc;
  if (!SourceDocument::parse("(the suite stored with the run)", "(the suite stored with the run)", suite_json, doc,
                             errors))
    return std::nullopt;
  FieldReader r(doc, errors);
  Suite suite;
  for (const auto& id : variant_ids) {
    Variant v;
    v.id = id;
    suite.variants.push_back(std::move(v));
  }
  const std::size_t before = errors.size();
  if (doc.root().is_object()) read_gates(r, r.root(), suite);
  if (errors.size() != before) return std::nullopt;
  return suite.gates;
}

std::optional<Suite> load_suite(const std::filesystem::path& file, Diagnostics& errors) {
  std::string why;
  const auto text = read_file(file, &why);
  if (!text) {
    errors.add({file.string(), 0, "", "cannot read the suite file: " + why});
    return std::nullopt;
  }
  return load_suite_text(file, *text, errors);
}

}  // namespace tb
