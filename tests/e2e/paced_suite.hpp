#pragma once
// A small suite whose every answer takes a fixed time, for the tests that stop, lock or kill a
// run mid-way (run leases, a hostile disk): long enough to act while it runs, short enough to
// keep the test quick.
#include <string>

#include "test_paths.hpp"

namespace tb::test {

// 60 cases x 2 variants (a: gpt-4o-mini, b: gpt-4o) on the in-process mock, concurrency 4,
// each answer taking `latency_ms`.
inline std::string paced_suite(const std::string& name, int seed, int latency_ms) {
  const std::string mock =
      "{seed: " + std::to_string(seed) +
      ", latency: {distribution: fixed, median_ms: " + std::to_string(latency_ms) +
      ", per_prompt_token_ms: 0, per_output_token_ms: 0}}";
  return "name: " + name + "\ndataset: " + std::string(TUNEBENCH_SOURCE_DIR) +
         "/datasets/tech_terms_eval.jsonl\nlimit: 60\nexpect: {format: json}\n"
         "variants:\n"
         "  - {id: a, endpoint: m, model: gpt-4o-mini}\n"
         "  - {id: b, endpoint: m, model: gpt-4o}\n"
         "endpoints:\n  m: {kind: mock, mock: " +
         mock + "}\nrun: {concurrency: 4}\n";
}

}  // namespace tb::test
