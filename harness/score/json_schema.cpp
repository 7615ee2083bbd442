// CompiledSchema, the validator's public face: compile or load a schema with the compiler
// (schema/compiler.hpp), then validate with the tape evaluator where it applies
// (schema/tape_evaluator.hpp) and the json evaluator otherwise (schema/evaluator.hpp).
#include "score/json_schema.hpp"

#include <system_error>

#include <nlohmann/json.hpp>

#include "common/files.hpp"
#include "common/json_tape.hpp"
#include "score/schema/compiler.hpp"
#include "score/schema/evaluator.hpp"
#include "score/schema/program.hpp"
#include "score/schema/tape_evaluator.hpp"
#include "score/schema/uri.hpp"

namespace tb {

struct CompiledSchema::Impl {
  schema_detail::Program program;
};

CompiledSchema::CompiledSchema(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}

CompiledSchema CompiledSchema::compile(const nlohmann::json& schema, const SchemaOptions& options,
                                       const std::string& base_uri) {
  auto impl = std::make_shared<Impl>();
  schema_detail::Compiler compiler(options, &impl->program);
  compiler.compile_root(schema, base_uri);
  impl->program.tape_supported = schema_detail::supports_tape(impl->program);
  return CompiledSchema(std::move(impl));
}

CompiledSchema CompiledSchema::load(const std::filesystem::path& file,
                                    const SchemaOptions& options) {
  std::string why;
  const auto text = read_file(file, &why);
  if (!text) throw SchemaError("cannot read schema file " + file.string() + ": " + why);
  nlohmann::json schema;
  try {
    schema = nlohmann::json::parse(*text);
  } catch (const nlohmann::json::parse_error& e) {
    throw SchemaError("schema file " + file.string() + " is not valid JSON: " + e.what());
  }
  std::error_code ec;
  std::filesystem::path absolute = std::filesystem::absolute(file, ec);
  if (ec) absolute = file;
  const std::string uri =
      "file://" + schema_detail::percent_encode_path(absolute.lexically_normal().generic_string());
  return compile(schema, options, uri);
}

bool CompiledSchema::is_valid(const nlohmann::json& instance) const {
  schema_detail::Evaluator evaluator(impl_->program, nullptr);
  return evaluator.run(instance);
}

bool CompiledSchema::is_valid(const JsonTape& instance) const {
  if (impl_->program.tape_supported && !instance.has_duplicate_keys()) {
    return schema_detail::tape_is_valid(impl_->program, instance);
  }
  return is_valid(instance.to_json());
}

bool CompiledSchema::evaluates_tapes() const {
  return impl_->program.tape_supported;
}

std::vector<SchemaViolation> CompiledSchema::validate(const nlohmann::json& instance) const {
  std::vector<SchemaViolation> out;
  schema_detail::Evaluator evaluator(impl_->program, &out);
  evaluator.run(instance);
  return out;
}

SchemaDraft CompiledSchema::draft() const {
  return impl_->program.draft;
}

}  // namespace tb
