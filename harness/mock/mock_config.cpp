#include "mock/mock_config.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include <nlohmann/json.hpp>

#include "common/text.hpp"
#include "suite/model_sweep.hpp"

namespace tb {
namespace {

constexpr std::array<std::string_view, 8> kTopKeys = {
    "seed", "latency", "models", "profiles", "faults", "limits", "prompt_cache", "checkpoints"};
constexpr std::array<std::string_view, 1> kCheckpointKeys = {"learn_steps"};
constexpr std::array<std::string_view, 2> kPromptCacheKeys = {"min_tokens", "increment"};
constexpr std::array<std::string_view, 9> kFaultKeys = {
    "rate_limit", "retry_after_s", "server_error", "stall", "stall_ms", "reset", "truncated",
    "malformed", "stream_delay_ms"};
constexpr std::array<std::string_view, 3> kLimitKeys = {"rpm", "window_s", "burst"};
constexpr std::array<std::string_view, 5> kLatencyKeys = {
    "distribution", "median_ms", "sigma", "per_prompt_token_ms", "per_output_token_ms"};
constexpr std::array<std::string_view, 9> kProfileKeys = {
    "format_break",       "format_break_unprompted", "format_break_structured",
    "field_error",        "field_error_grounded",    "field_error_misled",
    "error_rate",         "general_regression",      "regressed_cases"};

bool check_keys(const nlohmann::json& j, std::span<const std::string_view> keys,
                const std::string& where, Diagnostics& errors) {
  if (!j.is_object()) {
    errors.add({where, 0, "", "expected a mapping"});
    return false;
  }
  bool ok = true;
  for (const auto& [key, value] : j.items()) {
    if (std::find(keys.begin(), keys.end(), key) != keys.end()) continue;
    std::string message = "unknown mock setting; expected one of " + join_choices(keys);
    if (auto hint = did_you_mean(key, keys)) message += " (did you mean " + dquote(*hint) + "?)";
    errors.add({where, 0, key, message});
    ok = false;
  }
  return ok;
}

bool number(const nlohmann::json& j, const char* key, double min, double max, double& out,
            const std::string& where, Diagnostics& errors) {
  if (!j.contains(key)) return true;
  // Written so that NaN fails too (every comparison with NaN is false).
  if (!j[key].is_number() || !(j[key].get<double>() >= min && j[key].get<double>() <= max)) {
    errors.add({where, 0, key, "expected a number from " + fixed(min, 0) + " to " + fixed(max, 0)});
    return false;
  }
  out = j[key].get<double>();
  return true;
}

bool parse_profile(const nlohmann::json& j, const std::string& where, MockProfile& p,
                   Diagnostics& errors) {
  if (!check_keys(j, kProfileKeys, where, errors)) return false;
  bool ok = number(j, "format_break", 0, 1, p.format_break, where, errors);
  ok &= number(j, "format_break_unprompted", 0, 1, p.format_break_unprompted, where, errors);
  ok &= number(j, "format_break_structured", 0, 1, p.format_break_structured, where, errors);
  ok &= number(j, "field_error", 0, 1, p.field_error, where, errors);
  ok &= number(j, "field_error_grounded", 0, 1, p.field_error_grounded, where, errors);
  ok &= number(j, "field_error_misled", 0, 1, p.field_error_misled, where, errors);
  ok &= number(j, "error_rate", 0, 1, p.error_rate, where, errors);
  ok &= number(j, "general_regression", 0, 1, p.general_regression, where, errors);
  if (j.contains("regressed_cases")) {
    const auto& ids = j["regressed_cases"];
    const bool strings = ids.is_array() && std::all_of(ids.begin(), ids.end(),
                                                       [](const nlohmann::json& id) { return id.is_string(); });
    if (!strings) {
      errors.add({where, 0, "regressed_cases", "expected a list of case ids"});
      ok = false;
    } else {
      p.regressed_cases = ids.get<std::vector<std::string>>();
    }
  }
  return ok;
}

}  // namespace

MockConfig default_mock_config() {
  MockConfig c;
  c.fine_tuned.format_break = 0.02;
  c.fine_tuned.format_break_unprompted = 0.03;
  c.fine_tuned.field_error = 0.04;
  c.fine_tuned.field_error_grounded = 0.01;
  return c;
}

MockProfile MockConfig::profile_for(const std::string& model) const {
  const MockProfile* own = nullptr;
  for (const auto& [pattern, profile] : models) {
    if (pattern.ends_with('*') ? model.starts_with(pattern.substr(0, pattern.size() - 1))
                               : model == pattern) {
      own = &profile;
      break;
    }
  }
  const auto step = checkpoint_step_of(model);
  if (!step) return own ? *own : model.starts_with("ft:") ? fine_tuned : base;
  // A checkpoint: trained towards its own profile (an adapter's name need not start with ft:).
  MockProfile p = own ? *own : fine_tuned;
  const double trained = 1 - std::exp(-static_cast<double>(*step) / checkpoints.learn_steps);
  const auto blend = [&](double MockProfile::*rate) {
    p.*rate = base.*rate + (p.*rate - base.*rate) * trained;
  };
  blend(&MockProfile::format_break);
  blend(&MockProfile::format_break_unprompted);
  blend(&MockProfile::field_error);
  blend(&MockProfile::field_error_grounded);
  return p;
}

bool parse_mock_config(const nlohmann::json& s, const std::string& where, MockConfig& out,
                       Diagnostics& errors) {
  if (s.is_null()) return true;
  if (!check_keys(s, kTopKeys, where, errors)) return false;
  bool ok = true;
  if (s.contains("seed")) {
    if (!s["seed"].is_number_integer()) {
      errors.add({where, 0, "seed", "expected a whole number"});
      ok = false;
    } else {
      out.seed = s["seed"].get<std::uint64_t>();
    }
  }
  if (s.contains("latency")) {
    const auto& l = s["latency"];
    const std::string w = where + " latency";
    if (check_keys(l, kLatencyKeys, w, errors)) {
      if (l.contains("distribution")) {
        const auto d = l["distribution"].is_string() ? l["distribution"].get<std::string>() : "";
        if (d != "fixed" && d != "uniform" && d != "lognormal") {
          errors.add({w, 0, "distribution", "expected fixed, uniform or lognormal"});
          ok = false;
        } else {
          out.latency.distribution = d;
        }
      }
      ok &= number(l, "median_ms", 0, 600000, out.latency.median_ms, w, errors);
      ok &= number(l, "sigma", 0, 5, out.latency.sigma, w, errors);
      ok &= number(l, "per_prompt_token_ms", 0, 1000, out.latency.per_prompt_token_ms, w, errors);
      ok &= number(l, "per_output_token_ms", 0, 1000, out.latency.per_output_token_ms, w, errors);
    } else {
      ok = false;
    }
  }
  if (s.contains("faults")) {
    const auto& f = s["faults"];
    const std::string w = where + " faults";
    if (check_keys(f, kFaultKeys, w, errors)) {
      auto& o = out.faults;
      ok &= number(f, "rate_limit", 0, 1, o.rate_limit, w, errors);
      ok &= number(f, "retry_after_s", 0, 3600, o.retry_after_s, w, errors);
      ok &= number(f, "server_error", 0, 1, o.server_error, w, errors);
      ok &= number(f, "stall", 0, 1, o.stall, w, errors);
      ok &= number(f, "stall_ms", 0, 3600000, o.stall_ms, w, errors);
      ok &= number(f, "reset", 0, 1, o.reset, w, errors);
      ok &= number(f, "truncated", 0, 1, o.truncated, w, errors);
      ok &= number(f, "malformed", 0, 1, o.malformed, w, errors);
      ok &= number(f, "stream_delay_ms", -1, 600000, o.stream_delay_ms, w, errors);
      if (o.rate_limit + o.server_error + o.stall + o.reset + o.truncated + o.malformed > 1) {
        errors.add({w, 0, "", "the fault rates add up to more than 1"});
        ok = false;
      }
    } else {
      ok = false;
    }
  }
  if (s.contains("limits")) {
    const auto& l = s["limits"];
    const std::string w = where + " limits";
    if (check_keys(l, kLimitKeys, w, errors)) {
      ok &= number(l, "rpm", 0, 1e9, out.limits.rpm, w, errors);
      ok &= number(l, "window_s", 0.01, 3600, out.limits.window_s, w, errors);
      ok &= number(l, "burst", 0, 1e6, out.limits.burst, w, errors);
    } else {
      ok = false;
    }
  }
  if (s.contains("prompt_cache")) {
    const auto& c = s["prompt_cache"];
    const std::string w = where + " prompt_cache";
    if (check_keys(c, kPromptCacheKeys, w, errors)) {
      out.prompt_cache.enabled = true;
      ok &= number(c, "min_tokens", 0, 1e9, out.prompt_cache.min_tokens, w, errors);
      ok &= number(c, "increment", 1, 1e6, out.prompt_cache.increment, w, errors);
    } else {
      ok = false;
    }
  }
  if (s.contains("checkpoints")) {
    const auto& c = s["checkpoints"];
    const std::string w = where + " checkpoints";
    if (check_keys(c, kCheckpointKeys, w, errors))
      ok &= number(c, "learn_steps", 0.001, 1e9, out.checkpoints.learn_steps, w, errors);
    else
      ok = false;
  }
  if (s.contains("profiles")) {
    const auto& p = s["profiles"];
    static constexpr std::array<std::string_view, 2> kProfiles = {"base", "fine-tuned"};
    if (check_keys(p, kProfiles, where + " profiles", errors)) {
      if (p.contains("base")) ok &= parse_profile(p["base"], where + " profiles.base", out.base, errors);
      if (p.contains("fine-tuned"))
        ok &= parse_profile(p["fine-tuned"], where + " profiles.fine-tuned", out.fine_tuned, errors);
    } else {
      ok = false;
    }
  }
  if (s.contains("models")) {
    const auto& m = s["models"];
    if (!m.is_object()) {
      errors.add({where, 0, "models", "expected a mapping of model ids to profiles"});
      return false;
    }
    for (const auto& [model, value] : m.items()) {
      MockProfile profile = model.starts_with("ft:") ? out.fine_tuned : out.base;
      if (parse_profile(value, where + " models." + model, profile, errors))
        out.models.emplace_back(model, profile);
      else
        ok = false;
    }
  }
  return ok;
}

}  // namespace tb
