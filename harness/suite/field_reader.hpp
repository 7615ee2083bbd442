#pragma once
// Internal to suite/: reading a SourceDocument field by field, so that every message can say
// where it is: "suite.yaml:12: variants[1].model: expected a string; got a list".
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/diagnostic.hpp"
#include "suite/source_document.hpp"

namespace tb {

// "a string", "a list", ... for "expected X; got Y" messages.
const char* json_type_name(const nlohmann::json& j);

class FieldReader {
 public:
  // A value of the document with its JSON Pointer (for the line) and its human field name.
  struct At {
    const nlohmann::json& value;
    std::string pointer;
    std::string field;

    At child(const std::string& key) const;
    At item(std::size_t i) const;
  };

  FieldReader(const SourceDocument& doc, Diagnostics& errors) : doc_(doc), errors_(errors) {}

  At root() const { return {doc_.root(), "", ""}; }
  const SourceDocument& doc() const { return doc_; }
  std::size_t error_count() const { return errors_.size(); }

  void error(const At& at, std::string message);
  // A problem located in another file (one the suite names), reported as that file's.
  void add(Diagnostic d) { errors_.add(std::move(d)); }

  // A mapping whose keys are all among `keys`; an unknown key is an error with a did-you-mean.
  bool expect_mapping(const At& at, std::span<const std::string_view> keys);

  // Optional fields: nullopt (with an error) when present and of the wrong type or range.
  std::optional<std::string> string(const At& parent, const std::string& key, bool required);
  // Finite numbers only: NaN and infinities are errors wherever a number is read.
  std::optional<double> number(const At& parent, const std::string& key, double min, double max);
  std::optional<long long> integer(const At& parent, const std::string& key, long long min,
                                   long long max);
  std::optional<bool> boolean(const At& parent, const std::string& key);

 private:
  const SourceDocument& doc_;
  Diagnostics& errors_;
};

}  // namespace tb
