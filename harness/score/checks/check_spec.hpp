#pragma once
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "score/check.hpp"
#include "score/json_schema.hpp"

namespace tb {

// Reads a check's own keys, rejecting unknown ones so a typo is never silently ignored.
class CheckSpec {
 public:
  CheckSpec(const nlohmann::json& spec, std::string& error) : spec_(spec), error_(error) {}

  // Fails on keys outside `allowed` plus the common ones (type, name, required, weight).
  bool only_keys(std::initializer_list<std::string_view> allowed);
  std::optional<std::string> string(std::string_view key, bool required);
  std::optional<double> number(std::string_view key, bool required);
  std::optional<bool> boolean(std::string_view key);
  // A required JSON Pointer (e.g. "/term"); nullopt after a failure naming the key.
  std::optional<nlohmann::json::json_pointer> pointer(std::string_view key);
  // An optional non-empty list of JSON Pointers, each with its text as written (`fields:` of
  // field checks); empty when the key is absent, nullopt after a failure naming the key and
  // what was expected (`example` such as "/term").
  using PointerList = std::vector<std::pair<nlohmann::json::json_pointer, std::string>>;
  std::optional<PointerList> pointer_list(std::string_view key, std::string_view example);
  bool has(std::string_view key) const { return spec_.contains(key); }
  const nlohmann::json& at(std::string_view key) const { return spec_.at(std::string(key)); }
  bool fail(std::string message);

  // The "schema" key: a file (relative to the suite or dataset naming the check) or an inline
  // schema, compiled; nullopt after a failure that names what was wrong.
  std::optional<CompiledSchema> compiled_schema(const CheckContext& context, bool assert_formats);

 private:
  const nlohmann::json& spec_;
  std::string& error_;
};

}  // namespace tb
