// Validation rate of the JSON Schema validator on a file of instances (one JSON per line), to
// set beside bench/schema_peer.js (ajv) on the same files.
// use: schema_bench SCHEMA INSTANCES_JSONL
// Parsing is timed apart from validation; both peers report validations per second of
// already-parsed instances (here JsonTape, the representation tunebench's checks validate; ajv
// gets JSON.parse objects), the count of valid ones (which must agree), and, as a second
// figure, parse + validate per second from the text.
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/json_tape.hpp"
#include "score/json_schema.hpp"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s SCHEMA INSTANCES_JSONL\n", argv[0]);
    return 2;
  }
  const auto schema = tb::CompiledSchema::load(argv[1]);
  std::ifstream in(argv[2]);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) lines.push_back(std::move(line));
  std::vector<tb::JsonTape> instances;
  instances.reserve(lines.size());
  for (const auto& line : lines) instances.push_back(*tb::JsonTape::parse(line));
  std::size_t valid = 0;
  for (const auto& i : instances) valid += schema.is_valid(i);  // warm-up
  auto median_seconds = [](auto&& pass) {
    std::array<double, 5> seconds{};
    for (double& s : seconds) {
      const auto start = std::chrono::steady_clock::now();
      pass();
      s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }
    std::sort(seconds.begin(), seconds.end());
    return seconds[2];
  };
  const double validate = median_seconds([&] {
    valid = 0;
    for (const auto& i : instances) valid += schema.is_valid(i);
  });
  std::size_t valid_text = 0;
  const double from_text = median_seconds([&] {
    valid_text = 0;
    for (const auto& line : lines) {
      const auto tape = tb::JsonTape::parse(line);
      valid_text += tape && schema.is_valid(*tape);
    }
  });
  if (valid_text != valid) {
    std::fprintf(stderr, "valid counts differ: %zu parsed, %zu from text\n", valid, valid_text);
    return 1;
  }
  std::printf("tunebench instances=%zu valid=%zu per_s=%.0f text_per_s=%.0f (median of 5)\n",
              instances.size(), valid, static_cast<double>(instances.size()) / validate,
              static_cast<double>(instances.size()) / from_text);
  return 0;
}
