#pragma once
// A sample of a suite's cases written as a dataset of its own, so that an ablation measures
// each candidate prompt on the same few cases through the ordinary runner.
#include <cstdint>
#include <filesystem>
#include <optional>

#include "common/diagnostic.hpp"
#include "suite/suite.hpp"

namespace tb {

struct CaseSample {
  long long cases = 0;    // in the suite (after its `limit`)
  long long sampled = 0;  // written: min(n, cases)
};

// Picks n of the suite's cases uniformly without replacement from `seed` (the same seed, suite
// and n give the same cases on every machine) and writes their dataset lines, in dataset order
// and unchanged, to `out`. nullopt with a diagnostic naming the dataset's file:line when it
// cannot be read, or naming `out` when it cannot be written.
std::optional<CaseSample> write_case_sample(const Suite& suite, long long n, std::uint64_t seed,
                                            const std::filesystem::path& out, Diagnostic& error);

}  // namespace tb
