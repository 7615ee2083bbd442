#pragma once
// Random JSON documents for the tests that compare our JSON code with nlohmann/json: strings
// with every escape, control characters and multi-byte UTF-8, integers of both signs past 2^32,
// doubles across 36 binary orders of magnitude, and nesting up to a few levels.
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace tb::test {

inline nlohmann::json random_json(std::mt19937& rng, int depth = 0) {
  static const std::vector<std::string> pieces = {
      "a",    "Term", "\"",   "\\", "/", "\n", "\r",     "\t", "\b", "\f",
      "\x01", "\x1f", "\x7f", "é",  "€", "😀",  "\u2028", " ",  "{",  "]"};
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
      for (unsigned n = rng() % 5; n > 0; --n) a.push_back(random_json(rng, depth + 1));
      return a;
    }
    default: {
      nlohmann::json o = nlohmann::json::object();
      for (unsigned n = rng() % 5; n > 0; --n) {
        o[pieces[rng() % pieces.size()] + std::to_string(n)] = random_json(rng, depth + 1);
      }
      return o;
    }
  }
}

}  // namespace tb::test
