// append_json must write exactly what nlohmann's dump() writes: request bodies are hashed into
// response-cache keys, so a different byte would turn every cached answer into a miss.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <random>
#include <string>

#include "common/json_writer.hpp"
#include "random_json.hpp"

namespace {

std::string written(const nlohmann::json& v) {
  std::string out;
  tb::append_json(out, v);
  return out;
}

}  // namespace

TEST_CASE("append_json writes what dump() writes", "[json_writer]") {
  CHECK(written(nlohmann::json::parse(R"({"b":[1,2.5,-3,true,null],"a":"x\"y\\z\u0001\n"})")) ==
        R"({"a":"x\"y\\z\u0001\n","b":[1,2.5,-3,true,null]})");
  std::mt19937 rng(42);
  for (int i = 0; i < 5000; ++i) {
    const nlohmann::json v = tb::test::random_json(rng);
    REQUIRE(written(v) == v.dump());
  }
}

TEST_CASE("append_json refuses invalid UTF-8 as dump() does", "[json_writer]") {
  const nlohmann::json bad = std::string("ok \xC3\x28 bad");
  CHECK_THROWS_AS(bad.dump(), nlohmann::json::type_error);
  std::string out;
  CHECK_THROWS_AS(tb::append_json(out, bad), nlohmann::json::type_error);
}
