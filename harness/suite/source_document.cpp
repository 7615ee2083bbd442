#include "suite/source_document.hpp"

#include "common/text.hpp"
#include "common/utf8.hpp"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <cmath>
#include <set>

namespace tb {

// Bounds on what a suite may expand to. YAML aliases share nodes, so a few lines of nested
// anchors ("billion laughs") describe a document of billions of values; converted naively, it
// grows memory without end. A real suite has hundreds of values; these leave room for inline
// schemas and mock settings a hundred times that size.
constexpr std::size_t kMaxValues = 100'000;
constexpr std::size_t kMaxScalarBytes = 16u << 20;
constexpr int kMaxDepth = 256;

// Thrown out of the recursive conversion when a bound is passed; reported as one diagnostic.
struct TooLarge {
  int line;
  std::string message;
};

class SourceDocumentBuilder {
 public:
  SourceDocumentBuilder(SourceDocument& doc, Diagnostics& errors) : doc_(doc), errors_(errors) {}

  nlohmann::json convert(const YAML::Node& node, const std::string& pointer, int depth = 0) {
    const int line = node.Mark().line + 1;
    if (++values_ > kMaxValues)
      throw TooLarge{line, "the document expands to more than " + with_thousands(kMaxValues) +
                               " values (nested YAML aliases?); tunebench refuses it"};
    if (depth > kMaxDepth)
      throw TooLarge{line, "nested more than " + std::to_string(kMaxDepth) + " levels deep"};
    doc_.lines_[pointer] = line;
    switch (node.Type()) {
      case YAML::NodeType::Null:
      case YAML::NodeType::Undefined:
        return nullptr;
      case YAML::NodeType::Scalar:
        scalar_bytes_ += node.Scalar().size();
        if (scalar_bytes_ > kMaxScalarBytes)
          throw TooLarge{line, "the document expands to more than " + std::to_string(kMaxScalarBytes >> 20) +
                                   " MiB of text (nested YAML aliases?); tunebench refuses it"};
        return scalar(node);
      case YAML::NodeType::Sequence: {
        auto array = nlohmann::json::array();
        std::size_t i = 0;
        for (const auto& item : node)
          array.push_back(convert(item, pointer + "/" + std::to_string(i++), depth + 1));
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
          object[key] = convert(entry.second, pointer + "/" + json_pointer_escape(key), depth + 1);
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
    if (s == ".nan" || s == ".NaN" || s == ".NAN") return NAN;  // refused where a number is read
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
  std::size_t values_ = 0;
  std::size_t scalar_bytes_ = 0;
};

// The 1-based line and column (in characters) of the first byte that is not UTF-8, or 0.
std::pair<int, int> first_invalid_utf8(std::string_view text) {
  int line = 1, column = 1;
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    std::size_t len = 1;
    if (c >= 0x80 && (len = utf8_sequence_length(text, i)) == 0) return {line, column};
    if (c == '\n') {
      ++line;
      column = 0;
    }
    ++column;
    i += len;
  }
  return {0, 0};
}

bool SourceDocument::parse(const std::filesystem::path& file, std::string_view display_name,
                           std::string_view text, SourceDocument& out, Diagnostics& errors) {
  out = SourceDocument{};
  out.path_ = file;
  out.display_name_ = std::string(display_name);
  const std::size_t before = errors.size();
  // YAML and JSON are Unicode text; a stray byte would otherwise surface much later, as a
  // library exception without a line when the suite is stored.
  if (const auto [line, column] = first_invalid_utf8(text); line > 0) {
    errors.add({out.display_name_, line, "",
                "not UTF-8 text: an invalid byte at column " + std::to_string(column) +
                    " (save the file as UTF-8)"});
    return false;
  }
  try {
    const YAML::Node node = YAML::Load(std::string(text));
    SourceDocumentBuilder builder(out, errors);
    out.root_ = builder.convert(node, "");
  } catch (const TooLarge& e) {
    errors.add({out.display_name_, e.line, "", e.message});
    return false;
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
