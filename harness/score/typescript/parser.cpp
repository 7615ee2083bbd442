// The TypeScript converter's parser: tokens, declarations and members.
#include "score/typescript/parser.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>

#include "common/text.hpp"

namespace tb::typescript_detail {
namespace {

bool is_primitive_name(std::string_view name) {
  return name == "string" || name == "number" || name == "boolean" || name == "null" ||
         name == "any" || name == "unknown";
}

}  // namespace

std::string describe(const Token& t) {
  switch (t.kind) {
    case Tok::kEnd:
      return "end of input";
    case Tok::kString:
      return "string literal " + dquote(t.text);
    default:
      return dquote(t.text);
  }
}

std::string at_text(Place p) {
  return std::to_string(p.line) + ":" + std::to_string(p.column);
}

const Token& Parser::peek(std::size_t ahead) const {
  return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)];
}

const Token& Parser::next() {
  const Token& t = tokens_[pos_];
  if (pos_ + 1 < tokens_.size()) ++pos_;
  return t;
}

bool Parser::is(const Token& t, std::string_view punct) {
  return t.kind == Tok::kPunct && t.text == punct;
}

bool Parser::is_word(const Token& t, std::string_view word) {
  return t.kind == Tok::kIdent && t.text == word;
}

bool Parser::fail(const Token& at, std::string message) {
  return fail(at.at, std::move(message));
}

bool Parser::fail(Place at, std::string message) {
  error_ = {at.line, at.column, std::move(message)};
  return false;
}

bool Parser::unsupported(const Token& at, std::string_view what) {
  return fail(at, std::string(what) + " are not supported; " + std::string(kSupported));
}

bool Parser::expect(std::string_view punct, std::string_view context) {
  if (is(peek(), punct)) {
    next();
    return true;
  }
  return fail(peek(), "expected " + std::string(punct) + " " + std::string(context) + ", got " +
                          describe(peek()));
}

bool Parser::too_deep(const Token& at) {
  return fail(
      at, "types nested more than " + std::to_string(kMaxDepth) + " levels deep are not supported");
}

bool Parser::parse_source() {
  while (peek().kind != Tok::kEnd) {
    if (is(peek(), ";")) {
      next();
      continue;
    }
    const Doc doc = peek().doc;
    if (is_word(peek(), "export")) {
      next();
      if (is_word(peek(), "default")) return unsupported(peek(), "default exports");
    }
    if (is_word(peek(), "declare")) next();  // `declare interface` means the same here
    const Token& t = peek();
    bool ok = false;
    if (is_word(t, "interface")) {
      ok = parse_interface(doc);
    } else if (is_word(t, "type") && peek(1).kind == Tok::kIdent) {
      ok = parse_alias(doc);
    } else if (is_word(t, "import")) {
      return fail(t,
                  "imports are not supported; paste every type the interface uses into the "
                  "same source");
    } else if (is_word(t, "enum") || (is_word(t, "const") && is_word(peek(1), "enum"))) {
      return unsupported(t, "enums (write a union of string literals instead)");
    } else if (is_word(t, "class") || is_word(t, "function") || is_word(t, "const") ||
               is_word(t, "let") || is_word(t, "var") || is_word(t, "namespace") ||
               is_word(t, "module") || is_word(t, "abstract")) {
      return fail(t, t.text +
                         " declarations are not supported; only interface and type "
                         "declarations are");
    } else {
      return fail(t, "expected an interface or type declaration, got " + describe(t));
    }
    if (!ok) return false;
  }
  return true;
}

// The declared name; also rejects generics, which the subset has no way to instantiate.
std::optional<Place> Parser::declare_name(std::string_view what) {
  const Token& name = peek();
  if (name.kind != Tok::kIdent) {
    fail(name, "expected " + std::string(what) + " name, got " + describe(name));
    return std::nullopt;
  }
  if (is_primitive_name(name.text) || name.text == "Array" || name.text == "ReadonlyArray" ||
      name.text == "Record") {
    fail(name, dquote(name.text) + " is a built-in type and cannot be declared");
    return std::nullopt;
  }
  if (const auto it = index_.find(name.text); it != index_.end()) {
    fail(name, dquote(name.text) + " is already declared at " +
                   at_text(declarations_[it->second].at) +
                   "; declaration merging is not supported");
    return std::nullopt;
  }
  next();
  if (is(peek(), "<")) {
    unsupported(peek(), "generic type parameters");
    return std::nullopt;
  }
  current_ = name.text;
  return name.at;
}

bool Parser::add_declaration(Declaration d, const Doc& doc) {
  if (!apply_doc(d.schema, doc)) return false;
  index_.emplace(d.name, declarations_.size());
  declarations_.push_back(std::move(d));
  return true;
}

