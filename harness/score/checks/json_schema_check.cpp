#include "common/files.hpp"
#include "common/text.hpp"
#include "score/checks/check_factories.hpp"
#include "score/checks/check_spec.hpp"
#include "score/json_schema.hpp"

namespace tb {
namespace {

class JsonSchemaCheck final : public Check {
 public:
  explicit JsonSchemaCheck(CompiledSchema schema) : schema_(std::move(schema)) {}

  CheckOutcome evaluate(const CheckInput& in) const override {
    if (in.output_tape == nullptr) return {false, 0, in.output_not_json()};
    if (schema_.is_valid(*in.output_tape)) return {true, 1, ""};
    const auto violations = schema_.validate(*in.output_json());
    std::string detail;
    if (!violations.empty()) {
      const auto& v = violations.front();
      detail = (v.instance_path.empty() ? std::string("/") : v.instance_path) + ": " + v.message;
      if (violations.size() > 1) detail += " (+" + std::to_string(violations.size() - 1) + " more)";
    } else {
      detail = "does not match the schema";
    }
    return {false, 0, ellipsize(detail, 300)};  // one line, however deep the path
  }

 private:
  CompiledSchema schema_;
};

}  // namespace

std::shared_ptr<Check> make_json_schema_check(const nlohmann::json& spec,
                                              const CheckContext& context, std::string& error) {
  CheckSpec s(spec, error);
  if (!s.only_keys({"schema", "formats"})) return nullptr;
  if (!s.has("schema")) {
    s.fail("schema: missing; give a file path or an inline schema object");
    return nullptr;
  }
  const auto formats = s.boolean("formats");
  if (!error.empty()) return nullptr;
  auto compiled = s.compiled_schema(context, formats.value_or(false));
  if (!compiled) return nullptr;
  return std::make_shared<JsonSchemaCheck>(std::move(*compiled));
}

}  // namespace tb
