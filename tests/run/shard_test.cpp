#include <catch2/catch.hpp>

#include <map>
#include <string>

#include "run/shard.hpp"

using namespace tb;

TEST_CASE("shard: I/N parses 0-based and refuses anything else with what was expected", "[shard]") {
  std::string error;
  const auto s = parse_shard("3/4", error);
  REQUIRE(s);
  CHECK(s->index == 3);
  CHECK(s->count == 4);
  CHECK(s->to_string() == "3/4");
  CHECK(parse_shard("0/1", error));
  for (const char* bad :
       {"4/4", "1/0", "-1/4", "1", "1/", "/4", "a/4", "1/4x", "1/2/3", " 1/4", ""}) {
    INFO(bad);
    CHECK_FALSE(parse_shard(bad, error));
    CHECK(error.find("expected I/N with 0 <= I < N") != std::string::npos);
    CHECK(error.find(std::string("got \"") + bad + "\"") != std::string::npos);
  }
}

TEST_CASE(
    "shard: a case's shard is the jump consistent hash of its id's SHA-256, stable everywhere",
    "[shard]") {
  // Computed independently (Python: hashlib.sha256, the published jump hash) so that a change
  // of hash, byte order or algorithm shows: shards run by two versions must agree.
  CHECK(shard_of("case-1", 1) == 0);
  CHECK(shard_of("case-1", 2) == 1);
  CHECK(shard_of("case-1", 1000) == 281);
  CHECK(shard_of("h0123456789abcdef", 1000) == 316);
  CHECK(shard_of("quorum", 10) == 5);
  CHECK(shard_of("quorum", 1000) == 54);
  CHECK(shard_of("", 3) == 2);
  CHECK(in_shard(Shard{5, 10}, "quorum"));
  CHECK_FALSE(in_shard(Shard{4, 10}, "quorum"));
}

TEST_CASE(
    "shard: cases spread evenly, and a fifth shard takes a fifth of them from the other four only",
    "[shard]") {
  constexpr int kCases = 20000;
  std::map<int, int> per_shard;
  int moved = 0;
  bool moved_elsewhere = false;
  for (int i = 0; i < kCases; ++i) {
    const std::string id = "case-" + std::to_string(i);
    const int four = shard_of(id, 4);
    const int five = shard_of(id, 5);
    ++per_shard[four];
    if (four != five) {
      ++moved;
      moved_elsewhere = moved_elsewhere || five != 4;
    }
  }
  for (const auto& [shard, n] : per_shard) {
    INFO(shard);
    CHECK(n > kCases / 4 * 0.95);
    CHECK(n < kCases / 4 * 1.05);
  }
  CHECK(moved > kCases / 5 * 0.9);
  CHECK(moved < kCases / 5 * 1.1);
  CHECK_FALSE(moved_elsewhere);  // only to the new shard: the others keep their cases
}

TEST_CASE(
    "shard: resolved from --shard, then --shards with JOB_COMPLETION_INDEX, then TUNEBENCH_SHARD",
    "[shard]") {
  std::map<std::string, std::string> env;
  const auto getenv = [&](const char* name) -> const char* {
    const auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  };
  std::string error;
  CHECK_FALSE(resolve_shard("", 0, getenv, error));
  CHECK(error.empty());

  env["TUNEBENCH_SHARD"] = "2/3";
  auto s = resolve_shard("", 0, getenv, error);
  REQUIRE(s);
  CHECK(s->to_string() == "2/3");
  s = resolve_shard("1/4", 0, getenv, error);  // the flag wins over the environment
  REQUIRE(s);
  CHECK(s->to_string() == "1/4");

  env["JOB_COMPLETION_INDEX"] = "5";
  s = resolve_shard("", 8, getenv, error);
  REQUIRE(s);
  CHECK(s->to_string() == "5/8");

  CHECK_FALSE(resolve_shard("", 5, getenv, error));
  CHECK(error.find("$JOB_COMPLETION_INDEX=\"5\" with --shards 5: expected I/N") !=
        std::string::npos);
  CHECK_FALSE(resolve_shard("1/4", 4, getenv, error));
  CHECK(error.find("either --shard I/N or --shards N") != std::string::npos);
  env.erase("JOB_COMPLETION_INDEX");
  CHECK_FALSE(resolve_shard("", 4, getenv, error));
  CHECK(error.find("$JOB_COMPLETION_INDEX (set in the pods of a Kubernetes Indexed Job), which is "
                   "not set") != std::string::npos);
  CHECK_FALSE(resolve_shard("4/4", 0, getenv, error));
  CHECK(error.starts_with("--shard: expected I/N"));
  env["TUNEBENCH_SHARD"] = "3";
  CHECK_FALSE(resolve_shard("", 0, getenv, error));
  CHECK(error.starts_with("$TUNEBENCH_SHARD: expected I/N"));
}
