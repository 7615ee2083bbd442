// The TypeScript converter's parser: types (unions, arrays, literals, object type literals,
// Array<T>, Record<string, T>, references to named types).
#include "score/typescript/parser.hpp"

#include <charconv>
#include <cstdint>
#include <limits>

#include "common/text.hpp"

namespace tb::typescript_detail {

std::optional<Alternatives> Parser::parse_type(int depth) {
  if (depth > kMaxDepth) {
    too_deep(peek());
    return std::nullopt;
  }
  Alternatives alternatives;
  if (is(peek(), "|")) next();  // a leading | lines up multi-line unions
  for (;;) {
    auto operand = parse_postfix(depth);
    if (!operand) return std::nullopt;
    for (auto& o : *operand) alternatives.push_back(std::move(o));
    if (is(peek(), "&")) {
      unsupported(peek(), "intersection types (&)");
      return std::nullopt;
    }
    if (is_word(peek(), "extends") && !peek().newline_before) {
      unsupported(peek(), "conditional types (A extends B ? C : D)");
      return std::nullopt;
    }
    if (!is(peek(), "|")) return alternatives;
    next();
  }
}

void Parser::mark_indirect(std::size_t first_reference) {
  for (std::size_t i = first_reference; i < references_.size(); ++i) references_[i].direct = false;
}

Alternatives Parser::array_of(const Alternatives& element) {
  return {{Operand::Kind::kSchema, {{"type", "array"}, {"items", schema_of(element)}}}};
}

std::optional<Alternatives> Parser::parse_postfix(int depth) {
  const std::size_t first_reference = references_.size();
  const Token& start = peek();
  const bool is_readonly = is_word(start, "readonly");
  if (is_readonly) next();
  auto type = parse_primary(depth);
  if (!type) return std::nullopt;
  // TypeScript itself reads `[` after a line break as the start of the next member.
  for (int level = depth + 1; is(peek(), "[") && !peek().newline_before; ++level) {
    if (!is(peek(1), "]")) {
      unsupported(peek(), "indexed access types (T[K])");
      return std::nullopt;
    }
    if (level > kMaxDepth) {
      too_deep(peek());
      return std::nullopt;
    }
    next();
    next();
    type = array_of(*type);
    mark_indirect(first_reference);
  }
  if (is_readonly) {
    const bool is_array = type->size() == 1 && type->front().kind == Operand::Kind::kSchema &&
                          type->front().value.value("type", json()) == "array";
    if (!is_array) {
      fail(start, "readonly is supported only on array types (readonly T[])");
      return std::nullopt;
    }
  }
  return type;
}

std::optional<Alternatives> Parser::literal(json value) {
  next();
  return Alternatives{{Operand::Kind::kLiteral, std::move(value)}};
}

std::optional<json> Parser::number_value(const Token& t, bool negative) {
  const char* first = t.text.data();
  const char* last = first + t.text.size();
  if (t.text.find_first_not_of("0123456789") == std::string::npos) {
    std::int64_t v = 0;
    if (std::from_chars(first, last, v).ptr == last) return json(negative ? -v : v);
  }
  double d = 0;
  const auto [ptr, ec] = std::from_chars(first, last, d);
  if (ec != std::errc() || ptr != last || !(d <= std::numeric_limits<double>::max())) {
    fail(t, "number literal " + dquote(t.text) +
                " is not supported; write it as a finite decimal number");
    return std::nullopt;
  }
  return json(negative ? -d : d);
}

std::optional<Alternatives> Parser::parse_primary(int depth) {
  const Token& t = peek();
  switch (t.kind) {
    case Tok::kEnd:
      fail(t, "expected a type, got end of input");
      return std::nullopt;
    case Tok::kString:
      return literal(t.text);
    case Tok::kNumber: {
      auto v = number_value(t, false);
      if (!v) return std::nullopt;
      return literal(std::move(*v));
    }
    case Tok::kIdent:
      return parse_named(depth);
    case Tok::kPunct:
      break;
  }
  if (is(t, "-") && peek(1).kind == Tok::kNumber) {
    next();
    auto v = number_value(peek(), true);
    if (!v) return std::nullopt;
    return literal(std::move(*v));
  }
  if (is(t, "(")) return parse_parenthesised(depth);
  if (is(t, "{")) {
    const std::size_t first_reference = references_.size();
    next();
    std::vector<Member> members;
    if (!parse_members(t, depth, members)) return std::nullopt;
    mark_indirect(first_reference);
    return Alternatives{{Operand::Kind::kSchema, object_schema(members)}};
  }
  if (is(t, "[")) {
    unsupported(t, "tuple types ([A, B])");
    return std::nullopt;
  }
  if (is(t, "<")) {
    unsupported(t, "function types");
    return std::nullopt;
  }
  fail(t, "expected a type, got " + describe(t));
  return std::nullopt;
}

std::optional<Alternatives> Parser::parse_parenthesised(int depth) {
  const Token& open = peek();
  // `()`, `(...rest`, `(a: T`, `(a?`, `(a,` can only start a parameter list.
  const Token& after = peek(1);
  if (is(after, ")") || is(after, "...") ||
      (after.kind == Tok::kIdent && (is(peek(2), ":") || is(peek(2), "?") || is(peek(2), ",")))) {
    unsupported(open, "function types");
    return std::nullopt;
  }
  next();
  auto inner = parse_type(depth + 1);
  if (!inner) return std::nullopt;
  if (!is(peek(), ")")) {
    fail(peek(), "expected ) to close the ( at " + at_text(open.at) + ", got " + describe(peek()));
    return std::nullopt;
  }
  next();
  if (is(peek(), "=>")) {
    unsupported(open, "function types");
    return std::nullopt;
  }
  return inner;
}

// The last type argument of `generic`, up to and including the closing >.
std::optional<Alternatives> Parser::last_type_argument(int depth, const std::string& generic) {
  auto inner = parse_type(depth + 1);
  if (!inner) return std::nullopt;
  if (is(peek(), ",")) {
    fail(peek(), generic + (generic == "Record" ? " takes two" : " takes one") + " type arguments");
    return std::nullopt;
  }
  if (!expect(">", "to close " + generic + "<")) return std::nullopt;
  return inner;
}

std::optional<Alternatives> Parser::parse_named(int depth) {
  const Token& t = peek();
  const std::string& name = t.text;
  using K = Operand::Kind;
  if (name == "string" || name == "number" || name == "boolean" || name == "null") {
    next();
    return Alternatives{{K::kPrimitive, name}};
  }
  if (name == "true" || name == "false") return literal(name == "true");
  if (name == "any" || name == "unknown") {
    next();
    return Alternatives{{K::kAny, json::object()}};
  }
  if (name == "undefined" || name == "void") {
    fail(t, name + " is not a JSON value; mark the member optional (name?: T) instead");
    return std::nullopt;
  }
  if (name == "never" || name == "object" || name == "symbol" || name == "bigint" ||
      name == "this") {
    fail(t, "the type " + dquote(name) + " is not supported; " + std::string(kSupported));
    return std::nullopt;
  }
  if (name == "keyof") return unsupported_type(t, "keyof type operators");
  if (name == "typeof") return unsupported_type(t, "typeof type queries");
  if (name == "infer") return unsupported_type(t, "infer declarations");
  if (name == "unique") return unsupported_type(t, "unique symbol types");
  if (name == "new" || name == "abstract") return unsupported_type(t, "constructor types");
  if (name == "asserts") return unsupported_type(t, "assertion signatures");

  const bool is_array = name == "Array" || name == "ReadonlyArray";
  if (is_array || name == "Record") {
    if (!is(peek(1), "<")) {
      fail(t, name + " needs type arguments: " + (is_array ? name + "<T>" : "Record<string, T>"));
      return std::nullopt;
    }
    const std::size_t first_reference = references_.size();
    next();
    next();
    if (is_array) {
      auto element = last_type_argument(depth, name);
      if (!element) return std::nullopt;
      mark_indirect(first_reference);
      return array_of(*element);
    }
    if (!is_word(peek(), "string") || !is(peek(1), ",")) {
      unsupported(peek(), "Record keys other than string");
      return std::nullopt;
    }
    next();
    next();
    auto value = last_type_argument(depth, name);
    if (!value) return std::nullopt;
    mark_indirect(first_reference);
    return Alternatives{
        {K::kSchema, {{"type", "object"}, {"additionalProperties", schema_of(*value)}}}};
  }

  if (is(peek(1), "<")) {
    return unsupported_type(t, "generic types other than Array<T> and Record<string, T>");
  }
  if (is(peek(1), ".")) return unsupported_type(t, "qualified names (A.B)");
  references_.push_back({name, current_, t.at, true});
  next();
  return Alternatives{{K::kSchema, {{"$ref", ref_to(name, root_)}}}};
}

std::optional<Alternatives> Parser::unsupported_type(const Token& t, std::string_view what) {
  unsupported(t, what);
  return std::nullopt;
}

}  // namespace tb::typescript_detail