// The description, and the JSDoc tags that have a JSON Schema keyword of the same name (as
// in typescript-json-schema), which say what a TypeScript type cannot: lengths, ranges,
// patterns. Other tags (@example, @see, ...) are documentation only.
bool Parser::apply_doc(json& schema, const Doc& doc) {
  if (!doc.text.empty()) schema["description"] = doc.text;
  static const std::set<std::string, std::less<>> kCounts = {
      "minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties"};
  static const std::set<std::string, std::less<>> kNumbers = {
      "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"};
  for (const auto& tag : doc.tags) {
    const char* first = tag.value.data();
    const char* last = first + tag.value.size();
    if (kCounts.contains(tag.name)) {
      std::uint64_t n = 0;
      if (tag.value.empty() || std::from_chars(first, last, n).ptr != last)
        return fail(tag.at, "@" + tag.name + " needs a whole number, got " + dquote(tag.value));
      schema[tag.name] = n;
    } else if (kNumbers.contains(tag.name)) {
      double v = 0;
      const auto [ptr, ec] = std::from_chars(first, last, v);
      if (tag.value.empty() || ec != std::errc() || ptr != last ||
          !(std::abs(v) <= std::numeric_limits<double>::max()) ||
          (tag.name == "multipleOf" && v <= 0))
        return fail(tag.at, "@" + tag.name + " needs a finite number" +
                                (tag.name == "multipleOf" ? " above 0" : "") + ", got " +
                                dquote(tag.value));
      // Whole numbers stay integers so the schema reads as written.
      schema[tag.name] =
          v == std::trunc(v) && std::abs(v) < 9e15 ? json(static_cast<std::int64_t>(v)) : json(v);
    } else if (tag.name == "pattern" || tag.name == "format") {
      if (tag.value.empty()) return fail(tag.at, "@" + tag.name + " needs a value");
      schema[tag.name] = tag.value;
    }
  }
  return true;
}

bool Parser::parse_interface(const Doc& doc) {
  next();  // interface
  const std::string name = peek().text;
  const auto at = declare_name("an interface");
  if (!at) return false;
  Declaration d{name, *at, true, {}, {}};
  if (is_word(peek(), "extends")) {
    next();
    for (;;) {
      const Token& base = peek();
      if (base.kind != Tok::kIdent)
        return fail(base, "expected an interface name after extends, got " + describe(base));
      next();
      if (is(peek(), "<")) return unsupported(peek(), "generic base types");
      if (is(peek(), ".")) return unsupported(peek(), "qualified names (A.B)");
      d.bases.emplace_back(base.text, base.at);
      if (!is(peek(), ",")) break;
      next();
    }
  }
  const Token& open = peek();
  if (!expect("{", "to open the interface body")) return false;
  std::vector<Member> members;
  if (!parse_members(open, 1, members)) return false;
  d.schema = object_schema(members);
  return add_declaration(std::move(d), doc);
}

bool Parser::parse_alias(const Doc& doc) {
  next();  // type
  const std::string name = peek().text;
  const auto at = declare_name("a type");
  if (!at) return false;
  if (!expect("=", "after the type name")) return false;
  const auto type = parse_type(1);
  if (!type) return false;
  if (is(peek(), ";")) {
    next();
  } else if (peek().kind != Tok::kEnd && !peek().newline_before) {
    return fail(peek(), "expected ; after the type alias, got " + describe(peek()));
  }
  return add_declaration({name, *at, false, schema_of(*type), {}}, doc);
}

bool Parser::ends_member_name(const Token& t) {
  return t.kind == Tok::kPunct &&
         (t.text == ":" || t.text == "?" || t.text == "(" || t.text == "<" || t.text == "," ||
          t.text == ";" || t.text == "}");
}

// Members up to and including the closing brace of the body opened by `open`.
bool Parser::parse_members(const Token& open, int depth, std::vector<Member>& members) {
  std::map<std::string, Place> seen;
  for (;;) {
    const Token& first = peek();
    if (is(first, "}")) {
      next();
      return true;
    }
    if (first.kind == Tok::kEnd)
      return fail(first, "expected } to close the object type opened at " + at_text(open.at));
    Member m;
    m.doc = first.doc;
    // `readonly` is a modifier unless it is itself the member's name (`readonly: boolean`).
    if (is_word(first, "readonly") && !ends_member_name(peek(1))) next();
    const Token& name = peek();
    if (is(name, "[")) {
      return unsupported(name,
                         "index signatures and mapped types (write Record<string, T> "
                         "instead)");
    }
    if (is(name, "(") || is(name, "<") ||
        (is_word(name, "new") && (is(peek(1), "(") || is(peek(1), "<"))))
      return unsupported(name, "call and construct signatures");
    if (name.kind != Tok::kIdent && name.kind != Tok::kString && name.kind != Tok::kNumber)
      return fail(name, "expected a member name, got " + describe(name));
    m.name = name.text;
    m.at = name.at;
    next();
    if (is(peek(), "?")) {
      m.optional = true;
      next();
    }
    if (is(peek(), "(") || is(peek(), "<")) return unsupported(peek(), "method signatures");
    if (!expect(":", "after member " + dquote(m.name))) return false;
    const auto type = parse_type(depth + 1);
    if (!type) return false;
    m.schema = schema_of(*type);
    if (!apply_doc(m.schema, m.doc)) return false;
    if (const auto [it, inserted] = seen.emplace(m.name, m.at); !inserted)
      return fail(m.at,
                  "duplicate member " + dquote(m.name) + " (first at " + at_text(it->second) + ")");
    members.push_back(std::move(m));
    if (is(peek(), ";") || is(peek(), ",")) {
      next();
    } else if (!is(peek(), "}") && !peek().newline_before) {
      return fail(peek(), "expected ; or , or } after member " + dquote(members.back().name) +
                              ", got " + describe(peek()));
    }
  }
}

}  // namespace tb::typescript_detail
