#include "suite/strict_schema.hpp"

#include <algorithm>
#include <array>

namespace tb {
namespace {

using json = nlohmann::json;

// Keywords strict mode refuses whose meaning the sent schema cannot keep, with what to do.
constexpr std::array<std::pair<std::string_view, std::string_view>, 11> kRefused = {{
    {"allOf", "merge the branches into one schema"},
    {"oneOf", "use anyOf"},
    {"not", "remove it"},
    {"if", "remove if/then/else"},
    {"then", "remove if/then/else"},
    {"else", "remove if/then/else"},
    {"patternProperties", "name the properties"},
    {"unevaluatedProperties", "use additionalProperties: false"},
    {"propertyNames", "name the properties"},
    {"dependentRequired", "make the properties required"},
    {"dependentSchemas", "remove it"},
}};

// Keywords strict mode does not enforce: left out of what is sent, still scored.
constexpr std::array<std::string_view, 10> kDropped = {
    "minLength",   "maxLength", "uniqueItems", "contains",      "minContains",
    "maxContains", "default",   "examples",    "minProperties", "maxProperties"};

constexpr std::array<std::string_view, 9> kFormats = {
    "date-time", "time", "date", "duration", "email", "hostname", "ipv4", "ipv6", "uuid"};

std::string escape(std::string_view key) {
  std::string out;
  for (char c : key) {
    if (c == '~')
      out += "~0";
    else if (c == '/')
      out += "~1";
    else
      out += c;
  }
  return out;
}

class Strictifier {
 public:
  std::string problem;

  bool node(json& s, const std::string& at) {
    if (s.is_boolean()) return fail(at, "is the schema " + s.dump() + "; give it a type");
    if (!s.is_object()) return fail(at, "is not a schema");
    for (const auto& [key, change] : kRefused)
      if (s.contains(std::string(key)))
        return fail(at + "/" + std::string(key),
                    "strict mode does not take " + std::string(key) + "; " + std::string(change));
    for (auto key : kDropped) s.erase(std::string(key));
    if (s.contains("format") && s["format"].is_string() &&
        std::find(kFormats.begin(), kFormats.end(), s["format"].get<std::string>()) ==
            kFormats.end())
      s.erase("format");
    if (s.contains("$ref")) {
      if (!s["$ref"].is_string() || !s["$ref"].get<std::string>().starts_with("#"))
        return fail(at + "/$ref",
                    "strict mode resolves only references inside the schema (#/$defs/...)");
      return defs(s, at);
    }
    if (s.contains("anyOf")) {
      if (!s["anyOf"].is_array()) return fail(at + "/anyOf", "expected an array");
      for (std::size_t i = 0; i < s["anyOf"].size(); ++i)
        if (!node(s["anyOf"][i], at + "/anyOf/" + std::to_string(i))) return false;
      return defs(s, at);
    }
    if (!s.contains("type") && !s.contains("enum") && !s.contains("const")) {
      if (!s.contains("properties"))
        return fail(at, "has no type; give it one (strict mode needs it)");
      s["type"] = "object";
    }
    if (is_type(s, "object") && !object(s, at)) return false;
    if (is_type(s, "array") && s.contains("items")) {
      if (!s["items"].is_object() && !s["items"].is_boolean())
        return fail(at + "/items", "a tuple; strict mode takes one schema for all items");
      if (!node(s["items"], at + "/items")) return false;
    }
    if (s.contains("prefixItems"))
      return fail(at + "/prefixItems", "a tuple; strict mode takes one schema for all items");
    return defs(s, at);
  }

 private:
  bool fail(const std::string& at, const std::string& what) {
    problem = "at " + (at.empty() ? std::string("/") : at) + ": " + what;
    return false;
  }

  static bool is_type(const json& s, const char* type) {
    if (!s.contains("type")) return false;
    const auto& t = s["type"];
    if (t.is_string()) return t == type;
    return t.is_array() && std::find(t.begin(), t.end(), json(type)) != t.end();
  }

  bool object(json& s, const std::string& at) {
    if (s.contains("additionalProperties") && s["additionalProperties"] != false)
      return fail(at + "/additionalProperties",
                  "is " + s["additionalProperties"].dump() +
                      "; strict mode allows only false (list every property the answer may have)");
    s["additionalProperties"] = false;
    json required = json::array();
    if (s.contains("properties")) {
      if (!s["properties"].is_object()) return fail(at + "/properties", "expected an object");
      for (auto& [key, value] : s["properties"].items()) {
        required.push_back(key);
        if (!node(value, at + "/properties/" + escape(key))) return false;
      }
    } else {
      s["properties"] = json::object();
    }
    s["required"] = std::move(required);
    return true;
  }

  bool defs(json& s, const std::string& at) {
    for (const char* key : {"$defs", "definitions"}) {
      if (!s.contains(key) || !s[key].is_object()) continue;
      for (auto& [name, value] : s[key].items())
        if (!node(value, at + "/" + key + "/" + escape(name))) return false;
    }
    return true;
  }
};

}  // namespace

std::optional<json> strict_schema(const json& schema, std::string& problem) {
  if (!schema.is_object()) {
    problem = "at /: the expected schema is not an object schema";
    return std::nullopt;
  }
  json out = schema;
  out.erase("$schema");
  out.erase("$id");
  const bool object = out.value("type", json()) == "object" ||
                      (!out.contains("type") && out.contains("properties"));
  if (!object || out.contains("anyOf")) {
    problem =
        "at /: strict mode needs an object at the top; wrap the answer in one (e.g. "
        "{\"answer\": ...})";
    return std::nullopt;
  }
  Strictifier s;
  if (!s.node(out, "")) {
    problem = s.problem;
    return std::nullopt;
  }
  return out;
}

std::string api_name(std::string_view wanted) {
  std::string out;
  for (char c : wanted.substr(0, 64)) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-';
    out += ok ? c : '_';
  }
  return out.empty() ? "answer" : out;
}

}  // namespace tb
