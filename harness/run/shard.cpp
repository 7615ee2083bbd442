#include "run/shard.hpp"

#include <charconv>

#include "common/hash.hpp"

namespace tb {
namespace {

constexpr int kMaxShards = 1000000;

std::optional<int> parse_count(std::string_view s) {
  int v = 0;
  if (s.empty() || s.size() > 7) return std::nullopt;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || v < 0) return std::nullopt;
  return v;
}

}  // namespace

std::string Shard::to_string() const {
  return std::to_string(index) + "/" + std::to_string(count);
}

std::optional<Shard> parse_shard(std::string_view text, std::string& error) {
  const auto slash = text.find('/');
  const auto index =
      slash == std::string_view::npos ? std::nullopt : parse_count(text.substr(0, slash));
  const auto count =
      slash == std::string_view::npos ? std::nullopt : parse_count(text.substr(slash + 1));
  if (!index || !count || *count < 1 || *count > kMaxShards || *index >= *count) {
    error =
        "expected I/N with 0 <= I < N (shards count from 0, as JOB_COMPLETION_INDEX does: 0/4 is "
        "the first "
        "of 4, 3/4 the last); got \"" +
        std::string(text) + "\"";
    return std::nullopt;
  }
  return Shard{*index, *count};
}

int shard_of(std::string_view case_id, int count) {
  const std::string digest = sha256_hex(case_id);
  std::uint64_t key = 0;
  std::from_chars(digest.data(), digest.data() + 16, key, 16);
  // Jump consistent hash, as published (Lamping and Veach, "A Fast, Minimal Memory, Consistent
  // Hash Algorithm", 2014).
  std::int64_t b = -1;
  std::int64_t j = 0;
  while (j < count) {
    b = j;
    key = key * 2862933555777941757ULL + 1;
    j = static_cast<std::int64_t>(
        static_cast<double>(b + 1) *
        (static_cast<double>(1LL << 31) / static_cast<double>((key >> 33) + 1)));
  }
  return static_cast<int>(b);
}

std::optional<Shard> resolve_shard(const std::string& flag, int shards,
                                   const std::function<const char*(const char*)>& env,
                                   std::string& error) {
  error.clear();
  if (!flag.empty() && shards > 0) {
    error =
        "give either --shard I/N or --shards N (which takes I from $JOB_COMPLETION_INDEX), not "
        "both";
    return std::nullopt;
  }
  if (!flag.empty()) {
    auto shard = parse_shard(flag, error);
    if (!shard) error = "--shard: " + error;
    return shard;
  }
  if (shards > 0) {
    if (shards > kMaxShards) {
      error = "--shards: at most " + std::to_string(kMaxShards) + "; got " + std::to_string(shards);
      return std::nullopt;
    }
    const char* index = env("JOB_COMPLETION_INDEX");
    if (index == nullptr || *index == '\0') {
      error = "--shards " + std::to_string(shards) +
              " takes the shard's index from $JOB_COMPLETION_INDEX (set in the pods of a "
              "Kubernetes Indexed Job), "
              "which is not set; elsewhere give --shard I/" +
              std::to_string(shards);
      return std::nullopt;
    }
    auto shard = parse_shard(std::string(index) + "/" + std::to_string(shards), error);
    if (!shard)
      error = "$JOB_COMPLETION_INDEX=\"" + std::string(index) + "\" with --shards " +
              std::to_string(shards) + ": " + error;
    return shard;
  }
  const char* setting = env("TUNEBENCH_SHARD");
  if (setting == nullptr || *setting == '\0') return std::nullopt;
  auto shard = parse_shard(setting, error);
  if (!shard) error = "$TUNEBENCH_SHARD: " + error;
  return shard;
}

}  // namespace tb
