// The compiler's documents and schema resources: loading remotes and metaschemas, "$schema"
// and "$vocabulary", and the scan that indexes "$id", "$anchor" and "$dynamicAnchor".
#include "score/schema/compiler.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>
#include <span>
#include <sstream>

#include "common/files.hpp"
#include "common/text.hpp"
#include "score/schema/metaschemas.hpp"
#include "score/schema/uri.hpp"

namespace tb::schema_detail {

Compiler::Compiler(const SchemaOptions& options, Program* program)
    : opts_(options), prog_(program) {
  prog_->max_depth = options.max_depth;
  // Each instance level costs a few evaluation frames (node, $ref, allOf, ...).
  prog_->eval_depth_limit = options.max_depth * 4 + 32;
}

void Compiler::compile_root(const json& schema, const std::string& base_uri) {
  if (!schema.is_object() && !schema.is_boolean()) {
    throw SchemaError("schema must be a JSON object or boolean, got " +
                      std::string(schema.type_name()));
  }
  const std::string base =
      base_uri.empty() ? std::string(kDefaultBase) : split_fragment(base_uri).first;
  const MetaInfo meta{
      opts_.default_draft == SchemaDraft::draft7 ? Dialect::k7 : Dialect::k2020,
      opts_.default_draft == SchemaDraft::draft7 ? kVocabDraft7 : kDefaultVocab2020};
  // Borrowed, not copied: copying a json recurses, and depth is checked only by the scan.
  const json* root = add_document(&schema, nullptr, base, meta);
  const Loc& loc = locs_.at(root);
  prog_->draft = resources_[loc.resource].meta.dialect == Dialect::k7 ? SchemaDraft::draft7
                                                                      : SchemaDraft::draft2020_12;
  prog_->root = enqueue(root);
  drain();
  check_cycles();
}

void Compiler::fail(const Loc& loc, const std::string& what) const {
  std::string where = loc.pointer.empty() ? "the schema root" : "'" + loc.pointer + "'";
  const std::string& uri = docs_[loc.doc].uri;
  if (loc.doc != 0 || uri != kDefaultBase) where += " of " + uri;
  throw SchemaError("invalid schema at " + where + ": " + what);
}

const json* Compiler::add_document(const json* root, std::unique_ptr<json> owned,
                                   const std::string& uri, MetaInfo inherited) {
  const auto doc_index = static_cast<std::uint32_t>(docs_.size());
  docs_.push_back({std::move(owned), uri});
  MetaInfo meta = inherited;
  if (root->is_object()) {
    if (const auto it = root->find("$schema"); it != root->end()) {
      if (!it->is_string()) throw SchemaError("\"$schema\" in " + uri + " must be a string");
      meta = meta_for(it->get<std::string>(), 0);
    }
  }
  const auto res = new_resource(meta);
  index_.emplace(uri, root);
  scan(*root, uri, res, "", doc_index, 0, true);
  return root;
}

std::uint32_t Compiler::new_resource(MetaInfo meta) {
  resources_.push_back({meta, {}, false, false});
  return static_cast<std::uint32_t>(resources_.size() - 1);
}

// Reads a document for an absolute URI (no fragment) from the built-in metaschemas, ref_map
// or a file: URI. Returns null when no source knows it.
const json* Compiler::find_or_load(const std::string& uri, MetaInfo inherited) {
  if (const auto it = index_.find(uri); it != index_.end()) return it->second;
  if (const std::string_view text = builtin_metaschema(uri); !text.empty()) {
    auto doc = std::make_unique<json>(json::parse(text));
    const json* root = doc.get();
    return add_document(root, std::move(doc), uri, inherited);
  }
  std::optional<std::filesystem::path> file;
  for (const auto& [prefix, dir] : opts_.ref_map) {
    if (prefix.empty() || !uri.starts_with(prefix)) continue;
    std::string rest = percent_decode(uri.substr(prefix.size()));
    rest.erase(0, rest.find_first_not_of('/'));  // a prefix may or may not end with '/'
    const std::filesystem::path relative(rest);
    // The map grants one directory tree, not the file system.
    const bool escapes = relative.is_absolute() ||
                         std::any_of(relative.begin(), relative.end(),
                                     [](const std::filesystem::path& p) { return p == ".."; });
    if (escapes || rest.find('?') != std::string::npos) continue;
    file = dir / relative;
    break;
  }
  if (!file && uri.starts_with("file://")) {
    const UriParts parts = parse_uri(uri);
    file = std::filesystem::path(percent_decode(parts.path));
  }
  if (!file) return nullptr;
  std::error_code missing;
  if (!std::filesystem::exists(*file, missing)) return nullptr;  // unresolved, said by the caller
  std::string why;
  const auto text = read_file(*file, &why);
  if (!text) throw SchemaError("cannot read schema " + uri + " (" + file->string() + "): " + why);
  json doc;
  try {
    doc = json::parse(*text);
  } catch (const json::parse_error& e) {
    throw SchemaError("cannot parse schema " + uri + " (" + file->string() + "): " + e.what());
  }
  auto owned = std::make_unique<json>(std::move(doc));
  const json* root = owned.get();
  return add_document(root, std::move(owned), uri, inherited);
}

MetaInfo Compiler::meta_for(const std::string& schema_uri, int depth) {
  const std::string uri = split_fragment(schema_uri).first;
  std::string_view bare = uri;
  if (bare.starts_with("https://")) {
    bare.remove_prefix(8);
  } else if (bare.starts_with("http://")) {
    bare.remove_prefix(7);
  }
  if (bare == "json-schema.org/draft/2020-12/schema") return {Dialect::k2020, kDefaultVocab2020};
  if (bare == "json-schema.org/draft-07/schema") return {Dialect::k7, kVocabDraft7};
  if (bare.starts_with("json-schema.org/")) {
    throw SchemaError("unsupported $schema \"" + schema_uri +
                      "\": supported drafts are 2020-12 and draft-07");
  }
  if (const auto it = meta_cache_.find(uri); it != meta_cache_.end()) return it->second;
  if (depth > 8) throw SchemaError("$schema chain too long at \"" + schema_uri + "\"");
  // A custom metaschema: its own $schema gives the dialect, its $vocabulary the keywords.
  const json* meta_doc = find_or_load(uri, {Dialect::k2020, kDefaultVocab2020});
  if (meta_doc == nullptr || !meta_doc->is_object()) {
    throw SchemaError("unknown $schema \"" + schema_uri +
                      "\": not a known draft and no local copy (see ref_map)");
  }
  MetaInfo meta{Dialect::k2020, kDefaultVocab2020};
  if (const auto it = meta_doc->find("$schema"); it != meta_doc->end() && it->is_string()) {
    meta = meta_for(it->get<std::string>(), depth + 1);
  }
  if (const auto it = meta_doc->find("$vocabulary");
      it != meta_doc->end() && meta.dialect == Dialect::k2020) {
    if (!it->is_object()) throw SchemaError("$vocabulary of " + uri + " must be an object");
    static const std::map<std::string_view, Vocab> kKnown = {
        {"https://json-schema.org/draft/2020-12/vocab/core", kVocabCore},
        {"https://json-schema.org/draft/2020-12/vocab/applicator", kVocabApplicator},
        {"https://json-schema.org/draft/2020-12/vocab/unevaluated", kVocabUnevaluated},
        {"https://json-schema.org/draft/2020-12/vocab/validation", kVocabValidation},
        {"https://json-schema.org/draft/2020-12/vocab/meta-data", kVocabMetaData},
        {"https://json-schema.org/draft/2020-12/vocab/format-annotation", kVocabFormatAnnotation},
        {"https://json-schema.org/draft/2020-12/vocab/format-assertion", kVocabFormatAssertion},
        {"https://json-schema.org/draft/2020-12/vocab/content", kVocabContent},
    };
    meta.vocab = kVocabCore;
    for (const auto& [name, required] : it->items()) {
      const auto known = kKnown.find(name);
      if (known != kKnown.end()) {
        meta.vocab |= known->second;
      } else if (required.is_boolean() && required.get<bool>()) {
        throw SchemaError("metaschema " + uri + " requires unsupported vocabulary " + name);
      }
    }
  }
  meta_cache_.emplace(uri, meta);
  return meta;
}

void Compiler::scan(const json& s, const std::string& base_in, std::uint32_t res,
                    const std::string& pointer, std::uint32_t doc, std::size_t depth,
                    bool is_document_root) {
  if (depth > opts_.max_depth) {
    fail({base_in, res, pointer, doc},
         "schema nested deeper than max_depth (" + std::to_string(opts_.max_depth) + ")");
  }
  if (!s.is_object()) {
    if (s.is_boolean()) locs_.emplace(&s, Loc{base_in, res, pointer, doc});
    return;
  }
  std::string base = base_in;
  const bool parent_d7 = resources_[res].meta.dialect == Dialect::k7;
  // In draft-07 every keyword beside "$ref" is ignored, "$id" included.
  const bool ref_overrides = parent_d7 && s.contains("$ref");
  if (const auto it = s.find("$id"); it != s.end() && !ref_overrides) {
    if (!it->is_string()) fail({base, res, pointer, doc}, "\"$id\" must be a string");
    const std::string& id = it->get_ref<const std::string&>();
    auto [abs, frag] = split_fragment(resolve_uri(base, id));
    if (!frag.empty() && !parent_d7) {
      fail({base, res, pointer, doc}, "\"$id\" must not contain a non-empty fragment");
    }
    if (id.empty() || id[0] != '#') {
      if (!is_document_root) {
        MetaInfo meta = resources_[res].meta;
        if (const auto sch = s.find("$schema"); sch != s.end() && sch->is_string()) {
          meta = meta_for(sch->get<std::string>(), 0);
        }
        res = new_resource(meta);
      }
      base = abs;
      index_.emplace(abs, &s);
    }
    if (!frag.empty()) index_.emplace(base + "#" + percent_decode(frag), &s);  // draft-07 anchor
  }
  locs_.emplace(&s, Loc{base, res, pointer, doc});
  const bool d7 = resources_[res].meta.dialect == Dialect::k7;
  if (!d7) {
    if (const auto it = s.find("$anchor"); it != s.end() && it->is_string()) {
      index_.emplace(base + "#" + it->get<std::string>(), &s);
    }
    if (const auto it = s.find("$dynamicAnchor"); it != s.end() && it->is_string()) {
      index_.emplace(base + "#" + it->get<std::string>(), &s);
      resources_[res].dynamic_anchors.emplace_back(it->get<std::string>(), &s);
    }
  }
  static constexpr std::string_view kMaps2020[] = {
      "$defs",       "definitions", "properties", "patternProperties", "dependentSchemas",
      "dependencies"};
  static constexpr std::string_view kArrays2020[] = {"allOf", "anyOf", "oneOf", "prefixItems"};
  static constexpr std::string_view kSingles2020[] = {"not",
                                                      "if",
                                                      "then",
                                                      "else",
                                                      "contains",
                                                      "items",
                                                      "additionalProperties",
                                                      "propertyNames",
                                                      "unevaluatedItems",
                                                      "unevaluatedProperties",
                                                      "contentSchema"};
  static constexpr std::string_view kMaps7[] = {"definitions", "properties", "patternProperties",
                                                "dependencies"};
  static constexpr std::string_view kArrays7[] = {"allOf", "anyOf", "oneOf", "items"};
  static constexpr std::string_view kSingles7[] = {"not",
                                                   "if",
                                                   "then",
                                                   "else",
                                                   "contains",
                                                   "items",
                                                   "additionalItems",
                                                   "additionalProperties",
                                                   "propertyNames"};
  const auto& obj = s.get_ref<const json::object_t&>();
  auto visit = [&](std::string_view key, auto&& fn) {
    if (const auto it = obj.find(key); it != obj.end()) fn(it->first, it->second);
  };
  for (std::string_view key : d7 ? std::span<const std::string_view>(kMaps7)
                                 : std::span<const std::string_view>(kMaps2020)) {
    visit(key, [&](const std::string& k, const json& v) {
      if (!v.is_object()) return;
      for (const auto& [name, sub] : v.get_ref<const json::object_t&>()) {
        scan(sub, base, res,
             pointer + "/" + json_pointer_escape(k) + "/" + json_pointer_escape(name), doc,
             depth + 1, false);
      }
    });
  }
  for (std::string_view key : d7 ? std::span<const std::string_view>(kArrays7)
                                 : std::span<const std::string_view>(kArrays2020)) {
    visit(key, [&](const std::string& k, const json& v) {
      if (!v.is_array()) return;
      for (std::size_t i = 0; i < v.size(); ++i) {
        scan(v[i], base, res, pointer + "/" + k + "/" + std::to_string(i), doc, depth + 1, false);
      }
    });
  }
  for (std::string_view key : d7 ? std::span<const std::string_view>(kSingles7)
                                 : std::span<const std::string_view>(kSingles2020)) {
    visit(key, [&](const std::string& k, const json& v) {
      if (v.is_object() || v.is_boolean()) {
        scan(v, base, res, pointer + "/" + k, doc, depth + 1, false);
      }
    });
  }
}

}  // namespace tb::schema_detail
