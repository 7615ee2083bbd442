#include <array>
#include <utility>

#include "common/text.hpp"
#include "score/check.hpp"
#include "score/check_factories.hpp"
#include "score/check_spec.hpp"

namespace tb {
namespace {

struct Entry {
  std::string_view type;
  CheckFactory factory;
};

constexpr std::array kChecks = {
    Entry{"is-json", make_is_json_check},       Entry{"json-schema", make_json_schema_check},
    Entry{"regex", make_regex_check},           Entry{"equals", make_equals_check},
    Entry{"contains", make_contains_check},     Entry{"field-equals", make_field_equals_check},
};

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

}  // namespace tb
