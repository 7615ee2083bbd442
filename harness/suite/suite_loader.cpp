#include "suite/suite_loader.hpp"

#include "net/http_request_head.hpp"

#include <array>
#include <cstdlib>
#include <set>

#include "common/files.hpp"
#include "common/text.hpp"
#include "score/check.hpp"
#include "score/typescript_schema.hpp"
#include "suite/source_document.hpp"

namespace tb {

std::string_view to_string(VariantKind kind) {
  switch (kind) {
    case VariantKind::prompted: return "prompted";
    case VariantKind::fine_tuned: return "fine-tuned";
    case VariantKind::rag: return "rag";
    case VariantKind::as_is: return "as-is";
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

namespace {

using json = nlohmann::json;

const char* type_name(const json& j) {
  switch (j.type()) {
    case json::value_t::null: return "null";
    case json::value_t::boolean: return "a boolean";
    case json::value_t::string: return "a string";
    case json::value_t::array: return "a list";
    case json::value_t::object: return "a mapping";
    default: return "a number";
  }
}

// Walks the document with the JSON Pointer and the human field name of every value, so each
// message can say where it is: "suite.yaml:12: variants[1].model: expected a string".
class Reader {
 public:
  Reader(const SourceDocument& doc, Diagnostics& errors) : doc_(doc), errors_(errors) {}

  struct At {
    const json& value;
    std::string pointer;
    std::string field;

    At child(const std::string& key) const {
      return {value.at(key), pointer + "/" + key, field.empty() ? key : field + "." + key};
    }
    At item(std::size_t i) const {
      return {value.at(i), pointer + "/" + std::to_string(i), field + "[" + std::to_string(i) + "]"};
    }
  };

  At root() const { return {doc_.root(), "", ""}; }

  void error(const At& at, std::string message) {
    errors_.add({doc_.display_name(), doc_.line_of(at.pointer), at.field, std::move(message)});
  }

  bool expect_mapping(const At& at, std::span<const std::string_view> keys) {
    if (!at.value.is_object()) {
      error(at, std::string("expected a mapping; got ") + type_name(at.value));
      return false;
    }
    bool ok = true;
    for (const auto& [key, value] : at.value.items()) {
      if (std::find(keys.begin(), keys.end(), key) != keys.end()) continue;
      std::string message = "unknown key; expected one of " + join_choices(keys);
      if (auto hint = did_you_mean(key, keys)) message = "unknown key (did you mean " + dquote(*hint) + "?); expected one of " + join_choices(keys);
      error(at.child(key), message);
      ok = false;
    }
    return ok;
  }

  std::optional<std::string> string(const At& parent, const std::string& key, bool required) {
    if (!parent.value.contains(key)) {
      if (required) error(parent, key + ": missing (required)");
      return std::nullopt;
    }
    const At at = parent.child(key);
    if (!at.value.is_string()) {
      error(at, std::string("expected a string; got ") + type_name(at.value));
      return std::nullopt;
    }
    return at.value.get<std::string>();
  }

  std::optional<double> number(const At& parent, const std::string& key, double min, double max) {
    if (!parent.value.contains(key)) return std::nullopt;
    const At at = parent.child(key);
    if (!at.value.is_number()) {
      error(at, std::string("expected a number; got ") + type_name(at.value));
      return std::nullopt;
    }
    const double v = at.value.get<double>();
    if (v < min || v > max) {
      error(at, "expected a number from " + fixed(min, 0) + " to " + fixed(max, 0) + "; got " + at.value.dump());
      return std::nullopt;
    }
    return v;
  }

  std::optional<long long> integer(const At& parent, const std::string& key, long long min,
                                   long long max) {
    if (!parent.value.contains(key)) return std::nullopt;
    const At at = parent.child(key);
    if (!at.value.is_number_integer()) {
      error(at, std::string("expected a whole number; got ") + (at.value.is_number() ? at.value.dump() : type_name(at.value)));
      return std::nullopt;
    }
    const long long v = at.value.get<long long>();
    if (v < min || v > max) {
      error(at, "expected a whole number from " + std::to_string(min) + " to " + std::to_string(max) + "; got " + std::to_string(v));
      return std::nullopt;
    }
    return v;
  }

  std::optional<bool> boolean(const At& parent, const std::string& key) {
    if (!parent.value.contains(key)) return std::nullopt;
    const At at = parent.child(key);
    if (!at.value.is_boolean()) {
      error(at, std::string("expected true or false; got ") + type_name(at.value));
      return std::nullopt;
    }
    return at.value.get<bool>();
  }

  const SourceDocument& doc() const { return doc_; }
  std::size_t error_count() const { return errors_.size(); }

 private:
  const SourceDocument& doc_;
  Diagnostics& errors_;
};

constexpr std::array<std::string_view, 13> kTopKeys = {
    "name", "description", "dataset", "limit", "expect", "baseline", "variants",
    "endpoints", "run", "decide", "prices", "price_catalog", "gate"};
constexpr std::array<std::string_view, 5> kExpectKeys = {"format", "schema", "typescript", "type",
                                                        "checks"};
constexpr std::array<std::string_view, 16> kVariantKeys = {
    "id", "kind", "endpoint", "model", "system", "system_text", "temperature", "max_tokens",
    "seed", "response_format", "extra_body", "stream", "training", "price", "retrieve",
    "description"};
constexpr std::array<std::string_view, 3> kTrainingKeys = {"tokens", "epochs", "cost_usd"};
constexpr std::array<std::string_view, 4> kPriceKeys = {"input", "cached_input", "output",
                                                       "training"};
constexpr std::array<std::string_view, 10> kEndpointKeys = {
    "kind", "base_url", "api_key_env", "api_key_header", "rpm", "tpm", "insecure", "headers",
    "mock", "description"};
constexpr std::array<std::string_view, 11> kRunKeys = {
    "concurrency", "repeats", "timeout_s", "connect_timeout_s", "max_attempts", "deadline_s",
    "grace_s", "max_consecutive_errors", "temperature", "max_tokens", "seed"};
constexpr std::array<std::string_view, 1> kDecideKeys = {"monthly_requests"};
constexpr std::array<std::string_view, 4> kVariantKinds = {"prompted", "fine-tuned", "rag",
                                                          "as-is"};
constexpr std::array<std::string_view, 2> kEndpointKinds = {"openai", "mock"};

std::string default_openai_base_url() {
  // The official SDKs read OPENAI_BASE_URL when no base URL is given; so do we.
  if (const char* env = std::getenv("OPENAI_BASE_URL"); env != nullptr && *env != '\0') return env;
  return "https://api.openai.com/v1";
}

std::map<std::string, Endpoint> builtin_endpoints() {
  std::map<std::string, Endpoint> out;
  Endpoint mock;
  mock.name = "mock";
  mock.kind = EndpointKind::mock;
  mock.mock = json::object();
  out["mock"] = mock;
  Endpoint openai;
  openai.name = "openai";
  openai.kind = EndpointKind::openai;
  openai.base_url = default_openai_base_url();
  openai.api_key_env = "OPENAI_API_KEY";
  out["openai"] = openai;
  return out;
}

class SuiteBuilder {
 public:
  SuiteBuilder(const SourceDocument& doc, Diagnostics& errors) : r_(doc, errors) {}

  std::optional<Suite> build() {
    const auto root = r_.root();
    if (!r_.expect_mapping(root, kTopKeys)) return std::nullopt;
    suite_.file = r_.doc().path();
    suite_.display_file = r_.doc().display_name();
    suite_.source = root.value;
    suite_.name = r_.string(root, "name", true).value_or("");
    suite_.description = r_.string(root, "description", false).value_or("");
    if (auto dataset = r_.string(root, "dataset", true)) {
      suite_.dataset_file = resolve_relative(suite_.file, *dataset);
      suite_.dataset_display = display_path(*dataset);
      if (!std::filesystem::exists(suite_.dataset_file))
        r_.error(root.child("dataset"), "file not found: " + suite_.dataset_file.string());
    }
    suite_.limit = r_.integer(root, "limit", 1, 1LL << 40);
    if (auto catalog = r_.string(root, "price_catalog", false)) {
      suite_.price_catalog = resolve_relative(suite_.file, *catalog);
      if (!std::filesystem::exists(suite_.price_catalog))
        r_.error(root.child("price_catalog"), "file not found: " + suite_.price_catalog.string());
    }
    if (root.value.contains("gate")) r_.error(root.child("gate"), "not supported yet; use the exit code of `tunebench run --fail-on-checks`");
    read_endpoints(root);
    read_run(root);
    read_decide(root);
    read_prices(root);
    read_expect(root);
    read_variants(root);
    if (r_.error_count() > 0) return std::nullopt;
    return std::move(suite_);
  }

 private:
  // Paths in messages keep the user's view: relative to the suite's folder as written.
  std::string display_path(const std::string& relative) const {
    const auto parent = std::filesystem::path(suite_.display_file).parent_path();
    return (parent / relative).lexically_normal().string();
  }

  void read_endpoints(const Reader::At& root) {
    all_endpoints_ = builtin_endpoints();
    if (!root.value.contains("endpoints")) return;
    const auto at = root.child("endpoints");
    if (!at.value.is_object()) {
      r_.error(at, std::string("expected a mapping of endpoint names; got ") + type_name(at.value));
      return;
    }
    for (const auto& [name, value] : at.value.items()) {
      const auto e = at.child(name);
      if (!r_.expect_mapping(e, kEndpointKeys)) continue;
      Endpoint endpoint;
      endpoint.name = name;
      const auto kind = r_.string(e, "kind", false).value_or(name == "mock" ? "mock" : "openai");
      if (std::find(kEndpointKinds.begin(), kEndpointKinds.end(), kind) == kEndpointKinds.end()) {
        r_.error(e.child("kind"), "expected one of openai, mock; got " + dquote(kind));
        continue;
      }
      endpoint.kind = kind == "mock" ? EndpointKind::mock : EndpointKind::openai;
      endpoint.base_url = r_.string(e, "base_url", false).value_or(
          endpoint.kind == EndpointKind::openai ? default_openai_base_url() : "");
      if (endpoint.kind == EndpointKind::openai && !endpoint.base_url.starts_with("http://") &&
          !endpoint.base_url.starts_with("https://"))
        r_.error(e.value.contains("base_url") ? e.child("base_url") : e,
                 "expected a URL starting with http:// or https://; got " + dquote(endpoint.base_url));
      endpoint.api_key_env = r_.string(e, "api_key_env", false)
                                 .value_or(endpoint.kind == EndpointKind::openai ? "OPENAI_API_KEY" : "");
      endpoint.api_key_header = to_lower(r_.string(e, "api_key_header", false).value_or("authorization"));
      if (auto bad = invalid_header({{endpoint.api_key_header, ""}})) r_.error(e.child("api_key_header"), *bad);
      endpoint.rpm = r_.number(e, "rpm", 0, 1e9).value_or(0);
      endpoint.tpm = r_.number(e, "tpm", 0, 1e12).value_or(0);
      endpoint.insecure = r_.boolean(e, "insecure").value_or(false);
      if (e.value.contains("headers")) {
        const auto h = e.child("headers");
        if (!h.value.is_object()) {
          r_.error(h, "expected a mapping of header names to strings");
        } else {
          for (const auto& [hn, hv] : h.value.items()) {
            if (!hv.is_string()) {
              r_.error(h.child(hn), "expected a string");
            } else if (auto bad = invalid_header({{hn, hv.get<std::string>()}})) {
              r_.error(h.child(hn), *bad);
            } else {
              endpoint.headers[hn] = hv.get<std::string>();
            }
          }
        }
      }
      if (e.value.contains("mock")) {
        if (endpoint.kind != EndpointKind::mock) r_.error(e.child("mock"), "only for kind: mock");
        else if (!e.value["mock"].is_object()) r_.error(e.child("mock"), "expected a mapping of mock settings");
        else endpoint.mock = e.value["mock"];
      } else if (endpoint.kind == EndpointKind::mock) {
        endpoint.mock = json::object();
      }
      all_endpoints_[name] = endpoint;
    }
  }

  void read_run(const Reader::At& root) {
    if (!root.value.contains("run")) return;
    const auto at = root.child("run");
    if (!r_.expect_mapping(at, kRunKeys)) return;
    auto& run = suite_.run;
    run.concurrency = static_cast<int>(r_.integer(at, "concurrency", 1, 100000).value_or(run.concurrency));
    run.repeats = static_cast<int>(r_.integer(at, "repeats", 1, 1000).value_or(run.repeats));
    run.timeout_s = r_.number(at, "timeout_s", 0.001, 86400).value_or(run.timeout_s);
    run.connect_timeout_s = r_.number(at, "connect_timeout_s", 0.001, 3600).value_or(run.connect_timeout_s);
    run.max_attempts = static_cast<int>(r_.integer(at, "max_attempts", 1, 100).value_or(run.max_attempts));
    run.deadline_s = r_.number(at, "deadline_s", 0.001, 1e9);
    run.grace_s = r_.number(at, "grace_s", 0, 86400).value_or(run.grace_s);
    run.max_consecutive_errors =
        static_cast<int>(r_.integer(at, "max_consecutive_errors", 1, 1000000000).value_or(run.max_consecutive_errors));
    run.temperature = r_.number(at, "temperature", 0, 2);
    if (auto v = r_.integer(at, "max_tokens", 1, 10'000'000)) run.max_tokens = static_cast<int>(*v);
    run.seed = r_.integer(at, "seed", -(1LL << 62), 1LL << 62);
  }

  void read_decide(const Reader::At& root) {
    if (!root.value.contains("decide")) return;
    const auto at = root.child("decide");
    if (!r_.expect_mapping(at, kDecideKeys)) return;
    suite_.decide.monthly_requests =
        r_.integer(at, "monthly_requests", 1, 1LL << 50).value_or(suite_.decide.monthly_requests);
  }

  std::optional<ModelPrice> read_price(const Reader::At& at) {
    if (!r_.expect_mapping(at, kPriceKeys)) return std::nullopt;
    const std::size_t before = r_.error_count();
    ModelPrice p;
    auto input = r_.number(at, "input", 0, 1e6);
    auto output = r_.number(at, "output", 0, 1e6);
    if (!input) r_.error(at, "input: missing (USD per 1M input tokens)");
    if (!output) r_.error(at, "output: missing (USD per 1M output tokens)");
    p.input = input.value_or(0);
    p.output = output.value_or(0);
    p.cached_input = r_.number(at, "cached_input", 0, 1e6).value_or(p.input);
    p.training = r_.number(at, "training", 0, 1e6);
    if (r_.error_count() != before) return std::nullopt;
    return p;
  }

  void read_prices(const Reader::At& root) {
    if (!root.value.contains("prices")) return;
    const auto at = root.child("prices");
    if (!at.value.is_object()) {
      r_.error(at, "expected a mapping of model ids to prices");
      return;
    }
    for (const auto& [model, value] : at.value.items())
      if (auto p = read_price(at.child(model))) suite_.prices[model] = *p;
  }

  void read_expect(const Reader::At& root) {
    if (!root.value.contains("expect")) return;
    const auto at = root.child("expect");
    if (!r_.expect_mapping(at, kExpectKeys)) return;
    auto& expect = suite_.expect;
    const auto format = r_.string(at, "format", false);
    if (format && *format != "json" && *format != "text")
      r_.error(at.child("format"), "expected json or text; got " + dquote(*format));
    const bool typed = at.value.contains("schema") || at.value.contains("typescript");
    expect.format = format.value_or(typed ? "json" : "text");
    const CheckContext context{suite_.file};
    auto add_check = [&](const json& spec, const Reader::At& where) {
      std::string error;
      auto check = make_check(spec, context, error);
      if (!check) {
        r_.error(where, error);
        return;
      }
      expect.checks.push_back(std::move(check));
      expect.check_specs.push_back(spec);
    };
    if (expect.format == "json") add_check(json{{"type", "is-json"}}, at);
    if (at.value.contains("schema")) {
      const auto schema = at.child("schema");
      if (schema.value.is_string()) expect.schema_file = resolve_relative(suite_.file, schema.value.get<std::string>());
      if (schema.value.is_string() && !std::filesystem::exists(expect.schema_file)) {
        r_.error(schema, "file not found: " + expect.schema_file.string());
      } else {
        add_check(json{{"type", "json-schema"}, {"schema", schema.value}}, schema);
        expect.schema = schema.value;
        compile_schema(schema);
      }
    }
    if (at.value.contains("typescript")) read_typescript(at);
    else if (at.value.contains("type")) r_.error(at.child("type"), "only with typescript: FILE (the interface or type alias to expect)");
    if (at.value.contains("checks")) {
      const auto checks = at.child("checks");
      if (!checks.value.is_array()) {
        r_.error(checks, std::string("expected a list of checks; got ") + type_name(checks.value));
        return;
      }
      for (std::size_t i = 0; i < checks.value.size(); ++i) add_check(checks.value[i], checks.item(i));
    }
  }

  void compile_schema(const Reader::At& where) {
    try {
      suite_.expect.compiled_schema = where.value.is_string() ? CompiledSchema::load(suite_.expect.schema_file)
                                                              : CompiledSchema::compile(where.value);
    } catch (const SchemaError&) {
      // Already reported by the json-schema check, which compiles the same schema.
    }
  }

  // `typescript: term.ts, type: Term`: the interface people paste into prompts, as the format.
  void read_typescript(const Reader::At& at) {
    auto& expect = suite_.expect;
    const auto file = r_.string(at, "typescript", true);
    const auto type = r_.string(at, "type", false);
    if (!file) return;
    if (!type) {
      r_.error(at, "type: missing; name the interface or type alias to expect (e.g. type: Term)");
      return;
    }
    if (at.value.contains("schema")) {
      r_.error(at.child("typescript"), "give either schema or typescript, not both");
      return;
    }
    expect.typescript_file = resolve_relative(suite_.file, *file);
    expect.typescript_type = *type;
    const auto source = read_file(expect.typescript_file);
    if (!source) {
      r_.error(at.child("typescript"), "cannot read " + expect.typescript_file.string());
      return;
    }
    TypeScriptError error;
    auto schema = typescript_to_schema(*source, *type, error);
    if (!schema) {
      const auto shown = (std::filesystem::path(suite_.display_file).parent_path() / *file).lexically_normal().string();
      r_.error(at.child("typescript"), shown + ":" + std::to_string(error.line) + ":" + std::to_string(error.column) + ": " + error.message);
      return;
    }
    const CheckContext context{suite_.file};
    std::string message;
    auto check = make_check(json{{"type", "json-schema"}, {"schema", *schema}}, context, message);
    if (!check) {
      r_.error(at.child("typescript"), "the converted schema is invalid: " + message);
      return;
    }
    expect.checks.push_back(std::move(check));
    expect.check_specs.push_back(json{{"type", "json-schema"}, {"typescript", *file}, {"type_name", *type}});
    expect.schema = *schema;
    try {
      expect.compiled_schema = CompiledSchema::compile(*schema);
    } catch (const SchemaError&) {
    }
  }

  void read_variants(const Reader::At& root) {
    if (!root.value.contains("variants")) {
      r_.error(root, "variants: missing (required); list the strategies to compare");
      return;
    }
    const auto at = root.child("variants");
    if (!at.value.is_array() || at.value.empty()) {
      r_.error(at, "expected a non-empty list of variants");
      return;
    }
    std::set<std::string> ids;
    for (std::size_t i = 0; i < at.value.size(); ++i) {
      const auto v = at.item(i);
      if (!r_.expect_mapping(v, kVariantKeys)) continue;
      Variant variant;
      variant.id = r_.string(v, "id", true).value_or("");
      if (!variant.id.empty() && !ids.insert(variant.id).second)
        r_.error(v.child("id"), "duplicate variant id " + dquote(variant.id));
      variant.model = r_.string(v, "model", true).value_or("");
      read_variant_endpoint(v, variant);
      read_variant_prompt(v, variant);
      variant.temperature = r_.number(v, "temperature", 0, 2);
      if (!variant.temperature) variant.temperature = suite_.run.temperature;
      if (auto mt = r_.integer(v, "max_tokens", 1, 10'000'000)) variant.max_tokens = static_cast<int>(*mt);
      else variant.max_tokens = suite_.run.max_tokens;
      variant.seed = r_.integer(v, "seed", -(1LL << 62), 1LL << 62);
      if (!variant.seed) variant.seed = suite_.run.seed;
      if (v.value.contains("response_format")) {
        if (!v.value["response_format"].is_object()) r_.error(v.child("response_format"), "expected a mapping such as {type: json_object}");
        else variant.response_format = v.value["response_format"];
      }
      if (v.value.contains("extra_body")) {
        if (!v.value["extra_body"].is_object()) r_.error(v.child("extra_body"), "expected a mapping merged into the request body");
        else variant.extra_body = v.value["extra_body"];
      }
      variant.stream = r_.boolean(v, "stream").value_or(false);
      if (v.value.contains("training")) {
        const auto t = v.child("training");
        if (r_.expect_mapping(t, kTrainingKeys)) {
          Training training;
          training.tokens = r_.integer(t, "tokens", 0, 1LL << 50).value_or(0);
          training.epochs = static_cast<int>(r_.integer(t, "epochs", 1, 1000).value_or(1));
          training.cost_usd = r_.number(t, "cost_usd", 0, 1e9);
          if (training.tokens == 0 && !training.cost_usd)
            r_.error(t, "give tokens (training file tokens per epoch) or cost_usd");
          variant.training = training;
        }
      }
      if (v.value.contains("price")) variant.price = read_price(v.child("price"));
      if (v.value.contains("retrieve"))
        r_.error(v.child("retrieve"), "the rag strategy is not available in this version yet");
      read_variant_kind(v, variant);
      suite_.variants.push_back(std::move(variant));
    }
    if (root.value.contains("baseline")) {
      suite_.baseline = r_.string(root, "baseline", false).value_or("");
      if (!suite_.baseline.empty() && !ids.contains(suite_.baseline)) {
        std::vector<std::string_view> names(ids.begin(), ids.end());
        std::string message = "no variant has id " + dquote(suite_.baseline);
        if (auto hint = did_you_mean(suite_.baseline, names)) message += " (did you mean " + dquote(*hint) + "?)";
        r_.error(root.child("baseline"), message);
      }
    } else if (!suite_.variants.empty()) {
      suite_.baseline = suite_.variants.front().id;
    }
  }

  void read_variant_endpoint(const Reader::At& v, Variant& variant) {
    auto name = r_.string(v, "endpoint", false);
    if (!name) {
      const std::size_t defined = root_endpoint_count();
      if (defined == 1) {
        name = r_.doc().root()["endpoints"].items().begin().key();
      } else {
        r_.error(v, "endpoint: missing; name one of the suite's endpoints (built in: mock, openai)");
        return;
      }
    }
    auto it = all_endpoints_.find(*name);
    if (it == all_endpoints_.end()) {
      std::vector<std::string_view> names;
      for (const auto& [n, e] : all_endpoints_) names.push_back(n);
      std::string message = "unknown endpoint " + dquote(*name) + "; expected one of " + join_choices(names);
      if (auto hint = did_you_mean(*name, names)) message += " (did you mean " + dquote(*hint) + "?)";
      r_.error(v.value.contains("endpoint") ? v.child("endpoint") : v, message);
      return;
    }
    variant.endpoint = *name;
    suite_.endpoints[*name] = it->second;
  }

  std::size_t root_endpoint_count() const {
    const auto& root = r_.doc().root();
    if (!root.contains("endpoints") || !root["endpoints"].is_object()) return 0;
    return root["endpoints"].size();
  }

  void read_variant_prompt(const Reader::At& v, Variant& variant) {
    const auto file = r_.string(v, "system", false);
    const auto text = r_.string(v, "system_text", false);
    if (file && text) {
      r_.error(v.child("system_text"), "give either system (a file) or system_text (inline), not both");
      return;
    }
    if (text) variant.system = *text;
    if (file) {
      variant.system_file = resolve_relative(suite_.file, *file);
      if (auto content = read_file(variant.system_file)) {
        variant.system = *content;
        // A trailing newline is an artefact of the file, not part of the prompt.
        while (!variant.system->empty() && (variant.system->back() == '\n' || variant.system->back() == '\r'))
          variant.system->pop_back();
      } else {
        std::string message = "cannot read prompt file " + variant.system_file.string();
        if (file->find(' ') != std::string::npos || file->find('\n') != std::string::npos)
          message += "; system names a file: to give the prompt inline use system_text";
        r_.error(v.child("system"), message);
      }
    }
  }

  void read_variant_kind(const Reader::At& v, Variant& variant) {
    if (auto kind = r_.string(v, "kind", false)) {
      const auto it = std::find(kVariantKinds.begin(), kVariantKinds.end(), *kind);
      if (it == kVariantKinds.end()) {
        std::string message = "expected one of " + join_choices(kVariantKinds) + "; got " + dquote(*kind);
        if (auto hint = did_you_mean(*kind, kVariantKinds)) message += " (did you mean " + dquote(*hint) + "?)";
        r_.error(v.child("kind"), message);
        return;
      }
      variant.kind = static_cast<VariantKind>(it - kVariantKinds.begin());
      return;
    }
    if (variant.training || variant.model.starts_with("ft:")) variant.kind = VariantKind::fine_tuned;
    else if (variant.system) variant.kind = VariantKind::prompted;
    else variant.kind = VariantKind::as_is;
  }

  Reader r_;
  Suite suite_;
  std::map<std::string, Endpoint> all_endpoints_;
};

}  // namespace

std::optional<Suite> load_suite_text(const std::filesystem::path& file, std::string_view text,
                                     Diagnostics& errors) {
  SourceDocument doc;
  if (!SourceDocument::parse(file, file.string(), text, doc, errors)) return std::nullopt;
  return SuiteBuilder(doc, errors).build();
}

std::optional<Suite> load_suite(const std::filesystem::path& file, Diagnostics& errors) {
  const auto text = read_file(file);
  if (!text) {
    errors.add({file.string(), 0, "", "cannot read the suite file (does it exist?)"});
    return std::nullopt;
  }
  return load_suite_text(file, *text, errors);
}

}  // namespace tb
