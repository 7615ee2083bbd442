#pragma once
// The constructors of the built-in checks, one per file, listed by name in check_registry.cpp.
// Explicit registration, because self-registering statics in a static library are dropped by
// the linker when nothing else references their object file.
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "score/check.hpp"

namespace tb {

using CheckFactory = std::shared_ptr<Check> (*)(const nlohmann::json& spec,
                                               const CheckContext& context, std::string& error);

std::shared_ptr<Check> make_is_json_check(const nlohmann::json&, const CheckContext&, std::string&);
std::shared_ptr<Check> make_json_schema_check(const nlohmann::json&, const CheckContext&, std::string&);
std::shared_ptr<Check> make_regex_check(const nlohmann::json&, const CheckContext&, std::string&);
std::shared_ptr<Check> make_equals_check(const nlohmann::json&, const CheckContext&, std::string&);
std::shared_ptr<Check> make_contains_check(const nlohmann::json&, const CheckContext&, std::string&);
std::shared_ptr<Check> make_field_equals_check(const nlohmann::json&, const CheckContext&, std::string&);

}  // namespace tb
