#pragma once
// Whether runs are the shards of one run, and the run they make together (`tunebench merge`).
#include <filesystem>
#include <string>
#include <vector>

#include "store/records.hpp"

namespace tb {

// One input of a merge: a shard's run as stored, and how messages name it.
struct MergeInput {
  std::filesystem::path file;
  RunRecord run;
  std::string label() const;  // "shard-2.db (run 1)"
};

struct MergePlan {
  // Why the inputs cannot be merged (exit 2): not a shard, another suite fingerprint or shard
  // count, the same shard twice; and, without --allow-partial, missing or unfinished shards.
  std::vector<std::string> errors;
  std::vector<std::string> warnings;  // what makes a partial merge partial
  std::vector<std::size_t> order;     // the inputs by shard index
  RunRecord merged;                   // the merged run, ready for Store::create_run
};

// Checks the inputs and describes the merged run: the suite, variants and settings of the
// shards; started when the first shard started; cases and jobs summed; `merged_from` lists the
// inputs; `partial` when shards are missing or unfinished (allowed only with `allow_partial`).
MergePlan plan_merge(const std::vector<MergeInput>& inputs, bool allow_partial);

}  // namespace tb
