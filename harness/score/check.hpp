#pragma once
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace tb {

// What a check sees of one result. Parsed JSON is computed once per result by the scorer.
struct CheckInput {
  std::string_view output;
  std::string_view reference;
  bool has_reference = false;
  const nlohmann::json* output_json = nullptr;     // set when the whole output is JSON
  const nlohmann::json* reference_json = nullptr;  // set when the reference is JSON
  std::string_view finish_reason;
  double latency_ms = 0;
  double cost_usd = 0;
  long long completion_tokens = 0;
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
