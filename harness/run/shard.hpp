#pragma once
// Shards: one run of a suite split over N machines (Kubernetes Indexed Jobs, CI matrices, Slurm
// arrays), each sending the cases of its shard, merged afterwards by `tunebench merge`.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace tb {

// Shard `index` of `count`, 0-based as JOB_COMPLETION_INDEX and SLURM_ARRAY_TASK_ID count.
struct Shard {
  int index = 0;
  int count = 1;
  std::string to_string() const;  // "1/4"
};

// "I/N" with 0 <= I < N; nullopt with a message naming what was expected otherwise.
std::optional<Shard> parse_shard(std::string_view text, std::string& error);

// The shard of a case: jump consistent hash (Lamping and Veach, 2014) of the first 64 bits of
// the SHA-256 of its id. The id, not the line: adding or removing cases moves no other case, and
// going from N to N+1 shards moves only a 1/(N+1) share of them.
int shard_of(std::string_view case_id, int count);
inline bool in_shard(const Shard& shard, std::string_view case_id) {
  return shard_of(case_id, shard.count) == shard.index;
}

// The shard a `run` is asked for, from (in order) `--shard I/N` (`flag`), `--shards N` with
// $JOB_COMPLETION_INDEX (`shards` > 0), else $TUNEBENCH_SHARD; nullopt when none is given or on
// an error (then `error` says which setting is wrong and why). `env` reads the environment.
std::optional<Shard> resolve_shard(const std::string& flag, int shards,
                                   const std::function<const char*(const char*)>& env,
                                   std::string& error);

}  // namespace tb
