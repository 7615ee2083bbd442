// The compiler's worklist and the core keywords of a node: "$ref" resolved to a node,
// "$dynamicRef" to a static target plus the anchor to look up in the dynamic scope, "$defs",
// "format", and the vocabularies a node's metaschema enables.
#include "score/schema/compiler.hpp"

#include <algorithm>
#include <map>

#include "common/text.hpp"
#include "score/schema/ascii.hpp"
#include "score/schema/formats.hpp"
#include "score/schema/uri.hpp"

namespace tb::schema_detail {

// Finds the subschema a reference points to, loading its document if needed.
const json* Compiler::resolve_target(const std::string& ref, const Loc& loc,
                                     std::string_view keyword) {
  const std::string full = resolve_uri(loc.base, ref);
  const auto [abs, raw_frag] = split_fragment(full);
  const std::string frag = percent_decode(raw_frag);
  const MetaInfo inherited = resources_[loc.resource].meta;
  const json* root = find_or_load(abs, inherited);
  if (root == nullptr) {
    fail(loc, std::string(keyword) + " \"" + ref +
                  "\" points to nowhere: no schema is known as \"" + abs +
                  "\" (remote references resolve only through ref_map)");
  }
  if (!frag.empty() && frag[0] != '/') {
    const auto it = index_.find(abs + "#" + frag);
    if (it == index_.end()) {
      fail(loc, std::string(keyword) + " \"" + ref + "\" points to nowhere: no anchor \"" + frag +
                    "\" in \"" + abs + "\"");
    }
    return it->second;
  }
  // A JSON Pointer, relative to the resource the URI names.
  const json* cur = root;
  const json* known = root;  // the deepest scanned schema on the way, for its base URI
  std::string pointer = locs_.count(root) != 0 ? locs_.at(root).pointer : "";
  std::size_t pos = frag.empty() ? std::string::npos : 1;
  while (pos != std::string::npos) {
    const std::size_t next = frag.find('/', pos);
    const std::string token = pointer_unescape(
        frag.substr(pos, next == std::string::npos ? std::string::npos : next - pos));
    pos = next == std::string::npos ? std::string::npos : next + 1;
    const json* child = nullptr;
    if (cur->is_object()) {
      if (const auto it = cur->find(token); it != cur->end()) child = &*it;
    } else if (cur->is_array()) {
      const bool numeric = !token.empty() && std::all_of(token.begin(), token.end(), ascii_digit) &&
                           (token.size() == 1 || token[0] != '0');
      if (numeric && token.size() < 10 && std::stoul(token) < cur->size()) {
        child = &(*cur)[std::stoul(token)];
      }
    }
    if (child == nullptr) {
      fail(loc, std::string(keyword) + " \"" + ref + "\" points to nowhere: \"" + abs +
                    "\" has no \"#" + raw_frag + "\"");
    }
    cur = child;
    pointer += "/" + json_pointer_escape(token);
    if (locs_.count(cur) != 0) known = cur;
  }
  if (locs_.count(cur) == 0) {
    // Inside a keyword the scan does not know (an unknown keyword): adopt the nearest scanned
    // ancestor's base and resource.
    const Loc& anc = locs_.at(known);
    scan(*cur, anc.base, anc.resource, pointer, anc.doc, 0, false);
  }
  return cur;
}

std::int32_t Compiler::ref_node(const json& v, const Loc& loc, std::string_view keyword) {
  if (!v.is_string()) fail(loc, "\"" + std::string(keyword) + "\" must be a string");
  return enqueue(resolve_target(v.get<std::string>(), loc, keyword));
}

std::int32_t Compiler::enqueue(const json* s) {
  if (const auto it = compiled_.find(s); it != compiled_.end()) return it->second;
  const auto idx = static_cast<std::int32_t>(prog_->nodes.size());
  prog_->nodes.emplace_back();
  compiled_.emplace(s, idx);
  pending_.emplace_back(s, idx);
  return idx;
}

void Compiler::drain() {
  while (true) {
    while (!pending_.empty()) {
      const auto [s, idx] = pending_.back();
      pending_.pop_back();
      build(idx, *s);
    }
    // Every resource that can enter the dynamic scope needs its $dynamicAnchors compiled.
    bool more = false;
    for (std::size_t r = 0; r < resources_.size(); ++r) {
      if (!resources_[r].used || resources_[r].anchors_compiled) continue;
      resources_[r].anchors_compiled = true;
      for (const auto& [name, target] : resources_[r].dynamic_anchors) {
        const std::int32_t node = enqueue(target);
        if (prog_->resources.size() <= r) prog_->resources.resize(r + 1);
        prog_->resources[r].dynamic_anchors.emplace_back(intern(name), node);
        more = true;
      }
    }
    if (!more && pending_.empty()) break;
  }
  prog_->resources.resize(resources_.size());
}

std::int32_t Compiler::intern(const std::string& name) {
  const auto [it, inserted] = names_.emplace(name, static_cast<std::int32_t>(names_.size()));
  return it->second;
}

void Compiler::build(std::int32_t idx, const json& s) {
  const Loc loc = locs_.at(&s);
  resources_[loc.resource].used = true;
  Node n;
  n.resource = loc.resource;
  n.draft7 = resources_[loc.resource].meta.dialect == Dialect::k7;
  if (s.is_boolean()) {
    n.kind = s.get<bool>() ? Node::Kind::kTrue : Node::Kind::kFalse;
    prog_->nodes[static_cast<std::size_t>(idx)] = std::move(n);
    return;
  }
  if (!s.is_object()) {
    fail(loc, std::string("expected a schema (object or boolean), got ") + s.type_name());
  }
  const MetaInfo meta = resources_[loc.resource].meta;
  const bool d7 = meta.dialect == Dialect::k7;
  const auto& obj = s.get_ref<const json::object_t&>();
  const KeywordLookup get{obj};

  if (d7) {
    if (const json* v = get("$ref")) {
      n.ref = ref_node(*v, loc, "$ref");
      n.has_inplace = true;
      prog_->nodes[static_cast<std::size_t>(idx)] = std::move(n);
      return;
    }
    if (const json* v = get("definitions"); v != nullptr && v->is_object()) {
      for (const auto& [name, sub] : v->items()) child(sub, loc, "definitions/" + name);
    }
  } else {
    if (const json* v = get("$ref")) {
      n.ref = ref_node(*v, loc, "$ref");
      n.has_inplace = true;
    }
    if (const json* v = get("$dynamicRef")) {
      if (!v->is_string()) fail(loc, "\"$dynamicRef\" must be a string");
      const std::string& ref = v->get_ref<const std::string&>();
      const json* target = resolve_target(ref, loc, "$dynamicRef");
      n.dynamic_ref = enqueue(target);
      n.has_inplace = true;
      // Dynamic only when the static target itself carries the same $dynamicAnchor.
      const std::string frag = percent_decode(split_fragment(resolve_uri(loc.base, ref)).second);
      if (!frag.empty() && frag[0] != '/' && target->is_object()) {
        const auto anchor = target->find("$dynamicAnchor");
        if (anchor != target->end() && anchor->is_string() && anchor->get<std::string>() == frag) {
          n.dynamic_name = intern(frag);
          prog_->uses_dynamic = true;
        }
      }
    }
    if (const json* v = get("$defs")) {
      if (!v->is_object()) fail(loc, "\"$defs\" must be an object");
      for (const auto& [name, sub] : v->items()) child(sub, loc, "$defs/" + name);
    }
  }

  if (meta.vocab & kVocabApplicator) build_applicators(n, loc, get, d7);
  if (!d7 && (meta.vocab & kVocabUnevaluated)) {
    if (const json* v = get("unevaluatedItems")) {
      n.unevaluated_items = child(*v, loc, "unevaluatedItems");
      n.has_unevaluated = true;
    }
    if (const json* v = get("unevaluatedProperties")) {
      n.unevaluated_properties = child(*v, loc, "unevaluatedProperties");
      n.has_unevaluated = true;
    }
  }
  if (meta.vocab & kVocabValidation) build_validation(n, loc, get, d7);
  if (meta.vocab & (kVocabFormatAnnotation | kVocabFormatAssertion)) {
    if (const json* v = get("format"); v != nullptr && v->is_string()) {
      n.assert_format = opts_.assert_formats || (meta.vocab & kVocabFormatAssertion) != 0;
      const std::string& name = v->get_ref<const std::string&>();
      n.format_is_regex = name == "regex";
      n.format = format_id(name);
      if (n.assert_format && !n.format_is_regex && n.format == 0) n.assert_format = false;
      if (prog_->format_names.empty()) prog_->format_names.resize(32);
      if (n.format > 0 && static_cast<std::size_t>(n.format) < prog_->format_names.size()) {
        prog_->format_names[static_cast<std::size_t>(n.format)] = name;
      }
    }
  }
  merge_members(n);
  prog_->nodes[static_cast<std::size_t>(idx)] = std::move(n);
}

void Compiler::merge_members(Node& n) {
  std::map<std::string, Member> merged;  // std::less<std::string>: the order of json keys
  for (const NamedChild& p : n.properties) merged[p.name].node = p.node;
  for (const std::string& r : n.required) merged[r].required = true;
  for (auto& [name, m] : merged) {
    m.name = name;
    n.required_count += m.required ? 1 : 0;
    n.members.push_back(std::move(m));
  }
  n.properties = {};
}

}  // namespace tb::schema_detail
