// `gate:` of a suite: the thresholds a run must meet for `run` and `gate` to exit 0.
#include <algorithm>
#include <array>

#include "common/text.hpp"
#include "suite/suite_sections.hpp"

namespace tb {

namespace {

using json = nlohmann::json;

constexpr std::array<std::string_view, 8> kGateKeys = {
    "min_conformance", "use", "no_regression", "max_cost_per_1k", "max_p95_latency_ms",
    "max_error_rate", "min_pass_all", "description"};
constexpr std::array<std::string_view, 4> kRegressionKeys = {"against", "variants",
                                                            "max_regressed_cases", "alpha"};

// A variant id the suite defines, else an error with a did-you-mean.
bool known_variant(FieldReader& r, const FieldReader::At& at, const std::string& id, const Suite& suite) {
  if (id == "*" || suite.find_variant(id)) return true;
  std::vector<std::string_view> ids;
  for (const auto& v : suite.variants) ids.push_back(v.id);
  std::string message = "no variant has id " + dquote(id) + "; expected one of " + join_choices(ids) + " or *";
  if (auto hint = did_you_mean(id, ids)) message += " (did you mean " + dquote(*hint) + "?)";
  r.error(at, message);
  return false;
}

// `key: 0.95` (every variant) or `key: {variant: 0.95, ...}`.
void read_thresholds(FieldReader& r, const FieldReader::At& gate, const std::string& key, double min, double max,
                     const Suite& suite, std::map<std::string, double>& out) {
  if (!gate.value.contains(key)) return;
  const auto at = gate.child(key);
  if (at.value.is_number()) {
    if (auto v = r.number(gate, key, min, max)) out["*"] = *v;
    return;
  }
  if (!at.value.is_object() || at.value.empty()) {
    r.error(at, "expected a number (for every variant) or a mapping of variant ids to numbers; got " +
                    std::string(json_type_name(at.value)));
    return;
  }
  for (const auto& [id, value] : at.value.items()) {
    if (!known_variant(r, at.child(id), id, suite)) continue;
    if (auto v = r.number(at, id, min, max)) out[id] = *v;
  }
}

// "latest-passing", a run id, FILE.db:RUN or variant:ID.
bool valid_reference(const std::string& against) {
  if (against == "latest-passing" || against == "latest") return true;
  if (against.starts_with("variant:")) return against.size() > 8;
  const auto colon = against.rfind(':');
  const std::string run = colon == std::string::npos ? against : against.substr(colon + 1);
  return !run.empty() && (run == "latest" || run == "latest-passing" ||
                          run.find_first_not_of("0123456789") == std::string::npos);
}

void read_regression(FieldReader& r, const FieldReader::At& at, const Suite& suite, Gates& gates) {
  if (!r.expect_mapping(at, kRegressionKeys)) return;
  RegressionGate g;
  if (at.value.contains("against") && at.value["against"].is_number_integer())
    g.against = std::to_string(at.value["against"].get<long long>());  // against: 12, a run id
  else
    g.against = r.string(at, "against", false).value_or(g.against);
  if (!valid_reference(g.against)) {
    r.error(at.child("against"), "expected latest-passing, a run id, FILE.db:RUN or variant:ID; got " + dquote(g.against));
  } else if (g.against.starts_with("variant:")) {
    known_variant(r, at.child("against"), g.against.substr(8), suite);
  }
  if (at.value.contains("variants")) {
    const auto list = at.child("variants");
    if (!list.value.is_array()) {
      r.error(list, std::string("expected a list of variant ids; got ") + json_type_name(list.value));
    } else if (list.value.empty()) {
      r.error(list, "empty; name the variants to check, or leave variants: out to check every variant both runs share");
    } else {
      for (std::size_t i = 0; i < list.value.size(); ++i) {
        const auto item = list.item(i);
        if (!item.value.is_string()) r.error(item, "expected a variant id");
        else if (known_variant(r, item, item.value.get<std::string>(), suite)) g.variants.push_back(item.value.get<std::string>());
      }
    }
  }
  g.max_regressed_cases = r.integer(at, "max_regressed_cases", 0, 1LL << 40).value_or(g.max_regressed_cases);
  g.alpha = r.number(at, "alpha", 0, 1).value_or(g.alpha);
  if (g.against.starts_with("variant:") &&
      std::find(g.variants.begin(), g.variants.end(), g.against.substr(8)) != g.variants.end())
    r.error(at.child("variants"), "holds " + g.against.substr(8) + ", the variant it is compared against; a variant "
                                  "cannot regress against itself");
  if (g.against.starts_with("variant:") && g.variants.empty())
    r.error(at, "variants: missing; name the variants that must not fall below " + g.against.substr(8));
  gates.no_regression.push_back(std::move(g));
}

}  // namespace

void read_gates(FieldReader& r, const FieldReader::At& root, Suite& suite) {
  if (!root.value.contains("gate")) return;
  const auto at = root.child("gate");
  if (!r.expect_mapping(at, kGateKeys)) return;
  auto& gates = suite.gates;
  read_thresholds(r, at, "min_conformance", 0, 1, suite, gates.min_conformance);
  if (auto use = r.string(at, "use", false)) {
    if (*use != "point" && *use != "lower_bound")
      r.error(at.child("use"), "expected point or lower_bound; got " + dquote(*use));
    gates.use_lower_bound = *use == "lower_bound";
  }
  if (at.value.contains("no_regression")) {
    const auto nr = at.child("no_regression");
    if (nr.value.is_array()) {
      for (std::size_t i = 0; i < nr.value.size(); ++i) read_regression(r, nr.item(i), suite, gates);
    } else {
      read_regression(r, nr, suite, gates);
    }
  }
  read_thresholds(r, at, "max_cost_per_1k", 0, 1e9, suite, gates.max_cost_per_1k);
  read_thresholds(r, at, "max_p95_latency_ms", 0, 1e9, suite, gates.max_p95_latency_ms);
  read_thresholds(r, at, "max_error_rate", 0, 1, suite, gates.max_error_rate);
  read_thresholds(r, at, "min_pass_all", 0, 1, suite, gates.min_pass_all);
  if (at.value.empty()) r.error(at, "no gate given; expected one of " + join_choices(kGateKeys));
}

}  // namespace tb
