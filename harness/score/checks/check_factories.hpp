#pragma once
// The constructors of the built-in checks, one per file, listed by name in check_registry.cpp.
// Explicit registration, because self-registering statics in a static library are dropped by
// the linker when nothing else references their object file.
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "score/check.hpp"

namespace tb {

class CheckSpec;

using CheckFactory = std::shared_ptr<Check> (*)(const nlohmann::json& spec,
                                               const CheckContext& context, std::string& error);

std::shared_ptr<Check> make_is_json_check(const nlohmann::json&, const CheckContext&, std::string&);
std::shared_ptr<Check> make_contains_json_check(const nlohmann::json&, const CheckContext&,
                                                std::string&);
std::shared_ptr<Check> make_json_schema_check(const nlohmann::json&, const CheckContext&,
                                              std::string&);
std::shared_ptr<Check> make_equals_check(const nlohmann::json&, const CheckContext&, std::string&);
std::shared_ptr<Check> make_contains_check(const nlohmann::json&, const CheckContext&,
                                           std::string&);
std::shared_ptr<Check> make_icontains_check(const nlohmann::json&, const CheckContext&,
                                            std::string&);
std::shared_ptr<Check> make_not_contains_check(const nlohmann::json&, const CheckContext&,
                                               std::string&);
std::shared_ptr<Check> make_starts_with_check(const nlohmann::json&, const CheckContext&,
                                              std::string&);
std::shared_ptr<Check> make_regex_check(const nlohmann::json&, const CheckContext&, std::string&);
std::shared_ptr<Check> make_field_equals_check(const nlohmann::json&, const CheckContext&,
                                               std::string&);
std::shared_ptr<Check> make_field_matches_check(const nlohmann::json&, const CheckContext&,
                                                std::string&);
std::shared_ptr<Check> make_field_accuracy_check(const nlohmann::json&, const CheckContext&,
                                                 std::string&);
std::shared_ptr<Check> make_max_length_check(const nlohmann::json&, const CheckContext&,
                                             std::string&);
std::shared_ptr<Check> make_max_tokens_check(const nlohmann::json&, const CheckContext&,
                                             std::string&);
std::shared_ptr<Check> make_similarity_check(const nlohmann::json&, const CheckContext&,
                                             std::string&);
std::shared_ptr<Check> make_latency_check(const nlohmann::json&, const CheckContext&, std::string&);
std::shared_ptr<Check> make_cost_check(const nlohmann::json&, const CheckContext&, std::string&);
std::shared_ptr<Check> make_judge_check(const nlohmann::json&, const CheckContext&, std::string&);

// Spec readers shared by several checks (defined in check_registry.cpp). Each returns nullopt
// with the error set through `spec` when the key is missing or invalid.

// `value: TEXT` and/or `values: [TEXT, ...]`: at least one string.
std::optional<std::vector<std::string>> read_texts(CheckSpec& spec);
// A whole number >= 0, such as max: 500.
std::optional<long long> read_count(CheckSpec& spec, std::string_view key);
// A share between 0 and 1, such as threshold: 0.8; `fallback` when the key is absent.
std::optional<double> read_share(CheckSpec& spec, std::string_view key, double fallback);

}  // namespace tb
