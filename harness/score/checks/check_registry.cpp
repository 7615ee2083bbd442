#include <algorithm>
#include <array>
#include <cmath>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/text.hpp"
#include "score/check.hpp"
#include "score/checks/check_factories.hpp"
#include "score/checks/check_spec.hpp"

namespace tb {
namespace {

struct Entry {
  std::string_view type;
  CheckFactory factory;
};

constexpr std::array kChecks = {
    Entry{"is-json", make_is_json_check},
    Entry{"contains-json", make_contains_json_check},
    Entry{"json-schema", make_json_schema_check},
    Entry{"equals", make_equals_check},
    Entry{"contains", make_contains_check},
    Entry{"icontains", make_icontains_check},
    Entry{"not-contains", make_not_contains_check},
    Entry{"starts-with", make_starts_with_check},
    Entry{"regex", make_regex_check},
    Entry{"field-equals", make_field_equals_check},
    Entry{"field-matches", make_field_matches_check},
    Entry{"field-accuracy", make_field_accuracy_check},
    Entry{"max-length", make_max_length_check},
    Entry{"max-tokens", make_max_tokens_check},
    Entry{"similarity", make_similarity_check},
    Entry{"latency", make_latency_check},
    Entry{"cost", make_cost_check},
    Entry{"judge", make_judge_check},
};

// The first number in a check's spec that is not finite (a YAML suite can write .nan and .inf;
// JSON cannot), as "key/inner/key: got NaN"; nullopt when every number is finite. A NaN bound
// or tolerance would make every comparison false: a check that can never pass, or never fail.
std::optional<std::string> non_finite_number(const nlohmann::json& spec) {
  std::vector<std::pair<const nlohmann::json*, std::string>> pending = {{&spec, ""}};
  while (!pending.empty()) {
    auto [value, path] = std::move(pending.back());
    pending.pop_back();
    if (value->is_number_float() && !std::isfinite(value->get<double>())) {
      const double v = value->get<double>();
      return (path.empty() ? std::string("value") : path.substr(1)) +
             ": expected a finite number; got " +
             (std::isnan(v) ? "NaN"
              : v > 0       ? "infinity"
                            : "-infinity");
    }
    if (value->is_object()) {
      for (auto it = value->begin(); it != value->end(); ++it)
        pending.emplace_back(&*it, path + "/" + it.key());
    } else if (value->is_array()) {
      for (std::size_t i = 0; i < value->size(); ++i)
        pending.emplace_back(&(*value)[i], path + "/" + std::to_string(i));
    }
  }
  return std::nullopt;
}

}  // namespace

std::shared_ptr<const Check> make_check(const nlohmann::json& spec, const CheckContext& context,
                                        std::string& error) {
  if (!spec.is_object()) {
    error = "expected a check object such as {type: is-json}";
    return nullptr;
  }
  if (!spec.contains("type") || !spec["type"].is_string()) {
    error = "type: missing; every check needs a type";
    return nullptr;
  }
  const std::string type = spec["type"].get<std::string>();
  std::array<std::string_view, kChecks.size()> names{};
  for (std::size_t i = 0; i < kChecks.size(); ++i) names[i] = kChecks[i].type;
  const auto it = std::find_if(kChecks.begin(), kChecks.end(),
                               [&](const Entry& e) { return e.type == type; });
  if (it == kChecks.end()) {
    error = "type: unknown check " + dquote(type) + "; expected one of " + join_choices(names);
    if (auto hint = did_you_mean(type, names)) error += " (did you mean " + dquote(*hint) + "?)";
    return nullptr;
  }
  if (auto problem = non_finite_number(spec)) {
    error = std::move(*problem);
    return nullptr;
  }
  CheckSpec common(spec, error);
  const auto label = common.string("name", false);
  const auto required = common.boolean("required");
  const auto weight = common.number("weight", false);
  if (!error.empty()) return nullptr;
  if (weight && *weight < 0) {
    error = "weight: expected a number >= 0";
    return nullptr;
  }
  auto check = it->factory(spec, context, error);
  if (!check) return nullptr;
  check->set_common(type, label.value_or(type), required.value_or(true), weight.value_or(1.0));
  return check;
}

std::optional<std::vector<std::string>> read_texts(CheckSpec& spec) {
  std::vector<std::string> texts;
  if (spec.has("value")) {
    auto v = spec.string("value", true);
    if (!v) return std::nullopt;
    texts.push_back(std::move(*v));
  }
  if (spec.has("values")) {
    const auto& values = spec.at("values");
    const bool ok = values.is_array() && !values.empty() &&
                    std::all_of(values.begin(), values.end(),
                                [](const nlohmann::json& v) { return v.is_string(); });
    if (!ok) {
      spec.fail("values: expected a non-empty array of strings");
      return std::nullopt;
    }
    for (const auto& v : values) texts.push_back(v.get<std::string>());
  }
  if (texts.empty()) {
    spec.fail("value: missing; give value: TEXT or values: [TEXT, ...]");
    return std::nullopt;
  }
  return texts;
}

std::optional<long long> read_count(CheckSpec& spec, std::string_view key) {
  const auto n = spec.number(key, true);
  if (!n) return std::nullopt;
  // 2^53: beyond it a double no longer holds every whole number.
  if (*n < 0 || *n > 9007199254740992.0 || std::floor(*n) != *n) {
    spec.fail(std::string(key) + ": expected a whole number >= 0");
    return std::nullopt;
  }
  return static_cast<long long>(*n);
}

std::optional<double> read_share(CheckSpec& spec, std::string_view key, double fallback) {
  if (!spec.has(key)) return fallback;
  const auto n = spec.number(key, false);
  if (!n) return std::nullopt;
  if (*n < 0 || *n > 1) {
    spec.fail(std::string(key) + ": expected a number between 0 and 1");
    return std::nullopt;
  }
  return *n;
}

}  // namespace tb
