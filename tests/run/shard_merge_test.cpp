#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "run/shard_merge.hpp"

using namespace tb;

namespace {

MergeInput shard(int index, int count, const std::string& fingerprint = "f00d",
                 const std::string& status = "done") {
  MergeInput in;
  in.file = "s" + std::to_string(index) + ".db";
  in.run.id = 1;
  in.run.suite_name = "s";
  in.run.suite_json = "{}";
  in.run.baseline = "a";
  in.run.started_at = "2026-11-2" + std::to_string(index) + "T00:00:00Z";
  in.run.status = status;
  in.run.cases = 10 + index;
  in.run.total_jobs = 2 * (10 + index);
  in.run.repeats = 1;
  in.run.simulated = index == 1;
  in.run.suite_fingerprint = fingerprint;
  in.run.shard_index = index;
  in.run.shard_count = count;
  return in;
}

std::string all(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

}  // namespace

TEST_CASE("merge plan: every shard once makes one run of the whole suite", "[merge]") {
  const auto plan = plan_merge({shard(2, 3), shard(0, 3), shard(1, 3)}, false);
  REQUIRE(plan.errors.empty());
  CHECK(plan.warnings.empty());
  CHECK(plan.order == std::vector<std::size_t>{1, 2, 0});  // by shard index
  const RunRecord& m = plan.merged;
  CHECK(m.cases == 33);
  CHECK(m.total_jobs == 66);
  CHECK(m.started_at == "2026-11-20T00:00:00Z");
  CHECK(m.simulated);
  CHECK_FALSE(m.partial);
  CHECK_FALSE(m.shard_index);
  CHECK(m.shard_count == 3);
  CHECK(m.suite_fingerprint == "f00d");
  const auto from = nlohmann::json::parse(m.merged_from);
  REQUIRE(from.size() == 3);
  CHECK(from[0]["file"] == "s0.db");
  CHECK(from[2]["shard"] == "2/3");
}

TEST_CASE(
    "merge plan: missing and unfinished shards are refused, or merged as partial when allowed",
    "[merge]") {
  const std::vector<MergeInput> inputs{shard(0, 4), shard(3, 4, "f00d", "interrupted")};
  auto plan = plan_merge(inputs, false);
  const std::string errors = all(plan.errors);
  CHECK(errors.find("shards 1/4, 2/4 of 4 are missing; or merge anyway with --allow-partial") !=
        std::string::npos);
  CHECK(
      errors.find(
          "s3.db (run 1) (shard 3/4) is interrupted: resume it with its --shard and --resume 1") !=
      std::string::npos);

  plan = plan_merge(inputs, true);
  CHECK(plan.errors.empty());
  CHECK(plan.warnings.size() == 2);
  CHECK(plan.merged.partial);
  CHECK(plan.merged.cases == 23);
}

TEST_CASE("merge plan: duplicates, other suites, other splits and non-shards are refused",
          "[merge]") {
  auto plan = plan_merge({shard(0, 2), shard(1, 2), shard(1, 2)}, true);
  CHECK(all(plan.errors)
            .find("s1.db (run 1) and s1.db (run 1) are both shard 1/2; give each shard once") !=
        std::string::npos);

  plan = plan_merge({shard(0, 2), shard(1, 2, "beef")}, true);
  CHECK(all(plan.errors)
            .find("s1.db (run 1) is a shard of another suite than s0.db (run 1) (suite fingerprint "
                  "beef") != std::string::npos);

  plan = plan_merge({shard(0, 2), shard(1, 3)}, true);
  CHECK(all(plan.errors).find("is shard 1/3 and s0.db (run 1) shard 0/2") != std::string::npos);

  MergeInput plain = shard(0, 2);
  plain.run.shard_index.reset();
  plain.run.shard_count = 0;
  plan = plan_merge({plain, shard(1, 2)}, true);
  CHECK(all(plan.errors).find("s0.db (run 1) is not a shard's run (it ran without --shard)") !=
        std::string::npos);
  plain.run.merged_from = "[]";
  plan = plan_merge({plain}, true);
  CHECK(all(plan.errors).find("(it is a merged run)") != std::string::npos);
}
