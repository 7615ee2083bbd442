// append_json must write exactly what nlohmann's dump() writes: request bodies are hashed into
// response-cache keys, so a different byte would turn every cached answer into a miss.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <random>
#include <string>

#include "common/json_writer.hpp"

namespace {

std::string written(const nlohmann::json& v) {
  std::string out;
  tb::append_json(out, v);
  return out;
}

nlohmann::json random_value(std::mt19937& rng, int depth) {
  static const std::vector<std::string> pieces = {
      "a",    "Term", "\"",   "\\", "/", "\n", "\r",     "\t", "\b", "\f",
      "\x01", "\x1f", "\x7f", "é",  "€", "😀",  "\u2028", " ",  "{}", "[]"};
  switch (rng() % (depth > 3 ? 6 : 8)) {
    case 0:
      return nullptr;
    case 1:
      return rng() % 2 == 0;
    case 2:
      return static_cast<std::int64_t>(rng()) - (1LL << 31);
    case 3:
      return std::ldexp(static_cast<double>(rng()), static_cast<int>(rng() % 80) - 60);
    case 4:
      return static_cast<std::uint64_t>(rng()) << 32 | rng();
    case 5: {
      std::string s;
      for (unsigned n = rng() % 8; n > 0; --n) s += pieces[rng() % pieces.size()];
      return s;
    }
    case 6: {
      nlohmann::json a = nlohmann::json::array();
      for (unsigned n = rng() % 5; n > 0; --n) a.push_back(random_value(rng, depth + 1));
      return a;
    }
    default: {
      nlohmann::json o = nlohmann::json::object();
      for (unsigned n = rng() % 5; n > 0; --n) {
        o[pieces[rng() % pieces.size()] + std::to_string(n)] = random_value(rng, depth + 1);
      }
      return o;
    }
  }
}

}  // namespace

TEST_CASE("append_json writes what dump() writes", "[json_writer]") {
  CHECK(written(nlohmann::json::parse(R"({"b":[1,2.5,-3,true,null],"a":"x\"y\\z\u0001\n"})")) ==
        R"({"a":"x\"y\\z\u0001\n","b":[1,2.5,-3,true,null]})");
  std::mt19937 rng(42);
  for (int i = 0; i < 5000; ++i) {
    const nlohmann::json v = random_value(rng, 0);
    REQUIRE(written(v) == v.dump());
  }
}

TEST_CASE("append_json refuses invalid UTF-8 as dump() does", "[json_writer]") {
  const nlohmann::json bad = std::string("ok \xC3\x28 bad");
  CHECK_THROWS_AS(bad.dump(), nlohmann::json::type_error);
  std::string out;
  CHECK_THROWS_AS(tb::append_json(out, bad), nlohmann::json::type_error);
}
