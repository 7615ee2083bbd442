#include "suite/source_document.hpp"

#include "common/text.hpp"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <cmath>
#include <set>

namespace tb {

class SourceDocumentBuilder {
 public:
  SourceDocumentBuilder(SourceDocument& doc, Diagnostics& errors) : doc_(doc), errors_(errors) {}

  nlohmann::json convert(const YAML::Node& node, const std::string& pointer) {
    doc_.lines_[pointer] = node.Mark().line + 1;
    switch (node.Type()) {
      case YAML::NodeType::Null:
      case YAML::NodeType::Undefined:
        return nullptr;
      case YAML::NodeType::Scalar:
        return scalar(node);
      case YAML::NodeType::Sequence: {
        auto array = nlohmann::json::array();
        std::size_t i = 0;
        for (const auto& item : node)
          array.push_back(convert(item, pointer + "/" + std::to_string(i++)));
        return array;
      }
      case YAML::NodeType::Map: {
        auto object = nlohmann::json::object();
        for (const auto& entry : node) {
          const std::string key = entry.first.as<std::string>();
          if (object.contains(key)) {
            errors_.add({doc_.display_name_, entry.first.Mark().line + 1, key,
                         "duplicate key (the earlier value would be silently lost)"});
            continue;
          }
          object[key] = convert(entry.second, pointer + "/" + json_pointer_escape(key));
        }
        return object;
      }
    }
    return nullptr;
  }

 private:
  // YAML 1.2 core schema for plain scalars; quoted scalars (tag "!") are always strings, which
  // keeps JSON files typed exactly as written.
  static nlohmann::json scalar(const YAML::Node& node) {
    const std::string& s = node.Scalar();
    if (node.Tag() == "!") return s;
    if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;
    if (s == "true" || s == "True" || s == "TRUE") return true;
    if (s == "false" || s == "False" || s == "FALSE") return false;
    long long integer = 0;
    const char* first = s.data() + (s[0] == '+' ? 1 : 0);
    const char* last = s.data() + s.size();
    if (auto [p, ec] = std::from_chars(first, last, integer); ec == std::errc() && p == last)
      return integer;
    if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'o')) {
      if (auto [p, ec] = std::from_chars(s.data() + 2, last, integer, s[1] == 'x' ? 16 : 8);
          ec == std::errc() && p == last)
        return integer;
    }
    if (s == ".inf" || s == ".Inf" || s == "+.inf") return INFINITY;
    if (s == "-.inf" || s == "-.Inf") return -INFINITY;
    const bool numeric_shape = s.find_first_not_of("0123456789+-.eE") == std::string::npos &&
                               s.find_first_of("0123456789") != std::string::npos;
    if (numeric_shape) {
      double d = 0;
      if (auto [p, ec] = std::from_chars(first, last, d); ec == std::errc() && p == last) return d;
    }
    return s;
  }

  SourceDocument& doc_;
  Diagnostics& errors_;
};

bool SourceDocument::parse(const std::filesystem::path& file, std::string_view display_name,
                           std::string_view text, SourceDocument& out, Diagnostics& errors) {
  out = SourceDocument{};
  out.path_ = file;
  out.display_name_ = std::string(display_name);
  const std::size_t before = errors.size();
  try {
    const YAML::Node node = YAML::Load(std::string(text));
    SourceDocumentBuilder builder(out, errors);
    out.root_ = builder.convert(node, "");
  } catch (const YAML::Exception& e) {
    errors.add({out.display_name_, e.mark.line >= 0 ? e.mark.line + 1 : 0, "",
                "not valid YAML/JSON: " + e.msg});
    return false;
  }
  return errors.size() == before;
}

int SourceDocument::line_of(const std::string& json_pointer) const {
  std::string p = json_pointer;
  while (true) {
    if (auto it = lines_.find(p); it != lines_.end()) return it->second;
    if (p.empty()) return 0;
    p.erase(p.rfind('/'));
  }
}

}  // namespace tb
