#pragma once
// The rank table of an encoding: token bytes -> rank (the token id), read from a .tiktoken
// file. Internal to the tokenizer (token/); lookups are inline, they are the merge's inner loop.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace tb::token_detail {

// No token has these bytes.
constexpr std::uint32_t kNoRank = std::numeric_limits<std::uint32_t>::max();

// Rank table: token bytes -> rank.
//
// One- and two-byte tokens sit in direct tables (256 KiB for pairs, small enough to stay in
// cache); longer ones in an open-addressing table with linear probing over 16-byte slots. A
// slot holds the key's first eight bytes and its length, so most probes (keys of at most eight
// bytes, and every miss during merging) resolve without touching the token bytes. Load stays
// under one half because most lookups while merging are misses.

inline std::uint64_t load64(const char* p) {
  std::uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

inline std::uint32_t load32(const char* p) {
  std::uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

// The first min(n, 8) bytes, zero-padded, never reading past p + n.
inline std::uint64_t load_head(const char* p, std::size_t n) {
  if (n >= 8) return load64(p);
  if (n >= 4) {
    const std::uint64_t lo = load32(p);
    const std::uint64_t hi = load32(p + n - 4);
    return lo | (hi << (8 * (n - 4)));
  }
  if (n == 0) return 0;
  const auto byte = [p](std::size_t i) { return std::uint64_t{static_cast<unsigned char>(p[i])}; };
  return byte(0) | (byte(n / 2) << (8 * (n / 2))) | (byte(n - 1) << (8 * (n - 1)));
}

// One multiply and a fold: keys of up to eight bytes (most lookups) hash from the head alone.
inline std::uint64_t hash_key(const char* p, std::size_t n, std::uint64_t head) {
  constexpr std::uint64_t kMul = 0x9E3779B97F4A7C15ULL;
  std::uint64_t h = (head ^ n) * kMul;
  for (std::size_t i = 8; i < n; i += 8) {
    h = (h ^ (h >> 29) ^ load64(p + std::min(i, n - 8))) * kMul;
  }
  return h ^ (h >> 32);
}

class Ranks {
 public:
  // Parses a .tiktoken file ("<base64 token> <rank>" per line).
  void parse(std::string_view content, const std::filesystem::path& file);

  std::uint32_t find(const char* p, std::size_t n) const noexcept {
    if (n <= 2) {
      if (n == 2) return pair_rank(p);
      return n == 1 ? byte_rank(static_cast<unsigned char>(*p)) : kNoRank;
    }
    const std::uint64_t head = load_head(p, n);
    for (std::size_t i = hash_key(p, n, head) & mask_;; i = (i + 1) & mask_) {
      const Slot& slot = slots_[i];
      if (slot.length == 0) return kNoRank;
      if (slot.head == head && slot.length == n &&
          (n <= 8 || std::memcmp(arena_.data() + offsets_[slot.rank] + 8, p + 8, n - 8) == 0)) {
        return slot.rank;
      }
    }
  }

  // Two-byte keys come from a direct table: they are the first lookups of every merge.
  std::uint32_t pair_rank(const char* p) const noexcept {
    return pair_ranks_[static_cast<unsigned char>(p[0]) |
                       (static_cast<std::size_t>(static_cast<unsigned char>(p[1])) << 8)];
  }

  std::uint32_t byte_rank(unsigned char byte) const noexcept { return byte_ranks_[byte]; }

  // Empty when no token has this rank.
  std::string_view token(std::uint32_t rank) const noexcept {
    if (rank >= lengths_.size()) return {};
    return std::string_view(arena_).substr(offsets_[rank], lengths_[rank]);
  }

  // One past the largest rank.
  std::uint32_t size() const noexcept { return static_cast<std::uint32_t>(lengths_.size()); }

 private:
  struct Slot {
    std::uint64_t head;
    std::uint32_t rank;
    std::uint32_t length;  // 0 marks an empty slot; no token is empty
  };

  void build_table(const std::filesystem::path& file);

  std::string arena_;  // all token bytes, back to back
  std::vector<std::uint32_t> offsets_;
  std::vector<std::uint32_t> lengths_;
  std::vector<Slot> slots_;
  std::size_t mask_ = 0;
  std::array<std::uint32_t, 256> byte_ranks_{};
  std::vector<std::uint32_t> pair_ranks_;
};

}  // namespace tb::token_detail
