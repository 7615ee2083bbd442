#include "analysis/price_catalog.hpp"

#include <cstdlib>

#include <nlohmann/json.hpp>

#include "common/data_dir.hpp"
#include "common/files.hpp"
#include "common/json_depth.hpp"

namespace tb {
namespace {

bool read_price(const nlohmann::json& j, ModelPrice& out) {
  if (!j.is_object() || !j.contains("input") || !j.contains("output") || !j["input"].is_number() ||
      !j["output"].is_number())
    return false;
  out.input = j["input"].get<double>();
  out.output = j["output"].get<double>();
  out.cached_input = j.contains("cached_input") && j["cached_input"].is_number()
                         ? j["cached_input"].get<double>()
                         : out.input;
  if (j.contains("training") && j["training"].is_number()) out.training = j["training"].get<double>();
  return true;
}

// "gpt-4o-mini-2024-07-18" -> "gpt-4o-mini": snapshots are priced like their family.
std::string strip_date_suffix(const std::string& model) {
  if (model.size() > 11) {
    const std::string tail = model.substr(model.size() - 11);
    const bool dated = tail[0] == '-' && tail[5] == '-' && tail[8] == '-' &&
                       std::isdigit(static_cast<unsigned char>(tail[1])) &&
                       std::isdigit(static_cast<unsigned char>(tail[10]));
    if (dated) return model.substr(0, model.size() - 11);
  }
  if (model.size() > 5) {  // "gpt-3.5-turbo-0125"
    const std::string tail = model.substr(model.size() - 5);
    if (tail[0] == '-' && tail.find_first_not_of("0123456789", 1) == std::string::npos)
      return model.substr(0, model.size() - 5);
  }
  return model;
}

}  // namespace

std::filesystem::path PriceCatalog::default_path() {
  if (const char* env = std::getenv("TUNEBENCH_PRICES"); env != nullptr && *env != '\0') return env;
  if (auto found = find_data_file("datasets/prices.json")) return *found;
  // Not found: the installed place, for the error message to name.
  const auto dirs = data_dir_candidates();
  return (dirs.empty() ? std::filesystem::path("share/tunebench") : dirs.front()) / "datasets" / "prices.json";
}

std::optional<PriceCatalog> PriceCatalog::load(const std::filesystem::path& file,
                                               Diagnostics& errors) {
  std::string why;
  const auto text = read_file(file, &why);
  if (!text) {
    errors.add({file.string(), 0, "",
                "cannot read the price catalog: " + why + " (tunebench's own is datasets/prices.json in its data folder: "
                "PREFIX/share/tunebench beside PREFIX/bin/tunebench, or $TUNEBENCH_DATA_DIR; a suite's "
                "price_catalog or $TUNEBENCH_PRICES names another)"});
    return std::nullopt;
  }
  const auto j = parse_json_bounded(*text);
  if (j.is_discarded() || !j.is_object() || !j.contains("models") || !j["models"].is_object()) {
    errors.add({file.string(), 0, "", "expected a JSON object with \"updated\" and \"models\""});
    return std::nullopt;
  }
  PriceCatalog catalog;
  catalog.file_ = file;
  catalog.updated_ = j.value("updated", "undated");
  for (const auto& [model, value] : j["models"].items()) {
    Entry e;
    if (!read_price(value, e.base)) {
      errors.add({file.string(), 0, "models." + model, "expected {input: USD, output: USD, ...}"});
      continue;
    }
    if (value.contains("fine_tuned")) {
      ModelPrice ft;
      if (!read_price(value["fine_tuned"], ft)) {
        errors.add({file.string(), 0, "models." + model + ".fine_tuned", "expected {input, output, training}"});
        continue;
      }
      e.fine_tuned = ft;
    }
    if (value.contains("lifecycle")) {
      const auto& l = value["lifecycle"];
      ModelLifecycle life;
      bool ok = l.is_object();
      const auto date = [&](const char* key, std::optional<std::string>& out) {
        if (!ok || !l.contains(key)) return;
        if (!l[key].is_string() || !days_between(l[key].get<std::string>(), "2000-01-01")) {
          errors.add({file.string(), 0, "models." + model + ".lifecycle." + key, "expected a date YYYY-MM-DD"});
          ok = false;
          return;
        }
        out = l[key].get<std::string>();
      };
      date("shutdown", life.shutdown);
      date("fine_tuning_ends", life.fine_tuning_ends);
      if (ok && l.contains("replacement") && l["replacement"].is_string()) life.replacement = l["replacement"].get<std::string>();
      if (ok && l.contains("retired")) life.retired = l["retired"].is_boolean() && l["retired"].get<bool>();
      if (!l.is_object())
        errors.add({file.string(), 0, "models." + model + ".lifecycle", "expected {shutdown, fine_tuning_ends, replacement}"});
      if (ok) e.lifecycle = life;
    }
    if (value.contains("training_example_limit") && value["training_example_limit"].is_number_integer())
      e.training_example_limit = value["training_example_limit"].get<long long>();
    catalog.models_[model] = e;
  }
  if (!errors.empty()) return std::nullopt;
  return catalog;
}

const PriceCatalog::Entry* PriceCatalog::entry_for(const std::string& model, bool& fine_tuned) const {
  std::string name = model;
  fine_tuned = false;
  if (name.starts_with("ft:")) {
    fine_tuned = true;
    name = name.substr(3, name.find(':', 3) - 3);
  }
  for (const auto& candidate : {name, strip_date_suffix(name)}) {
    if (auto it = models_.find(candidate); it != models_.end()) return &it->second;
  }
  return nullptr;
}

std::optional<ModelPrice> PriceCatalog::find(const std::string& model) const {
  bool fine_tuned = false;
  const Entry* e = entry_for(model, fine_tuned);
  if (e == nullptr) return std::nullopt;
  if (fine_tuned) return e->fine_tuned;
  return e->base;
}

std::optional<long long> PriceCatalog::training_example_limit(const std::string& model) const {
  bool fine_tuned = false;
  const Entry* e = entry_for(model, fine_tuned);
  if (e == nullptr) return std::nullopt;
  return e->training_example_limit;
}

std::optional<ModelLifecycle> PriceCatalog::lifecycle(const std::string& model) const {
  bool fine_tuned = false;
  const Entry* e = entry_for(model, fine_tuned);
  if (e == nullptr) return std::nullopt;
  return e->lifecycle;
}

std::vector<PriceCatalog::Listing> PriceCatalog::listings() const {
  std::vector<Listing> out;
  for (const auto& [model, e] : models_) out.push_back({model, e.base, e.fine_tuned, e.lifecycle});
  return out;
}

}  // namespace tb
