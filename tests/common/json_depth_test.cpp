#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <string>

#include "common/json_depth.hpp"

using namespace tb;

namespace {

std::string arrays(std::size_t depth) {
  return std::string(depth, '[') + std::string(depth, ']');
}

}  // namespace

TEST_CASE("json_nesting_depth counts arrays and objects, not brackets in strings", "[json_depth]") {
  CHECK(json_nesting_depth("1") == 0);
  CHECK(json_nesting_depth("[]") == 1);
  CHECK(json_nesting_depth(R"({"a":[1,{"b":[]}],"c":{}})") == 4);
  CHECK(json_nesting_depth(R"(["[[[[", "\"[[[", {"k\\": "{{{{"}])") == 2);
  // It stops counting past the limit, so a huge text costs no more than the limit's worth.
  CHECK(json_nesting_depth(arrays(100000)) == kMaxJsonDepth + 1);
  CHECK(json_nesting_depth(arrays(100000), 10) == 11);
  // Any bytes: an unclosed string runs to the end, stray closers are ignored.
  CHECK(json_nesting_depth("]]\"[[[") == 0);
}

TEST_CASE("parse_json_bounded parses as nlohmann does up to kMaxJsonDepth and refuses deeper",
          "[json_depth]") {
  bool too_deep = true;
  const auto ok = parse_json_bounded(R"({"a":[1,2]})", &too_deep);
  CHECK_FALSE(too_deep);
  CHECK(ok == nlohmann::json::parse(R"({"a":[1,2]})"));
  CHECK(parse_json_bounded("{nope", &too_deep).is_discarded());
  CHECK_FALSE(too_deep);

  const auto deepest = parse_json_bounded(arrays(kMaxJsonDepth), &too_deep);
  CHECK_FALSE(too_deep);
  CHECK(deepest.is_array());
  CHECK(deepest.dump() == arrays(kMaxJsonDepth));  // recursive, and fine at this depth

  CHECK(parse_json_bounded(arrays(kMaxJsonDepth + 1), &too_deep).is_discarded());
  CHECK(too_deep);
  CHECK(parse_json_bounded(arrays(100000)).is_discarded());
  CHECK(json_too_deep_reason() == "nested deeper than 512 levels");
}
