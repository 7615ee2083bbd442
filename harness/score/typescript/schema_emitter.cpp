// The TypeScript converter's schema emitter.
#include "score/typescript/schema_emitter.hpp"

#include <algorithm>
#include <set>
#include <utility>

namespace tb::typescript_detail {
namespace {

std::string json_type_of(const json& literal) {
  if (literal.is_string()) return "string";
  if (literal.is_boolean()) return "boolean";
  if (literal.is_null()) return "null";
  return "number";
}

// "string" or ["string", "null"]: JSON Schema's "type" for a set of type names.
json type_keyword(const json& names) {
  return names.size() == 1 ? names[0] : names;
}

}  // namespace

void push_unique(json& array, const json& value) {
  if (std::find(array.begin(), array.end(), value) == array.end()) array.push_back(value);
}

json schema_of(const Alternatives& alternatives) {
  if (alternatives.size() == 1 && alternatives[0].kind == Operand::Kind::kSchema)
    return alternatives[0].value;
  json primitives = json::array();
  json literals = json::array();
  std::set<json> seen;  // long literal unions are common enough that a linear scan would show
  std::vector<json> others;
  std::vector<std::size_t> order;  // first source position of primitives, literals, others
  std::size_t first_primitive = 0, first_literal = 0;
  for (std::size_t i = 0; i < alternatives.size(); ++i) {
    const auto& a = alternatives[i];
    switch (a.kind) {
      case Operand::Kind::kAny:
        return json::object();
      case Operand::Kind::kPrimitive:
        if (primitives.empty()) first_primitive = i;
        push_unique(primitives, a.value);
        break;
      case Operand::Kind::kLiteral:
        if (literals.empty()) first_literal = i;
        if (seen.insert(a.value).second) literals.push_back(a.value);
        break;
      case Operand::Kind::kSchema:
        if (seen.insert(a.value).second) {
          others.push_back(a.value);
          order.push_back(i);
        }
        break;
    }
  }
  const auto has_primitive = [&](const std::string& name) {
    return std::find(primitives.begin(), primitives.end(), name) != primitives.end();
  };
  json kept = json::array();
  for (const auto& literal : literals)
    if (!has_primitive(json_type_of(literal))) kept.push_back(literal);

  // Literals with nothing but null beside them: null joins the enum, as in "a" | "b" | null.
  if (!kept.empty() && others.empty() &&
      (primitives.empty() || (primitives.size() == 1 && primitives[0] == "null"))) {
    if (!primitives.empty()) kept.push_back(nullptr);
    json types = json::array();
    for (const auto& literal : kept) push_unique(types, json_type_of(literal));
    return {{"type", type_keyword(types)}, {"enum", kept}};
  }

  std::vector<std::pair<std::size_t, json>> branches;
  if (!primitives.empty())
    branches.emplace_back(first_primitive, json{{"type", type_keyword(primitives)}});
  if (!kept.empty()) {
    json types = json::array();
    for (const auto& literal : kept) push_unique(types, json_type_of(literal));
    branches.emplace_back(first_literal, json{{"type", type_keyword(types)}, {"enum", kept}});
  }
  for (std::size_t i = 0; i < others.size(); ++i) branches.emplace_back(order[i], others[i]);
  std::stable_sort(branches.begin(), branches.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  if (branches.size() == 1) return branches[0].second;
  json any_of = json::array();
  for (auto& branch : branches) any_of.push_back(std::move(branch.second));
  return {{"anyOf", std::move(any_of)}};
}

json object_schema(const std::vector<Member>& members) {
  json properties = json::object();
  json required = json::array();
  for (const auto& m : members) {
    properties[m.name] = m.schema;
    if (!m.optional) required.push_back(m.name);
  }
  return {{"type", "object"},
          {"properties", std::move(properties)},
          {"required", std::move(required)},
          {"additionalProperties", false}};
}

std::string ref_to(std::string_view name, std::string_view root) {
  if (name == root) return "#";
  std::string out = "#/$defs/";
  for (const char c : name) {
    const auto b = static_cast<unsigned char>(c);
    if (b < 0x80) {
      out += c;
    } else {
      static constexpr char kHex[] = "0123456789ABCDEF";
      out += '%';
      out += kHex[b >> 4];
      out += kHex[b & 0xF];
    }
  }
  return out;
}

}  // namespace tb::typescript_detail
