#include "common/json_writer.hpp"

#include "common/json_scan.hpp"

#include <nlohmann/json.hpp>

#include "common/utf8.hpp"

namespace tb {

void append_json_string(std::string& out, const std::string& s) {
  bool ascii = true;
  for (const char c : s) ascii &= static_cast<unsigned char>(c) < 0x80;
  if (!ascii && !valid_utf8(s)) {
    out += nlohmann::json(s).dump();  // throws type_error 316, as dump() of the whole would
    return;
  }
  out.push_back('"');
  append_json_escaped(out, s);
  out.push_back('"');
}

void append_json_escaped(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::size_t run = 0;
  for (std::size_t i = json_plain_run_end<false>(s.data(), 0, s.size()); i < s.size();
       i = json_plain_run_end<false>(s.data(), i + 1, s.size())) {
    const auto c = static_cast<unsigned char>(s[i]);
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default: {
        const char escape[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
        out.append(escape, sizeof escape);
      }
    }
  }
  out.append(s.data() + run, s.size() - run);
}

void append_json(std::string& out, const nlohmann::json& v) {
  switch (v.type()) {
    case nlohmann::json::value_t::object: {
      out.push_back('{');
      bool first = true;
      for (const auto& [key, value] : v.items()) {
        if (!first) out.push_back(',');
        first = false;
        append_json_string(out, key);
        out.push_back(':');
        append_json(out, value);
      }
      out.push_back('}');
      break;
    }
    case nlohmann::json::value_t::array: {
      out.push_back('[');
      bool first = true;
      for (const auto& item : v) {
        if (!first) out.push_back(',');
        first = false;
        append_json(out, item);
      }
      out.push_back(']');
      break;
    }
    case nlohmann::json::value_t::string:
      append_json_string(out, v.get_ref<const std::string&>());
      break;
    default:
      out += v.dump();  // numbers, booleans, null: nlohmann's own formatting
      break;
  }
}

}  // namespace tb
