// Reference cycles without progress: schemas that apply one another to the same value ($ref,
// allOf, anyOf, oneOf, not, if/then/else, dependentSchemas) in a ring. Evaluating one never
// finishes (the specification leaves such schemas undefined), so a compiled program with one is
// refused, naming the ring, instead of failing every instance at run time.
#include <cstdint>
#include <string>
#include <vector>

#include "score/schema/compiler.hpp"

namespace tb::schema_detail {

namespace {

struct Edge {
  std::int32_t to;
  const char* keyword;
};

// The in-place applicators of n: the edges along which the value does not change. $dynamicRef
// is left out: its target depends on the dynamic scope, and the evaluator's depth limit still
// stops a ring through it.
std::vector<Edge> in_place_edges(const Node& n) {
  std::vector<Edge> out;
  auto add = [&](std::int32_t to, const char* keyword) {
    if (to != kNone) out.push_back({to, keyword});
  };
  add(n.ref, "$ref");
  for (const auto to : n.all_of) add(to, "allOf");
  for (const auto to : n.any_of) add(to, "anyOf");
  for (const auto to : n.one_of) add(to, "oneOf");
  add(n.not_, "not");
  add(n.if_, "if");
  add(n.then_, "then");
  add(n.else_, "else");
  for (const auto& d : n.dependent_schemas)
    add(d.node, n.draft7 ? "dependencies" : "dependentSchemas");
  return out;
}

}  // namespace

void Compiler::check_cycles() const {
  const auto& nodes = prog_->nodes;
  std::vector<const json*> schema_of(nodes.size(), nullptr);
  for (const auto& [schema, idx] : compiled_) schema_of[static_cast<std::size_t>(idx)] = schema;
  auto where = [&](std::int32_t idx) {
    const json* schema = schema_of[static_cast<std::size_t>(idx)];
    if (schema == nullptr) return std::string("?");
    const Loc& loc = locs_.at(schema);
    const std::string& uri = docs_[loc.doc].uri;
    const bool named = loc.doc != 0 || uri != kDefaultBase;
    return (named ? uri : std::string()) + "#" + loc.pointer;
  };

  // Depth-first, iterative (a program may hold thousands of nodes): a node is open while its
  // in-place descendants are explored; meeting an open node again closes a ring.
  enum : std::uint8_t { kUnseen, kOpen, kDone };
  std::vector<std::uint8_t> state(nodes.size(), kUnseen);
  struct Frame {
    std::int32_t node;
    std::vector<Edge> edges;
    std::size_t next = 0;
  };
  std::vector<Frame> stack;
  for (std::size_t start = 0; start < nodes.size(); ++start) {
    if (state[start] != kUnseen) continue;
    const auto first = static_cast<std::int32_t>(start);
    stack.push_back({first, in_place_edges(nodes[start])});
    state[start] = kOpen;
    while (!stack.empty()) {
      Frame& f = stack.back();
      if (f.next == f.edges.size()) {
        state[static_cast<std::size_t>(f.node)] = kDone;
        stack.pop_back();
        continue;
      }
      const Edge edge = f.edges[f.next++];
      const auto to = static_cast<std::size_t>(edge.to);
      if (state[to] == kUnseen) {
        state[to] = kOpen;
        stack.push_back({edge.to, in_place_edges(nodes[to])});
        continue;
      }
      if (state[to] != kOpen) continue;
      // A ring: from the open frame of `to` to this one, and back.
      std::size_t from = stack.size() - 1;
      while (stack[from].node != edge.to) --from;
      std::string ring;
      for (std::size_t i = from; i < stack.size(); ++i) {
        ring += where(stack[i].node) + " (" + stack[i].edges[stack[i].next - 1].keyword + ") -> ";
      }
      ring += where(edge.to);
      throw SchemaError("invalid schema: a reference cycle without progress: " + ring +
                        "; each applies the next to the same value, so validating would never "
                        "end");
    }
  }
}

}  // namespace tb::schema_detail
