#pragma once
// The TypeScript converter's parser: interface and type declarations to schemas, then the
// whole-source checks and the assembly of the requested type's schema with its $defs.
// Internal to the converter (score/typescript_schema.cpp and score/typescript/).
//
// The member functions are spread by grammar: parser.cpp (tokens, declarations and members),
// parser_types.cpp (types) and declarations.cpp (the whole source: names, alias cycles,
// extends, and the result).
#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "score/typescript/lexer.hpp"
#include "score/typescript/schema_emitter.hpp"
#include "score/typescript_schema.hpp"

namespace tb::typescript_detail {

// Far beyond any interface written by hand, and small enough that recursion (here, in
// nlohmann::json's destructor and in the validator) can never exhaust the stack.
constexpr int kMaxDepth = 64;

constexpr std::string_view kDraft = "https://json-schema.org/draft/2020-12/schema";

struct Reference {
  std::string name;
  std::string from;  // the declaration it appears in
  Place at;
  // Not under an array, object or Record: `type A = B | null` needs B before A exists, which
  // is what makes an alias cycle an error while `type A = A[]` is fine.
  bool direct = true;
};

struct Declaration {
  std::string name;
  Place at;
  bool is_interface = false;
  json schema;
  std::vector<std::pair<std::string, Place>> bases;  // interface X extends A, B
};

// A token as an error message names it: `"{"`, `string literal "a"`, `end of input`.
std::string describe(const Token& t);
// "line:column".
std::string at_text(Place p);

class Parser {
 public:
  Parser(std::vector<Token> tokens, std::string_view root, TypeScriptError& error)
      : tokens_(std::move(tokens)), root_(root), error_(error) {}

  // The schema of the root type; nullopt with the error set when the source leaves the
  // supported subset or does not declare the root.
  std::optional<json> convert();

 private:
  // Tokens (parser.cpp).
  const Token& peek(std::size_t ahead = 0) const;
  const Token& next();
  static bool is(const Token& t, std::string_view punct);
  static bool is_word(const Token& t, std::string_view word);
  bool fail(const Token& at, std::string message);
  bool fail(Place at, std::string message);
  bool unsupported(const Token& at, std::string_view what);
  bool expect(std::string_view punct, std::string_view context);
  bool too_deep(const Token& at);

  // Declarations and members (parser.cpp).
  bool parse_source();
  std::optional<Place> declare_name(std::string_view what);
  bool add_declaration(Declaration d, const Doc& doc);
  bool apply_doc(json& schema, const Doc& doc);
  bool parse_interface(const Doc& doc);
  bool parse_alias(const Doc& doc);
  static bool ends_member_name(const Token& t);
  bool parse_members(const Token& open, int depth, std::vector<Member>& members);

  // Types (parser_types.cpp).
  std::optional<Alternatives> parse_type(int depth);
  void mark_indirect(std::size_t first_reference);
  Alternatives array_of(const Alternatives& element);
  std::optional<Alternatives> parse_postfix(int depth);
  std::optional<Alternatives> literal(json value);
  std::optional<json> number_value(const Token& t, bool negative);
  std::optional<Alternatives> parse_primary(int depth);
  std::optional<Alternatives> parse_parenthesised(int depth);
  std::optional<Alternatives> last_type_argument(int depth, const std::string& generic);
  std::optional<Alternatives> parse_named(int depth);
  std::optional<Alternatives> unsupported_type(const Token& t, std::string_view what);

  // The whole source (declarations.cpp).
  bool check_unknown(const std::string& name, Place at, std::string_view role);
  bool check_references();
  std::map<std::string, std::vector<std::size_t>> references_by_declaration() const;
  bool check_alias_cycles();
  bool merge_bases();
  bool merge_into(Declaration& d);
  std::set<std::string> reachable_from(const std::string& root) const;

  std::vector<Token> tokens_;
  std::size_t pos_ = 0;
  std::string root_;
  TypeScriptError& error_;
  std::string current_;  // the declaration being parsed, for Reference::from
  std::vector<Declaration> declarations_;
  std::map<std::string, std::size_t> index_;
  std::vector<Reference> references_;
};

}  // namespace tb::typescript_detail
