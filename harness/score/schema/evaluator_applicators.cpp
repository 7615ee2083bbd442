// The evaluator's in-place applicators ($ref, $dynamicRef, allOf, anyOf, oneOf, not,
// if/then/else, dependentSchemas) and unevaluatedItems / unevaluatedProperties.
#include "score/schema/evaluator.hpp"

#include <utility>

#include "score/schema/messages.hpp"

namespace tb::schema_detail {

bool Evaluator::inplace(const Node& n, const json& x, const Ctx& c, Evaluated* a) {
  bool ok = true;
  if (n.ref != kNone) {
    const PathSeg seg = key_seg(c.spath, "$ref");
    if (!eval(n.ref, x, {c.scope, c.ipath, &seg, c.depth, c.idepth}, a)) {
      if (!collecting()) return false;
      ok = false;
    }
  }
  if (n.dynamic_ref != kNone) {
    std::int32_t target = n.dynamic_ref;
    if (n.dynamic_name != kNone) {
      // The outermost resource in the dynamic scope that defines the anchor wins.
      for (const Scope* s = c.scope; s != nullptr; s = s->parent) {
        for (const auto& [name, node] : p_.resources[s->resource].dynamic_anchors) {
          if (name == n.dynamic_name) target = node;
        }
      }
    }
    const PathSeg seg = key_seg(c.spath, "$dynamicRef");
    if (!eval(target, x, {c.scope, c.ipath, &seg, c.depth, c.idepth}, a)) {
      if (!collecting()) return false;
      ok = false;
    }
  }
  if (!n.all_of.empty()) {
    const PathSeg kw = key_seg(c.spath, "allOf");
    for (std::size_t i = 0; i < n.all_of.size(); ++i) {
      const PathSeg seg = index_seg(&kw, i);
      if (!eval(n.all_of[i], x, {c.scope, c.ipath, &seg, c.depth, c.idepth}, a)) {
        if (!collecting()) return false;
        ok = false;
      }
    }
  }
  if (!n.any_of.empty() && !check_any_of(n, x, c, a)) {
    if (!collecting()) return false;
    ok = false;
  }
  if (!n.one_of.empty() && !check_one_of(n, x, c, a)) {
    if (!collecting()) return false;
    ok = false;
  }
  if (n.not_ != kNone && !check_not(n, x, c)) {
    if (!collecting()) return false;
    ok = false;
  }
  if (n.if_ != kNone && !check_if(n, x, c, a)) {
    if (!collecting()) return false;
    ok = false;
  }
  if (!n.dependent_schemas.empty() && x.is_object()) {
    const PathSeg kw = key_seg(c.spath, n.draft7 ? "dependencies" : "dependentSchemas");
    for (const NamedChild& dep : n.dependent_schemas) {
      if (!x.contains(dep.name)) continue;
      const PathSeg seg = key_seg(&kw, dep.name);
      if (!eval(dep.node, x, {c.scope, c.ipath, &seg, c.depth, c.idepth}, a)) {
        if (!collecting()) return false;
        ok = false;
      }
    }
  }
  return ok;
}

bool Evaluator::check_any_of(const Node& n, const json& x, const Ctx& c, Evaluated* a) {
  bool ok = true;
  const PathSeg kw = key_seg(c.spath, "anyOf");
  bool any = false;
  {
    Quiet quiet(this);
    for (std::size_t i = 0; i < n.any_of.size(); ++i) {
      const PathSeg seg = index_seg(&kw, i);
      if (a == nullptr) {
        if (eval(n.any_of[i], x, {c.scope, c.ipath, &seg, c.depth, c.idepth}, nullptr)) {
          any = true;
          break;
        }
      } else {
        // Annotations of every passing branch count, so no short cut.
        Evaluated branch;
        if (eval(n.any_of[i], x, {c.scope, c.ipath, &seg, c.depth, c.idepth}, &branch)) {
          any = true;
          a->merge(branch);
        }
      }
    }
  }
  if (!any) {
    report(c.ipath, c.spath, "anyOf", [&] {
      return "does not match any of the " + std::to_string(n.any_of.size()) +
             " alternatives in anyOf";
    });
    if (!collecting()) return false;
    ok = false;
  }
  return ok;
}

bool Evaluator::check_one_of(const Node& n, const json& x, const Ctx& c, Evaluated* a) {
  bool ok = true;
  const PathSeg kw = key_seg(c.spath, "oneOf");
  std::size_t matches = 0, first = 0, second = 0;
  Evaluated chosen;
  {
    Quiet quiet(this);
    for (std::size_t i = 0; i < n.one_of.size(); ++i) {
      const PathSeg seg = index_seg(&kw, i);
      Evaluated branch;
      if (eval(n.one_of[i], x, {c.scope, c.ipath, &seg, c.depth, c.idepth},
               a != nullptr ? &branch : nullptr)) {
        if (++matches == 1) {
          first = i;
          if (a != nullptr) chosen = std::move(branch);
        } else {
          second = i;
          break;
        }
      }
    }
  }
  if (matches != 1) {
    report(c.ipath, c.spath, "oneOf", [&] {
      return matches == 0 ? "does not match any of the " + std::to_string(n.one_of.size()) +
                                " alternatives in oneOf"
                          : "matches more than one alternative in oneOf (" + std::to_string(first) +
                                " and " + std::to_string(second) + "), expected exactly one";
    });
    if (!collecting()) return false;
    ok = false;
  } else if (a != nullptr) {
    a->merge(chosen);
  }
  return ok;
}

bool Evaluator::check_not(const Node& n, const json& x, const Ctx& c) {
  bool ok = true;
  const PathSeg seg = key_seg(c.spath, "not");
  bool matched = false;
  {
    Quiet quiet(this);
    matched = eval(n.not_, x, {c.scope, c.ipath, &seg, c.depth, c.idepth}, nullptr);
  }
  if (matched) {
    report(c.ipath, c.spath, "not",
           [] { return std::string("must not match the schema in \"not\""); });
    if (!collecting()) return false;
    ok = false;
  }
  return ok;
}

bool Evaluator::check_if(const Node& n, const json& x, const Ctx& c, Evaluated* a) {
  bool ok = true;
  const PathSeg if_seg = key_seg(c.spath, "if");
  Evaluated cond_ann;
  bool cond = false;
  {
    Quiet quiet(this);
    cond = eval(n.if_, x, {c.scope, c.ipath, &if_seg, c.depth, c.idepth},
                a != nullptr ? &cond_ann : nullptr);
  }
  if (cond && a != nullptr) a->merge(cond_ann);
  const std::int32_t branch = cond ? n.then_ : n.else_;
  if (branch != kNone) {
    const PathSeg seg = key_seg(c.spath, cond ? "then" : "else");
    if (!eval(branch, x, {c.scope, c.ipath, &seg, c.depth, c.idepth}, a)) {
      if (!collecting()) return false;
      ok = false;
    }
  }
  return ok;
}

bool Evaluator::unevaluated(const Node& n, const json& x, const Ctx& c, Evaluated* local) {
  bool ok = true;
  if (n.unevaluated_items != kNone && x.is_array()) {
    const PathSeg kw = key_seg(c.spath, "unevaluatedItems");
    for (std::size_t i = 0; i < x.size(); ++i) {
      if (local->test(i)) continue;
      const PathSeg iseg = index_seg(c.ipath, i);
      if (!apply(n.unevaluated_items, x[i], c, &iseg, &kw, "unevaluatedItems",
                 [&] { return "item " + std::to_string(i) + " is not allowed (unevaluated)"; })) {
        if (!collecting()) return false;
        ok = false;
      }
    }
    local->mark_all();
  }
  if (n.unevaluated_properties != kNone && x.is_object()) {
    const PathSeg kw = key_seg(c.spath, "unevaluatedProperties");
    std::size_t i = 0;
    for (const auto& [key, value] : x.get_ref<const json::object_t&>()) {
      if (!local->test(i)) {
        const PathSeg iseg = key_seg(c.ipath, key);
        if (!apply(n.unevaluated_properties, value, c, &iseg, &kw, "unevaluatedProperties",
                   [&, &name = key] { return "property " + quote(name) + " is not allowed (unevaluated)"; })) {
          if (!collecting()) return false;
          ok = false;
        }
      }
      ++i;
    }
    local->mark_all();
  }
  return ok;
}

}  // namespace tb::schema_detail
