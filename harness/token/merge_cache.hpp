#pragma once
// The per-thread memo of merged pieces. Internal to the tokenizer (token/).
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string_view>

#include "token/encoding.hpp"

namespace tb::token_detail {

// Text repeats its multi-token words ("tokenizer", " Größe", "12.5%"), and merging one costs
// a dozen table probes that mostly miss the CPU cache; a hit here costs one. Direct-mapped,
// one cache line per entry, 256 KiB per encoding and thread. Entries depend only on the rank
// file, whose content the sha256 pins, so encodings of one name can share them.

class MergeCache {
 public:
  static constexpr std::size_t kMaxPiece = 22;
  static constexpr std::size_t kMaxTokens = 10;

  static MergeCache& for_thread(EncodingName name) {
    thread_local std::array<std::unique_ptr<MergeCache>, 2> caches;
    auto& cache = caches[static_cast<std::size_t>(name)];
    if (!cache) cache = std::make_unique<MergeCache>();
    return *cache;
  }

  // Emits the cached tokens of piece and returns true, or returns false.
  template <class Emit>
  bool emit(std::string_view piece, std::uint64_t hash, Emit& emit) const {
    const Entry& e = entries_[hash & (kEntries - 1)];
    if (e.piece_size != piece.size() || std::memcmp(e.piece, piece.data(), piece.size()) != 0) {
      return false;
    }
    for (std::size_t i = 0; i < e.token_count; ++i) emit(e.tokens[i]);
    return true;
  }

  void store(std::string_view piece, std::uint64_t hash, std::span<const std::uint32_t> tokens) {
    if (piece.size() > kMaxPiece || tokens.size() > kMaxTokens) return;
    Entry& e = entries_[hash & (kEntries - 1)];
    e.piece_size = static_cast<std::uint8_t>(piece.size());
    e.token_count = static_cast<std::uint8_t>(tokens.size());
    std::memcpy(e.piece, piece.data(), piece.size());
    std::copy(tokens.begin(), tokens.end(), e.tokens);
  }

 private:
  static constexpr std::size_t kEntries = 4096;
  struct alignas(64) Entry {
    std::uint8_t piece_size = 0;  // 0: empty (pieces are never empty)
    std::uint8_t token_count = 0;
    char piece[kMaxPiece] = {};
    std::uint32_t tokens[kMaxTokens] = {};
  };
  static_assert(sizeof(Entry) == 64);

  std::array<Entry, kEntries> entries_{};
};

}  // namespace tb::token_detail
