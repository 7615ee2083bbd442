// `variants:` and `baseline:` of a suite: each strategy's endpoint, model, prompt recipe,
// parameters, training and price.
#include <algorithm>
#include <array>
#include <map>
#include <set>

#include "common/files.hpp"
#include "common/text.hpp"
#include "suite/suite_sections.hpp"

namespace tb {

namespace {

using json = nlohmann::json;

constexpr std::array<std::string_view, 21> kVariantKeys = {
    "id", "kind", "endpoint", "model", "system", "system_text", "temperature", "max_tokens",
    "seed", "response_format", "extra_body", "stream", "training", "price", "retrieve",
    "description", "few_shot", "structured", "tools", "models", "checkpoints"};
constexpr std::array<std::string_view, 4> kTrainingKeys = {"tokens", "epochs", "cost_usd", "file"};
// In VariantKind's order.
constexpr std::array<std::string_view, 7> kVariantKinds = {
    "prompted", "fine-tuned", "rag", "as-is", "few-shot", "structured", "tools"};

std::size_t declared_endpoint_count(const FieldReader& r) {
  const auto& root = r.doc().root();
  if (!root.contains("endpoints") || !root["endpoints"].is_object()) return 0;
  return root["endpoints"].size();
}

void read_variant_endpoint(FieldReader& r, const FieldReader::At& v,
                           const std::map<std::string, Endpoint>& endpoints, Variant& variant,
                           Suite& suite) {
  auto name = r.string(v, "endpoint", false);
  if (!name) {
    if (declared_endpoint_count(r) == 1) {
      name = r.doc().root()["endpoints"].items().begin().key();
    } else {
      r.error(v, "endpoint: missing; name one of the suite's endpoints (built in: mock, openai)");
      return;
    }
  }
  auto it = endpoints.find(*name);
  if (it == endpoints.end()) {
    std::vector<std::string_view> names;
    for (const auto& [n, e] : endpoints) names.push_back(n);
    std::string message = "unknown endpoint " + dquote(*name) + "; expected one of " + join_choices(names);
    if (auto hint = did_you_mean(*name, names)) message += " (did you mean " + dquote(*hint) + "?)";
    r.error(v.value.contains("endpoint") ? v.child("endpoint") : v, message);
    return;
  }
  variant.endpoint = *name;
  suite.endpoints[*name] = it->second;
}

void read_variant_prompt(FieldReader& r, const FieldReader::At& v, const Suite& suite, Variant& variant) {
  const auto file = r.string(v, "system", false);
  const auto text = r.string(v, "system_text", false);
  if (file && text) {
    r.error(v.child("system_text"), "give either system (a file) or system_text (inline), not both");
    return;
  }
  if (text) variant.system = *text;
  if (file) {
    variant.system_file = resolve_relative(suite.file, *file);
    std::string why;
    if (auto content = read_file(variant.system_file, &why)) {
      variant.system = *content;
      // A trailing newline is an artefact of the file, not part of the prompt.
      while (!variant.system->empty() && (variant.system->back() == '\n' || variant.system->back() == '\r'))
        variant.system->pop_back();
    } else {
      std::string message = "cannot read prompt file " + variant.system_file.string() + ": " + why;
      if (file->find(' ') != std::string::npos || file->find('\n') != std::string::npos)
        message += "; system names a file: to give the prompt inline use system_text";
      r.error(v.child("system"), message);
    }
  }
}

void read_variant_training(FieldReader& r, const FieldReader::At& v, const Suite& suite, Variant& variant) {
  const auto t = v.child("training");
  if (!r.expect_mapping(t, kTrainingKeys)) return;
  Training training;
  training.tokens = r.integer(t, "tokens", 0, 1LL << 50).value_or(0);
  // epochs: a number, or auto (the default): what `dataset check` bills for the file.
  if (t.value.contains("epochs") && t.value["epochs"].is_string()) {
    if (t.value["epochs"] != "auto")
      r.error(t.child("epochs"), "expected a whole number of epochs (1 to 1000) or auto; got " +
                                     dquote(t.value["epochs"].get<std::string>()));
  } else {
    training.epochs = static_cast<int>(r.integer(t, "epochs", 1, 1000).value_or(0));
  }
  training.cost_usd = r.number(t, "cost_usd", 0, 1e9);
  if (auto file = r.string(t, "file", false)) {
    if (t.value.contains("tokens"))
      r.error(t.child("tokens"), "give either file (counted here) or tokens, not both");
    training.file = resolve_relative(suite.file, *file);
    training.file_display = display_path(suite, *file);
    if (auto problem = file_read_problem(training.file)) r.error(t.child("file"), *problem);
  } else if (training.tokens == 0 && !training.cost_usd) {
    r.error(t, "give file (the fine-tuning file), tokens (its tokens per epoch) or cost_usd");
  }
  variant.training = training;
}

// The strategy that most shapes the answer names the kind: retrieval, fine-tuning (a training
// cost, an ft: model, or a checkpoint of a sweep: a model with a training step), a tool call,
// a schema-constrained answer, worked examples, then a prompt.
VariantKind inferred_kind(const FieldReader::At& v, const Variant& variant) {
  if (v.value.contains("retrieve")) return VariantKind::rag;
  if (variant.training || variant.model.starts_with("ft:") || (variant.sweep && variant.sweep->step))
    return VariantKind::fine_tuned;
  if (variant.tools_spec) return VariantKind::tools;
  if (variant.structured) return VariantKind::structured;
  if (variant.few_shot) return VariantKind::few_shot;
  if (variant.system) return VariantKind::prompted;
  return VariantKind::as_is;
}

// `retrieve:` is what makes a variant rag: a rag kind without it would run as a plain prompted
// variant under a label that says otherwise, and another kind with it would hide its passages.
void read_variant_kind(FieldReader& r, const FieldReader::At& v, Variant& variant) {
  if (auto kind = r.string(v, "kind", false)) {
    const auto it = std::find(kVariantKinds.begin(), kVariantKinds.end(), *kind);
    if (it == kVariantKinds.end()) {
      std::string message = "expected one of " + join_choices(kVariantKinds) + "; got " + dquote(*kind);
      if (auto hint = did_you_mean(*kind, kVariantKinds)) message += " (did you mean " + dquote(*hint) + "?)";
      r.error(v.child("kind"), message);
      return;
    }
    variant.kind = static_cast<VariantKind>(it - kVariantKinds.begin());
    if (variant.kind == VariantKind::rag && !v.value.contains("retrieve"))
      r.error(v.child("kind"),
              "kind rag needs retrieve: {corpus: FOLDER_OR_JSONL, k: N} (the passages to insert); "
              "without it the variant would run as a plain prompted one labelled rag");
    else if (variant.kind != VariantKind::rag && v.value.contains("retrieve"))
      r.error(v.child("kind"), "a variant with retrieve: is a rag variant; set kind: rag or remove kind");
    return;
  }
  variant.kind = inferred_kind(v, variant);
}

Variant read_variant(FieldReader& r, const FieldReader::At& v, const std::map<std::string, Endpoint>& endpoints,
                     std::set<std::string>& ids, Suite& suite, bool sweep) {
  Variant variant;
  variant.id = r.string(v, "id", true).value_or("");
  if (!variant.id.empty() && !ids.insert(variant.id).second)
    r.error(v.child("id"), "duplicate variant id " + dquote(variant.id));
  // A sweep's models come from models: or checkpoints: (read_variant_sweep).
  if (!sweep) variant.model = r.string(v, "model", true).value_or("");
  read_variant_endpoint(r, v, endpoints, variant, suite);
  read_variant_prompt(r, v, suite, variant);
  variant.temperature = r.number(v, "temperature", 0, 2);
  if (!variant.temperature) variant.temperature = suite.run.temperature;
  if (auto mt = r.integer(v, "max_tokens", 1, 10'000'000)) variant.max_tokens = static_cast<int>(*mt);
  else variant.max_tokens = suite.run.max_tokens;
  variant.seed = r.integer(v, "seed", -(1LL << 62), 1LL << 62);
  if (!variant.seed) variant.seed = suite.run.seed;
  if (v.value.contains("response_format")) {
    if (!v.value["response_format"].is_object())
      r.error(v.child("response_format"), "expected a mapping such as {type: json_object}");
    else variant.response_format = v.value["response_format"];
  }
  if (v.value.contains("extra_body")) {
    if (!v.value["extra_body"].is_object()) r.error(v.child("extra_body"), "expected a mapping merged into the request body");
    else variant.extra_body = v.value["extra_body"];
  }
  variant.stream = r.boolean(v, "stream").value_or(false);
  if (v.value.contains("training")) read_variant_training(r, v, suite, variant);
  if (v.value.contains("price")) variant.price = read_price(r, v.child("price"));
  if (v.value.contains("retrieve")) read_variant_retrieve(r, v, endpoints, suite, variant);
  read_variant_strategies(r, v, suite, variant);
  read_variant_kind(r, v, variant);
  return variant;
}

// One variant of a sweep: the variant as written, on one model, named <id>@<label>.
Variant expand(const FieldReader::At& v, const Variant& written, const SweepModel& m) {
  Variant one = written;
  one.id = written.id + "@" + sweep_label(m);
  one.model = m.model;
  one.sweep = SweepOrigin{written.id, m.step, m.loss};
  if (!v.value.contains("kind")) one.kind = inferred_kind(v, one);
  return one;
}

}  // namespace

void read_variants(FieldReader& r, const FieldReader::At& root, const std::map<std::string, Endpoint>& endpoints,
                   Suite& suite) {
  if (!root.value.contains("variants")) {
    r.error(root, "variants: missing (required); list the strategies to compare");
    return;
  }
  const auto at = root.child("variants");
  if (!at.value.is_array() || at.value.empty()) {
    r.error(at, "expected a non-empty list of variants");
    return;
  }
  std::set<std::string> ids;
  std::map<std::string, std::string> swept;  // the id of a swept variant -> its first variant's
  for (std::size_t i = 0; i < at.value.size(); ++i) {
    const auto v = at.item(i);
    if (!r.expect_mapping(v, kVariantKeys)) continue;
    const auto models = read_variant_sweep(r, v, suite);
    Variant variant = read_variant(r, v, endpoints, ids, suite, models.has_value());
    if (!models) {
      suite.variants.push_back(std::move(variant));
      continue;
    }
    for (const auto& m : *models) {
      Variant one = expand(v, variant, m);
      if (!ids.insert(one.id).second)
        r.error(v.child(m.line > 0 ? "checkpoints" : "models"),
                "the sweep's variant " + dquote(one.id) + " has the id of another variant");
      else if (swept.find(variant.id) == swept.end())
        swept[variant.id] = one.id;
      suite.variants.push_back(std::move(one));
    }
  }
  if (root.value.contains("baseline")) {
    suite.baseline = r.string(root, "baseline", false).value_or("");
    if (auto it = swept.find(suite.baseline); it != swept.end()) {
      r.error(root.child("baseline"), dquote(suite.baseline) + " is a sweep, run once per model; name one of its variants, such as " +
                                          dquote(it->second));
    } else if (!suite.baseline.empty() && !ids.contains(suite.baseline)) {
      std::vector<std::string_view> names(ids.begin(), ids.end());
      std::string message = "no variant has id " + dquote(suite.baseline);
      if (auto hint = did_you_mean(suite.baseline, names)) message += " (did you mean " + dquote(*hint) + "?)";
      r.error(root.child("baseline"), message);
    }
  } else if (!suite.variants.empty()) {
    suite.baseline = suite.variants.front().id;
  }
}

}  // namespace tb
