#pragma once
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>
#include <optional>

#include "common/json_depth.hpp"
#include "common/json_tape.hpp"

namespace tb {

struct JudgeSpec;

// What a check sees of one result. The output is parsed once per result by the scorer, into a
// JsonTape (cheap; enough for is-json and json-schema on valid outputs); the json trees that
// other checks walk are built on first use.
struct CheckInput {
  std::string_view output;
  std::string_view reference;
  bool has_reference = false;
  const JsonTape* output_tape = nullptr;  // set when the whole output is JSON
  bool output_too_deep = false;  // JSON, but nested deeper than kMaxJsonDepth: refused as not JSON
  std::string_view finish_reason;
  double latency_ms = 0;
  double cost_usd = 0;
  long long completion_tokens = 0;

  // The output as json when it is JSON, else null.
  const nlohmann::json* output_json() const {
    if (output_tape == nullptr) return nullptr;
    if (!output_json_) output_json_ = output_tape->to_json();
    return &*output_json_;
  }
  // The reference as json when there is one and it is JSON (not nested too deep), else null.
  const nlohmann::json* reference_json() const {
    if (!has_reference) return nullptr;
    if (!reference_json_) reference_json_ = parse_json_bounded(reference, &reference_too_deep_);
    return reference_json_->is_discarded() ? nullptr : &*reference_json_;
  }

  // What a check says when output_json() or reference_json() is null.
  std::string output_not_json() const {
    return output_too_deep ? "not JSON: " + json_too_deep_reason() : "not JSON";
  }
  std::string reference_not_json() const {
    if (!has_reference) return "the case has no reference answer";
    reference_json();
    return reference_too_deep_ ? "the reference answer is " + json_too_deep_reason()
                               : "the reference answer is not JSON";
  }

 private:
  mutable std::optional<nlohmann::json> output_json_;
  mutable std::optional<nlohmann::json> reference_json_;
  mutable bool reference_too_deep_ = false;
};

struct CheckOutcome {
  bool passed = false;
  double score = 0;    // 0..1; partial credit where the check has a notion of it
  std::string detail;  // one line saying why it failed (or what it measured)
};

// One scoring rule. Built from its spec once per suite, evaluated for every result.
class Check {
 public:
  virtual ~Check() = default;
  virtual CheckOutcome evaluate(const CheckInput& input) const = 0;
  // A model-graded check (score/judge.hpp) returns its spec: the runner asks the judge and
  // replaces the outcome evaluate() stood in with.
  virtual const JudgeSpec* judge() const { return nullptr; }

  const std::string& type() const { return type_; }
  const std::string& name() const { return name_; }  // type, or the user's label
  bool required() const { return required_; }
  double weight() const { return weight_; }

  // Set by the registry from the spec's common keys (type, name, required, weight).
  void set_common(std::string type, std::string name, bool required, double weight) {
    type_ = std::move(type);
    name_ = std::move(name);
    required_ = required;
    weight_ = weight;
  }

 private:
  std::string type_;
  std::string name_;
  bool required_ = true;
  double weight_ = 1;
};

// Where a check's relative paths (schemas, files) are resolved from.
struct CheckContext {
  std::filesystem::path anchor_file;  // the suite or dataset naming the check
};

// Builds a check from its spec ({"type": "...", ...}); on bad input returns null with `error`
// naming the key and what was expected.
std::shared_ptr<const Check> make_check(const nlohmann::json& spec, const CheckContext& context,
                                        std::string& error);

}  // namespace tb
