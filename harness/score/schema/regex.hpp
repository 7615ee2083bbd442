#pragma once
// Regular expressions of JSON Schema ("pattern", "patternProperties", format "regex"): the
// ECMA-262 dialect, translated to PCRE2 and JIT-compiled once. Internal to the JSON Schema
// engine (score/schema/).
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace tb::schema_detail {

// An ECMA-262 regular expression translated to PCRE2 and JIT-compiled once.
class Regex {
 public:
  // Returns nullopt and sets *error for a pattern that is not a valid ECMA-262 regex.
  static std::optional<Regex> compile(std::string_view ecma, std::string* error);
  bool search(std::string_view subject) const;  // anywhere in subject, as ECMA-262 test()
  const std::string& source() const { return source_; }

 private:
  struct Code;  // keeps PCRE2's header out of this one
  std::shared_ptr<const Code> code_;
  std::string source_;
};

}  // namespace tb::schema_detail
