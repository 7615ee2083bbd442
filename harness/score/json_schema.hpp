#pragma once
// JSON Schema validator for draft 2020-12 and draft-07.
//
// A schema is compiled once (references resolved, regexes JIT-compiled) into an immutable graph
// that validates many instances without re-parsing or allocating on the is_valid() path.
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "common/json_tape.hpp"

namespace tb {

enum class SchemaDraft { draft2020_12, draft7 };

struct SchemaOptions {
  SchemaDraft default_draft = SchemaDraft::draft2020_12;  // used when the schema has no $schema
  bool assert_formats = false;  // formats are annotations unless this is set
  // Remote $refs resolve only from local files: URL prefix -> directory. Never the network.
  // (file:// URIs, such as relative refs of a schema opened with load(), read local files too.)
  std::vector<std::pair<std::string, std::filesystem::path>> ref_map;
  // Bounded recursion for deeply nested instances/schemas: deeper instances are reported as a
  // violation with keyword "maxDepth", deeper schemas are a SchemaError. Evaluation recurses on
  // the calling thread's stack: the default needs well under 1 MiB (about 4 KiB per level).
  std::size_t max_depth = 256;
};

struct SchemaViolation {
  std::string instance_path;  // JSON Pointer, "" for root
  std::string schema_path;    // keyword location, e.g. "/properties/definition/type"
  std::string keyword;        // e.g. "type"
  std::string message;        // one line, e.g. "expected string, got null"
};

// An invalid schema: unknown $schema draft, $ref to nowhere, a non-schema value where a schema
// is required, a malformed keyword value, an invalid regex, an unreadable or unparsable file.
class SchemaError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A schema compiled once that validates many instances; cheap to copy (shared, immutable).
// Safe to use from several threads at once.
class CompiledSchema {
 public:
  // base_uri resolves a relative or missing root $id; empty means an internal placeholder.
  static CompiledSchema compile(const nlohmann::json& schema, const SchemaOptions& options = {},
                                const std::string& base_uri = "");
  static CompiledSchema load(const std::filesystem::path& file, const SchemaOptions& options = {});

  bool is_valid(const nlohmann::json& instance) const;  // fast path, stops at first failure
  // The same verdict for a parsed tape; the common schemas are evaluated on the tape itself,
  // without building a json tree (see schema/tape_evaluator.cpp).
  bool is_valid(const JsonTape& instance) const;
  // Whether is_valid(JsonTape) walks the tape (true) or converts it to json first (a schema with
  // unevaluated*, $dynamicRef, uniqueItems, propertyNames, asserted formats, or container enums).
  bool evaluates_tapes() const;
  // All violations (empty = valid).
  std::vector<SchemaViolation> validate(const nlohmann::json& instance) const;

  SchemaDraft draft() const;  // dialect of the root schema

 private:
  struct Impl;
  explicit CompiledSchema(std::shared_ptr<const Impl> impl);
  std::shared_ptr<const Impl> impl_;
};

}  // namespace tb
