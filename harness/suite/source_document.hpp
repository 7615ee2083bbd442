#pragma once
#include <filesystem>
#include <string>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "common/diagnostic.hpp"

namespace tb {

// A YAML or JSON file turned into the JSON model, remembering the line of every value so that
// validation errors can name file:line for any field, however deep.
class SourceDocument {
 public:
  // Parses YAML (JSON is read through the same parser, so both formats get line numbers).
  // On a syntax error returns false and adds a diagnostic with the line.
  static bool parse(const std::filesystem::path& file, std::string_view display_name,
                    std::string_view text, SourceDocument& out, Diagnostics& errors);

  const nlohmann::json& root() const { return root_; }
  const std::string& display_name() const { return display_name_; }
  const std::filesystem::path& path() const { return path_; }

  // Line of the value at a JSON Pointer; falls back to the nearest ancestor with a line.
  int line_of(const std::string& json_pointer) const;

 private:
  std::filesystem::path path_;
  std::string display_name_;
  nlohmann::json root_;
  std::unordered_map<std::string, int> lines_;
  friend class SourceDocumentBuilder;
};

}  // namespace tb
