// The TypeScript converter's whole-source pass, once every declaration is parsed: unknown
// names, alias cycles, `extends` merged into interfaces, and the requested type's schema with
// the named types it needs under $defs.
#include "score/typescript/parser.hpp"

#include <algorithm>

#include "common/text.hpp"

namespace tb::typescript_detail {
namespace {

std::string names_list(const std::vector<Declaration>& declarations) {
  if (declarations.empty()) return "none";
  std::string out;
  for (const auto& d : declarations) out += (out.empty() ? "" : ", ") + d.name;
  return out;
}

}  // namespace

std::optional<json> Parser::convert() {
  if (!parse_source() || !check_references() || !check_alias_cycles() || !merge_bases())
    return std::nullopt;
  const auto found = index_.find(root_);
  if (found == index_.end()) {
    std::vector<std::string_view> names;
    for (const auto& d : declarations_) names.push_back(d.name);
    std::string message = "type " + dquote(root_) + " is not declared in the source";
    if (auto hint = did_you_mean(root_, names)) message += " (did you mean " + dquote(*hint) + "?)";
    message += "; declared: " + names_list(declarations_);
    error_ = {0, 0, std::move(message)};
    return std::nullopt;
  }
  json schema = declarations_[found->second].schema;
  json defs = json::object();
  for (const auto& name : reachable_from(root_)) defs[name] = declarations_[index_.at(name)].schema;
  schema["$schema"] = kDraft;
  schema["title"] = root_;
  if (!defs.empty()) schema["$defs"] = std::move(defs);
  return schema;
}

bool Parser::check_unknown(const std::string& name, Place at, std::string_view role) {
  if (index_.contains(name)) return true;
  std::vector<std::string_view> names;
  for (const auto& d : declarations_) names.push_back(d.name);
  for (const auto builtin : {"string", "number", "boolean", "null"}) names.push_back(builtin);
  std::string message = "unknown " + std::string(role) + " " + dquote(name);
  if (auto hint = did_you_mean(name, names)) {
    message += " (did you mean " + dquote(*hint) + "?)";
  } else if (name == "String" || name == "Number" || name == "Boolean") {
    message += " (did you mean " + dquote(to_lower(name)) + "?)";
  } else if (name == "Date") {
    message += " (JSON has no dates; use string)";
  }
  message += "; declared: " + names_list(declarations_);
  return fail(at, std::move(message));
}

bool Parser::check_references() {
  for (const auto& r : references_)
    if (!check_unknown(r.name, r.at, "type name")) return false;
  for (const auto& d : declarations_)
    for (const auto& [base, at] : d.bases)
      if (!check_unknown(base, at, "base type")) return false;
  return true;
}

// Indices into references_ grouped by the declaration they appear in.
std::map<std::string, std::vector<std::size_t>> Parser::references_by_declaration() const {
  std::map<std::string, std::vector<std::size_t>> out;
  for (std::size_t i = 0; i < references_.size(); ++i) out[references_[i].from].push_back(i);
  return out;
}

// `type A = B | null; type B = A` has no finite meaning; TypeScript rejects it too. The walk
// keeps its own stack: a chain of aliases as long as the source must not overflow ours.
bool Parser::check_alias_cycles() {
  const auto by_declaration = references_by_declaration();
  const std::vector<std::size_t> none;
  enum State { kUnvisited, kOnPath, kDone };
  std::map<std::string, State> state;
  struct Frame {
    std::string alias;
    const std::vector<std::size_t>* references;
    std::size_t next = 0;
  };
  const auto frame_for = [&](const std::string& alias) {
    state[alias] = kOnPath;
    const auto it = by_declaration.find(alias);
    return Frame{alias, it == by_declaration.end() ? &none : &it->second};
  };
  for (const auto& d : declarations_) {
    if (d.is_interface || state[d.name] != kUnvisited) continue;
    std::vector<Frame> path{frame_for(d.name)};
    while (!path.empty()) {
      Frame& top = path.back();
      if (top.next == top.references->size()) {
        state[top.alias] = kDone;
        path.pop_back();
        continue;
      }
      const Reference& r = references_[(*top.references)[top.next++]];
      if (!r.direct || declarations_[index_.at(r.name)].is_interface) continue;
      if (state[r.name] == kOnPath) {
        std::string cycle;
        auto it = std::find_if(path.begin(), path.end(),
                               [&](const Frame& f) { return f.alias == r.name; });
        for (; it != path.end(); ++it) cycle += it->alias + " -> ";
        return fail(r.at, "type alias " + dquote(r.name) + " circularly references itself (" +
                              cycle + r.name + ")");
      }
      if (state[r.name] == kUnvisited) path.push_back(frame_for(r.name));
    }
  }
  return true;
}

// `interface B extends A` copies A's members into B; B's own members win on a clash. Bases
// merge before the interfaces extending them, on an explicit stack as above.
bool Parser::merge_bases() {
  enum State { kUnvisited, kOnPath, kDone };
  std::vector<State> state(declarations_.size(), kUnvisited);
  struct Frame {
    std::size_t declaration;
    std::size_t next_base = 0;
  };
  for (std::size_t start = 0; start < declarations_.size(); ++start) {
    if (state[start] != kUnvisited) continue;
    state[start] = kOnPath;
    std::vector<Frame> path{{start}};
    while (!path.empty()) {
      Frame& top = path.back();
      const Declaration& d = declarations_[top.declaration];
      if (top.next_base < d.bases.size()) {
        const auto& [base_name, at] = d.bases[top.next_base++];
        const std::size_t b = index_.at(base_name);
        if (state[b] == kOnPath) {
          return fail(
              at, "interface " + dquote(d.name) + " extends itself through " + dquote(base_name));
        }
        if (state[b] == kUnvisited) {
          state[b] = kOnPath;
          path.push_back({b});
        }
        continue;
      }
      if (!merge_into(declarations_[top.declaration])) return false;
      state[top.declaration] = kDone;
      path.pop_back();
    }
  }
  return true;
}

// Merges the (already merged) bases of `d` into it.
bool Parser::merge_into(Declaration& d) {
  if (d.bases.empty()) return true;
  json properties = json::object();
  json required = json::array();
  for (const auto& [base_name, at] : d.bases) {
    const json& base = declarations_[index_.at(base_name)].schema;
    const auto closed = base.find("additionalProperties");
    if (!base.contains("properties") || closed == base.end() || *closed != false) {
      return fail(at, dquote(base_name) +
                          " is not an object type; an interface can extend only interfaces "
                          "and object type aliases");
    }
    for (const auto& [key, value] : base.at("properties").items()) properties[key] = value;
    for (const auto& key : base.at("required")) push_unique(required, key);
  }
  for (const auto& [key, value] : d.schema["properties"].items()) {
    properties[key] = value;
    required.erase(std::remove(required.begin(), required.end(), key), required.end());
  }
  for (const auto& key : d.schema["required"]) push_unique(required, key);
  d.schema["properties"] = std::move(properties);
  d.schema["required"] = std::move(required);
  return true;
}

// Named types the root needs in $defs: those it references, directly or through other
// named types, including references that arrived with members inherited from a base.
std::set<std::string> Parser::reachable_from(const std::string& root) const {
  const auto by_declaration = references_by_declaration();
  std::set<std::string> defs;
  std::set<std::string> walked;
  std::vector<std::string> todo{root};
  while (!todo.empty()) {
    const std::string name = todo.back();
    todo.pop_back();
    if (!walked.insert(name).second) continue;
    if (const auto it = by_declaration.find(name); it != by_declaration.end()) {
      for (const std::size_t i : it->second) {
        const Reference& r = references_[i];
        if (r.name != root) defs.insert(r.name);
        todo.push_back(r.name);
      }
    }
    for (const auto& [base, at] : declarations_[index_.at(name)].bases) todo.push_back(base);
  }
  return defs;
}

}  // namespace tb::typescript_detail
