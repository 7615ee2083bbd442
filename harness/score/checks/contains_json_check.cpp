#include <optional>

#include "common/files.hpp"
#include "common/text.hpp"
#include "score/checks/check_factories.hpp"
#include "score/checks/check_spec.hpp"
#include "score/json_extract.hpp"
#include "score/json_schema.hpp"

namespace tb {
namespace {

// Passes when a strictly valid JSON value sits anywhere in the answer: the whole answer, a ```
// fence or prose around it. Where it was found is the detail, so a report can tell "conformant
// but chatty" from clean JSON; a value only a lenient repair recovers fails, naming the repair.
class ContainsJsonCheck final : public Check {
 public:
  explicit ContainsJsonCheck(std::optional<CompiledSchema> schema) : schema_(std::move(schema)) {}

  CheckOutcome evaluate(const CheckInput& in) const override {
    JsonExtraction x;
    const nlohmann::json* value = in.output_json();  // parsed once by the scorer when whole
    std::string where;
    if (value == nullptr) {
      x = extract_json(in.output);
      if (!x.found) {
        if (x.repairable) return {false, 0, "repairable: " + x.repair_note};
        return {false, 0, "no JSON value found"};
      }
      value = &x.value;
      where = x.fenced ? "fenced" : "inside prose";
    }
    if (!schema_ || schema_->is_valid(*value)) return {true, 1, where};
    const auto violations = schema_->validate(*value);
    std::string detail = where.empty() ? "" : where + "; ";
    if (violations.empty()) {
      detail += "does not match the schema";
    } else {
      const auto& v = violations.front();
      detail += (v.instance_path.empty() ? std::string("/") : v.instance_path) + ": " + v.message;
      if (violations.size() > 1) detail += " (+" + std::to_string(violations.size() - 1) + " more)";
    }
    return {false, 0, detail};
  }

 private:
  std::optional<CompiledSchema> schema_;
};

}  // namespace

std::shared_ptr<Check> make_contains_json_check(const nlohmann::json& spec,
                                                const CheckContext& context, std::string& error) {
  CheckSpec s(spec, error);
  if (!s.only_keys({"schema", "formats"})) return nullptr;
  const auto formats = s.boolean("formats");
  if (!error.empty()) return nullptr;
  if (!s.has("schema")) {
    if (formats) {
      s.fail("formats: only meaningful with a schema");
      return nullptr;
    }
    return std::make_shared<ContainsJsonCheck>(std::nullopt);
  }
  auto compiled = s.compiled_schema(context, formats.value_or(false));
  if (!compiled) return nullptr;
  return std::make_shared<ContainsJsonCheck>(std::move(*compiled));
}

}  // namespace tb
