// Validation rate of the JSON Schema validator on a file of instances (one JSON per line), to
// set beside bench/schema_peer.js (ajv) on the same files.
// use: schema_bench SCHEMA INSTANCES_JSONL
// Parsing is timed apart from validation; both peers report validations per second of
// already-parsed instances, and the count of valid ones (which must agree).
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "score/json_schema.hpp"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s SCHEMA INSTANCES_JSONL\n", argv[0]);
    return 2;
  }
  const auto schema = tb::CompiledSchema::load(argv[1]);
  std::ifstream in(argv[2]);
  std::vector<nlohmann::json> instances;
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) instances.push_back(nlohmann::json::parse(line));
  std::size_t valid = 0;
  for (const auto& i : instances) valid += schema.is_valid(i);  // warm-up
  std::array<double, 5> seconds{};
  for (double& s : seconds) {
    valid = 0;
    const auto start = std::chrono::steady_clock::now();
    for (const auto& i : instances) valid += schema.is_valid(i);
    s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  std::sort(seconds.begin(), seconds.end());
  std::printf("tunebench instances=%zu valid=%zu per_s=%.0f (median of 5)\n", instances.size(), valid,
              static_cast<double>(instances.size()) / seconds[2]);
  return 0;
}
