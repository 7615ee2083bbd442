#pragma once
// The JSON Schema compiler: a schema (draft 2020-12 or draft-07) in, a Program out.
// Internal to the JSON Schema engine (score/schema/).
//
// Compilation happens in three steps:
//   1. scan: every document (the schema, remotes, built-in metaschemas) is walked once along the
//      keywords that hold subschemas, recording for each subschema its base URI and schema
//      resource, and indexing "$id", "$anchor" and "$dynamicAnchor" URIs (compiler.cpp);
//   2. build: reachable subschemas become Nodes in one vector (a worklist, so no recursion);
//      "$ref" is resolved here into a node index, "$dynamicRef" into a static target plus the
//      anchor name to look up in the dynamic scope (compiler_references.cpp); the other
//      keywords by vocabulary (compiler_keywords.cpp);
//   3. the Program is frozen and shared; evaluation reads it only.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "score/json_schema.hpp"
#include "score/schema/program.hpp"

namespace tb::schema_detail {

enum class Dialect : std::uint8_t { k2020, k7 };

enum Vocab : std::uint16_t {
  kVocabCore = 1,
  kVocabApplicator = 2,
  kVocabUnevaluated = 4,
  kVocabValidation = 8,
  kVocabMetaData = 16,
  kVocabFormatAnnotation = 32,
  kVocabFormatAssertion = 64,
  kVocabContent = 128,
};
constexpr std::uint16_t kDefaultVocab2020 = kVocabCore | kVocabApplicator | kVocabUnevaluated |
                                            kVocabValidation | kVocabMetaData |
                                            kVocabFormatAnnotation | kVocabContent;
constexpr std::uint16_t kVocabDraft7 = kDefaultVocab2020;

struct MetaInfo {
  Dialect dialect;
  std::uint16_t vocab;
};

constexpr std::string_view kDefaultBase = "tunebench:///schema.json";

// A schema object's keywords by name: the value, or null when the keyword is absent.
struct KeywordLookup {
  const json::object_t& obj;
  const json* operator()(std::string_view key) const {
    const auto it = obj.find(key);
    return it == obj.end() ? nullptr : &it->second;
  }
};

class Compiler {
 public:
  Compiler(const SchemaOptions& options, Program* program);

  // Compiles `schema` into the program; throws SchemaError for an invalid schema.
  void compile_root(const json& schema, const std::string& base_uri);

 private:
  struct Loc {
    std::string base;        // base URI, no fragment
    std::uint32_t resource;  // index into resources_
    std::string pointer;     // JSON Pointer inside its document, for messages
    std::uint32_t doc;       // index into docs_
  };
  struct Resource {
    MetaInfo meta;
    std::vector<std::pair<std::string, const json*>> dynamic_anchors;
    bool used = false;
    bool anchors_compiled = false;
  };
  struct Document {
    std::unique_ptr<json> owned;  // null for the caller's schema, which is only borrowed
    std::string uri;
  };

  [[noreturn]] void fail(const Loc& loc, const std::string& what) const;

  // Documents, resources and the scan (compiler.cpp).
  const json* add_document(const json* root, std::unique_ptr<json> owned, const std::string& uri,
                           MetaInfo inherited);
  std::uint32_t new_resource(MetaInfo meta);
  const json* find_or_load(const std::string& uri, MetaInfo inherited);
  MetaInfo meta_for(const std::string& schema_uri, int depth);
  void scan(const json& s, const std::string& base_in, std::uint32_t res,
            const std::string& pointer, std::uint32_t doc, std::size_t depth,
            bool is_document_root);

  // References, the worklist and the core keywords of a node (compiler_references.cpp).
  const json* resolve_target(const std::string& ref, const Loc& loc, std::string_view keyword);
  std::int32_t ref_node(const json& v, const Loc& loc, std::string_view keyword);
  std::int32_t enqueue(const json* s);
  void drain();
  std::int32_t intern(const std::string& name);
  void build(std::int32_t idx, const json& s);
  static void merge_members(Node& n);

  // Refuses a ring of in-place applicators ($ref, allOf, ...) that never moves into the value
  // (compiler_cycles.cpp).
  void check_cycles() const;

  // The applicator and validation vocabularies, and the readers of keyword values
  // (compiler_keywords.cpp).
  void build_applicators(Node& n, const Loc& loc, const KeywordLookup& get, bool d7);
  void build_validation(Node& n, const Loc& loc, const KeywordLookup& get, bool d7);
  std::int32_t child(const json& v, const Loc& loc, std::string_view keyword);
  std::int32_t regex(const std::string& pattern, const Loc& loc, std::string_view keyword);
  std::size_t count_value(const json& v, const Loc& loc, std::string_view keyword);
  double number_value(const json& v, const Loc& loc, std::string_view keyword);
  void check_value_depth(const json& v, const Loc& loc, std::string_view keyword);
  std::vector<std::string> string_array(const json& v, const Loc& loc, std::string_view keyword);
  static std::uint8_t type_bit(std::string_view name);

  const SchemaOptions& opts_;
  Program* prog_;
  std::vector<Document> docs_;
  std::vector<Resource> resources_;
  std::unordered_map<const json*, Loc> locs_;
  std::unordered_map<std::string, const json*> index_;  // absolute URI (+ "#anchor") -> schema
  std::unordered_map<const json*, std::int32_t> compiled_;
  std::vector<std::pair<const json*, std::int32_t>> pending_;
  std::unordered_map<std::string, std::int32_t> names_;
  std::unordered_map<std::string, std::int32_t> regex_index_;
  std::map<std::string, MetaInfo> meta_cache_;
};

}  // namespace tb::schema_detail
