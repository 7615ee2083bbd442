// The evaluator's keywords of arrays (items, prefixItems, contains, uniqueItems, counts) and
// objects (properties, patternProperties, additionalProperties, propertyNames, required,
// dependentRequired, counts).
#include "score/schema/evaluator.hpp"

#include <algorithm>
#include <utility>

#include "score/schema/json_equal.hpp"
#include "score/schema/messages.hpp"
#include "score/schema/regex.hpp"

namespace tb::schema_detail {

bool Evaluator::check_array(const Node& n, const json& x, const Ctx& c, Evaluated* a) {
  bool ok = true;
  const std::size_t size = x.size();
  auto fail_here = [&](std::string_view kw, auto&& message) {
    report(c.ipath, c.spath, kw, message);
    ok = false;
    return collecting();
  };
  if (size < n.min_items && !fail_here("minItems", [&] {
        return "must have at least " + std::to_string(n.min_items) + " items, got " +
               std::to_string(size);
      })) {
    return false;
  }
  if (size > n.max_items && !fail_here("maxItems", [&] {
        return "must have at most " + std::to_string(n.max_items) + " items, got " +
               std::to_string(size);
      })) {
    return false;
  }
  if (n.unique_items && size > 1) {
    std::size_t dup_a = 0, dup_b = 0;
    if (!unique(x, &dup_a, &dup_b) && !fail_here("uniqueItems", [&] {
          return "items at index " + std::to_string(dup_a) + " and " + std::to_string(dup_b) +
                 " are equal";
        })) {
      return false;
    }
  }
  const std::size_t prefix = std::min(size, n.prefix_items.size());
  if (prefix > 0) {
    const std::string_view kw_name = n.draft7 ? "items" : "prefixItems";
    const PathSeg kw = key_seg(c.spath, kw_name);
    for (std::size_t i = 0; i < prefix; ++i) {
      const PathSeg iseg = index_seg(c.ipath, i);
      const PathSeg sseg = index_seg(&kw, i);
      if (!apply(n.prefix_items[i], x[i], c, &iseg, &sseg, kw_name,
                 [&] { return "item " + std::to_string(i) + " is not allowed"; })) {
        if (!collecting()) return false;
        ok = false;
      }
      if (a != nullptr) a->mark(i);
    }
  }
  if (n.items != kNone && size > n.prefix_items.size()) {
    const std::string_view kw_name = n.draft7 ? "additionalItems" : "items";
    const PathSeg kw = key_seg(c.spath, kw_name);
    for (std::size_t i = n.prefix_items.size(); i < size; ++i) {
      const PathSeg iseg = index_seg(c.ipath, i);
      if (!apply(n.items, x[i], c, &iseg, &kw, kw_name, [&] {
            return "item " + std::to_string(i) + " is not allowed (at most " +
                   std::to_string(n.prefix_items.size()) + " items)";
          })) {
        if (!collecting()) return false;
        ok = false;
      }
    }
    if (a != nullptr) a->mark_all();
  }
  if (n.contains != kNone) {
    const PathSeg kw = key_seg(c.spath, "contains");
    std::size_t matches = 0;
    {
      Quiet quiet(this);
      for (std::size_t i = 0; i < size; ++i) {
        const PathSeg iseg = index_seg(c.ipath, i);
        if (eval(n.contains, x[i], {c.scope, &iseg, &kw, c.depth, c.idepth + 1}, nullptr)) {
          ++matches;
          if (a != nullptr) a->mark(i);
          if (a == nullptr && matches >= n.min_contains && n.max_contains == kUnbounded) break;
          if (a == nullptr && matches > n.max_contains) break;
        }
      }
    }
    if (matches < n.min_contains && !fail_here("contains", [&] {
          return "must contain at least " + std::to_string(n.min_contains) +
                 " matching item(s), found " + std::to_string(matches);
        })) {
      return false;
    }
    if (matches > n.max_contains && !fail_here("maxContains", [&] {
          return "must contain at most " + std::to_string(n.max_contains) +
                 " matching item(s), found " + std::to_string(matches);
        })) {
      return false;
    }
  }
  return ok;
}

bool Evaluator::unique(const json& x, std::size_t* dup_a, std::size_t* dup_b) {
  const std::size_t size = x.size();
  if (size <= 32) {
    for (std::size_t i = 0; i < size; ++i) {
      for (std::size_t j = i + 1; j < size; ++j) {
        if (json_equal(x[i], x[j])) {
          *dup_a = i;
          *dup_b = j;
          return false;
        }
      }
    }
    return true;
  }
  std::vector<std::pair<std::size_t, std::size_t>> hashed;  // hash, index
  hashed.reserve(size);
  for (std::size_t i = 0; i < size; ++i) hashed.emplace_back(shallow_hash(x[i]), i);
  std::sort(hashed.begin(), hashed.end());
  for (std::size_t i = 0; i < size; ++i) {
    for (std::size_t j = i + 1; j < size && hashed[j].first == hashed[i].first; ++j) {
      if (json_equal(x[hashed[i].second], x[hashed[j].second])) {
        *dup_a = std::min(hashed[i].second, hashed[j].second);
        *dup_b = std::max(hashed[i].second, hashed[j].second);
        return false;
      }
    }
  }
  return true;
}

bool Evaluator::check_object(const Node& n, const json& x, const Ctx& c, Evaluated* a) {
  bool ok = true;
  const auto& members = x.get_ref<const json::object_t&>();
  const std::size_t size = members.size();
  auto fail_here = [&](std::string_view kw, auto&& message) {
    report(c.ipath, c.spath, kw, message);
    ok = false;
    return collecting();
  };
  if (size < n.min_properties && !fail_here("minProperties", [&] {
        return "must have at least " + std::to_string(n.min_properties) + " properties, got " +
               std::to_string(size);
      })) {
    return false;
  }
  if (size > n.max_properties && !fail_here("maxProperties", [&] {
        return "must have at most " + std::to_string(n.max_properties) + " properties, got " +
               std::to_string(size);
      })) {
    return false;
  }
  for (const DependentRequired& dep : n.dependent_required) {
    if (members.find(dep.name) == members.end()) continue;
    for (const std::string& name : dep.required) {
      if (members.find(name) == members.end() &&
          !fail_here(n.draft7 ? "dependencies" : "dependentRequired", [&] {
            return "property " + quote(name) + " is required when " + quote(dep.name) +
                   " is present";
          })) {
        return false;
      }
    }
  }
  const bool per_member = !n.members.empty() || !n.pattern_properties.empty() ||
                          n.additional_properties != kNone || n.property_names != kNone;
  if (!per_member) return ok;
  std::size_t required_seen = 0;
  const PathSeg props_kw = key_seg(c.spath, "properties");
  const PathSeg pattern_kw = key_seg(c.spath, "patternProperties");
  const PathSeg additional_kw = key_seg(c.spath, "additionalProperties");
  const PathSeg names_kw = key_seg(c.spath, "propertyNames");
  std::size_t next = 0;
  std::size_t i = 0;
  for (auto it = members.begin(); it != members.end(); ++it, ++i) {
    const std::string& key = it->first;
    const json& value = it->second;
    const PathSeg iseg = key_seg(c.ipath, key);
    bool matched = false;
    // Both sides are sorted by name: a merge join instead of a lookup per member.
    int cmp = 1;
    while (next < n.members.size() && (cmp = n.members[next].name.compare(key)) < 0) ++next;
    if (next < n.members.size() && cmp == 0) {
      const Member& m = n.members[next];
      required_seen += m.required ? 1 : 0;
      if (m.node != kNone) {
        matched = true;
        const PathSeg sseg = key_seg(&props_kw, key);
        if (!apply(m.node, value, c, &iseg, &sseg, "properties",
                   [&] { return "property " + quote(key) + " is not allowed"; })) {
          if (!collecting()) return false;
          ok = false;
        }
      }
    }
    for (const auto& [re, node] : n.pattern_properties) {
      const Regex& regex = p_.regexes[static_cast<std::size_t>(re)];
      if (!regex.search(key)) continue;
      matched = true;
      const PathSeg sseg = key_seg(&pattern_kw, regex.source());
      if (!apply(node, value, c, &iseg, &sseg, "patternProperties",
                 [&] { return "property " + quote(key) + " is not allowed"; })) {
        if (!collecting()) return false;
        ok = false;
      }
    }
    if (!matched && n.additional_properties != kNone) {
      matched = true;
      if (!apply(n.additional_properties, value, c, &iseg, &additional_kw, "additionalProperties",
                 [&] { return "property " + quote(key) + " is not allowed"; })) {
        if (!collecting()) return false;
        ok = false;
      }
    }
    if (matched && a != nullptr) a->mark(i);
    if (n.property_names != kNone) {
      // A scratch string instance per thread: property names are not json values, and the
      // propertyNames subschema cannot reach another object, so one buffer suffices.
      thread_local json name_instance = json::value_t::string;
      name_instance.get_ref<std::string&>() = key;
      if (!apply(n.property_names, name_instance, c, &iseg, &names_kw, "propertyNames",
                 [&] { return "property name " + quote(key) + " is not allowed"; })) {
        if (!collecting()) return false;
        ok = false;
      }
    }
  }
  if (required_seen < n.required_count) {
    // Rare: find which names are missing, in the order the schema lists them.
    for (std::size_t k = 0; k < n.required.size(); ++k) {
      const std::string& name = n.required[k];
      const bool repeated = std::find(n.required.begin(), n.required.begin() + static_cast<long>(k),
                                      name) != n.required.begin() + static_cast<long>(k);
      if (repeated || members.find(name) != members.end()) continue;
      if (!fail_here("required", [&] { return "missing required property " + quote(name); })) {
        return false;
      }
    }
  }
  return ok;
}

}  // namespace tb::schema_detail
