// Fuzzes JsonTape (common/json_tape) against nlohmann::json::parse as a differential oracle:
// the tape promises to accept exactly what nlohmann accepts and to give the same value (numbers
// kept as the same kind: unsigned, signed or double). Also walks the tape with next(), member()
// and item(), which the schema validator and the chat parser rely on. The oracle runs on a tape
// without a depth limit; the default limit (common/json_depth) must refuse exactly the values
// nested deeper than kMaxJsonDepth, as parse_json_bounded does.
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/json_depth.hpp"
#include "common/json_tape.hpp"

namespace {

using nlohmann::json;

[[noreturn]] void fail(const char* what, std::string_view text) {
  std::fprintf(stderr, "json_tape_fuzz: %s\ninput: %.*s\n", what, static_cast<int>(text.size()),
               text.data());
  std::abort();
}

// Every container's end lies inside its parent's; every item and member is reachable.
void walk(const tb::JsonTape& t, std::string_view text) {
  for (std::size_t i = 0; i < t.size(); ++i) {
    const std::size_t end = t.next(i);
    if (end <= i || end > t.size()) fail("next() out of range", text);
    if (t.is(i, tb::JsonTape::Kind::array)) {
      std::size_t k = 0;
      for (std::size_t v = i + 1; v < end; v = t.next(v), ++k)
        if (t.item(i, k) != v) fail("item() disagrees with the walk", text);
      if (k != t[i].size || t.item(i, k).has_value()) fail("array size", text);
    } else if (t.is(i, tb::JsonTape::Kind::object)) {
      std::size_t k = 0;
      for (std::size_t key = i + 1; key < end; key = t.next(key + 1), ++k) {
        if (!t.is(key, tb::JsonTape::Kind::string)) fail("object key is not a string", text);
        const auto found = t.member(i, t.string(key));
        if (!found) fail("member() misses a key", text);
        // member() gives the last of duplicate keys, as nlohmann keeps it.
        if (*found != key + 1 && !t.has_duplicate_keys())
          fail("member() finds another value", text);
      }
      if (k != t[i].size) fail("object size", text);
    }
  }
}

// Exact equality: the same kinds (1 is not 1.0), the same bits for doubles (-0.0 is not 0.0).
// Iterative, as json's operator== and dump() are not: the tape takes any depth, so the oracle
// must too.
bool identical(const json& a, const json& b) {
  std::vector<std::pair<const json*, const json*>> stack = {{&a, &b}};
  while (!stack.empty()) {
    const auto [x, y] = stack.back();
    stack.pop_back();
    if (x->type() != y->type()) return false;
    switch (x->type()) {
      case json::value_t::array:
        if (x->size() != y->size()) return false;
        for (std::size_t i = 0; i < x->size(); ++i) stack.emplace_back(&(*x)[i], &(*y)[i]);
        break;
      case json::value_t::object: {
        if (x->size() != y->size()) return false;
        const auto& xo = x->get_ref<const json::object_t&>();
        const auto& yo = y->get_ref<const json::object_t&>();
        for (auto i = xo.begin(), j = yo.begin(); i != xo.end(); ++i, ++j) {
          if (i->first != j->first) return false;
          stack.emplace_back(&i->second, &j->second);
        }
        break;
      }
      case json::value_t::number_float:
        if (std::bit_cast<std::uint64_t>(x->get<double>()) !=
            std::bit_cast<std::uint64_t>(y->get<double>()))
          return false;
        break;
      default:  // null, boolean, string and the integers: their == is exact and flat
        if (*x != *y) return false;
    }
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string error;
  const auto tape = tb::JsonTape::parse(text, &error, SIZE_MAX);
  const bool deep = tb::json_nesting_depth(text) > tb::kMaxJsonDepth;
  if (tb::JsonTape::parse(text).has_value() != (tape.has_value() && !deep))
    fail("the depth limit refuses a value it should take, or takes one it should refuse", text);
  bool too_deep = false;
  const json bounded = tb::parse_json_bounded(text, &too_deep);
  if (too_deep != deep || (deep && !bounded.is_discarded()))
    fail("parse_json_bounded disagrees with json_nesting_depth", text);
  // One known difference: nlohmann's lexer takes a NUL byte for the end of the input, so it
  // accepts "21\0anything". RFC 8259 allows no raw NUL anywhere; the tape rejects them all.
  if (text.find('\0') != std::string_view::npos) {
    if (tape) fail("the tape accepts a NUL byte", text);
    return 0;
  }
  const json reference = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!deep && (bounded.is_discarded() != reference.is_discarded() ||
                (!reference.is_discarded() && !identical(bounded, reference))))
    fail("parse_json_bounded differs from parse", text);
  if (tape.has_value() == reference.is_discarded()) {
    fail(tape ? "the tape accepts what nlohmann rejects" : "the tape rejects what nlohmann accepts",
         text);
  }
  if (!tape) {
    if (error.empty()) fail("rejected without a reason", text);
    return 0;
  }
  walk(*tape, text);
  if (!identical(tape->to_json(), reference))
    fail("the tape's value differs from nlohmann's", text);
  return 0;
}
