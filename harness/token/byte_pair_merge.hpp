#pragma once
// Byte-pair merging of one pre-token that is not itself a token. Internal to the tokenizer
// (token/); templates on the token sink, so that counting never builds a vector.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "token/rank_table.hpp"

namespace tb::token_detail {

// tiktoken merges, over and over, the adjacent pair whose concatenation has the lowest rank,
// the leftmost one on ties. A merged pair's rank is the rank of the new part, so no lookup is
// needed at the end. Short pieces (nearly all) use tiktoken's own array scan on the stack;
// long ones (CJK runs without spaces, long symbol runs) use a heap so that the cost stays
// n log n instead of n^2. Both give identical results because ties break by position.

constexpr std::size_t kLinearMergeMax = 96;

template <class Emit>
void merge_linear(const Ranks& ranks, std::string_view piece, Emit& emit) {
  struct Part {
    std::uint32_t start;
    std::uint32_t pair_rank;  // rank of this part joined with the next one
    std::uint32_t token;      // rank of this part itself
  };
  std::array<Part, kLinearMergeMax + 1> parts;
  const char* p = piece.data();
  const std::size_t n = piece.size();
  for (std::size_t i = 0; i < n; ++i) {
    parts[i] = Part{static_cast<std::uint32_t>(i), i + 1 < n ? ranks.pair_rank(p + i) : kNoRank,
                    ranks.byte_rank(static_cast<unsigned char>(p[i]))};
  }
  parts[n] = Part{static_cast<std::uint32_t>(n), kNoRank, kNoRank};
  std::size_t count = n;  // parts, not counting the end sentinel
  const auto pair_rank = [&](std::size_t i) {
    // Parts i and i+1 joined, i.e. bytes up to the start of part i+2.
    return i + 2 <= count ? ranks.find(p + parts[i].start, parts[i + 2].start - parts[i].start)
                          : kNoRank;
  };
  for (;;) {
    std::uint32_t best = kNoRank;
    std::size_t at = 0;
    for (std::size_t i = 0; i + 1 < count; ++i) {
      if (parts[i].pair_rank < best) {
        best = parts[i].pair_rank;
        at = i;
      }
    }
    if (best == kNoRank) break;
    parts[at].token = best;
    std::copy(parts.begin() + at + 2, parts.begin() + count + 1, parts.begin() + at + 1);
    --count;
    parts[at].pair_rank = pair_rank(at);
    if (at > 0) parts[at - 1].pair_rank = pair_rank(at - 1);
  }
  for (std::size_t i = 0; i < count; ++i) emit(parts[i].token);
}

struct HeapMergeScratch {
  struct Candidate {
    std::uint32_t rank;
    std::uint32_t start;
    std::uint32_t end;  // end of the right-hand part when this pair was formed
  };
  std::vector<std::uint32_t> next;
  std::vector<std::uint32_t> prev;
  std::vector<std::uint32_t> token;
  std::vector<std::uint8_t> alive;
  std::vector<Candidate> heap;
};

template <class Emit>
void merge_heap(const Ranks& ranks, std::string_view piece, Emit& emit) {
  // Reused per thread: long pieces are rare but would otherwise allocate every time.
  thread_local HeapMergeScratch s;
  using Candidate = HeapMergeScratch::Candidate;
  const char* p = piece.data();
  const auto n = static_cast<std::uint32_t>(piece.size());
  s.next.resize(n + 1);
  s.prev.resize(n + 1);
  s.token.resize(n);
  s.alive.assign(n + 1, 1);
  s.heap.clear();
  const auto later = [](const Candidate& a, const Candidate& b) {
    return a.rank != b.rank ? a.rank > b.rank : a.start > b.start;
  };
  for (std::uint32_t i = 0; i < n; ++i) {
    s.next[i] = i + 1;
    s.prev[i] = i == 0 ? 0 : i - 1;
    s.token[i] = ranks.byte_rank(static_cast<unsigned char>(p[i]));
    if (i + 1 < n) {
      const std::uint32_t rank = ranks.pair_rank(p + i);
      if (rank != kNoRank) s.heap.push_back(Candidate{rank, i, i + 2});
    }
  }
  s.next[n] = n;
  s.prev[n] = n - 1;
  std::make_heap(s.heap.begin(), s.heap.end(), later);
  while (!s.heap.empty()) {
    std::pop_heap(s.heap.begin(), s.heap.end(), later);
    const Candidate c = s.heap.back();
    s.heap.pop_back();
    // Stale unless `start` still begins a part and the next two parts still end at `end`.
    if (!s.alive[c.start]) continue;
    const std::uint32_t middle = s.next[c.start];
    if (middle >= n || s.next[middle] != c.end) continue;
    s.alive[middle] = 0;
    s.next[c.start] = c.end;
    s.prev[c.end] = c.start;
    s.token[c.start] = c.rank;
    if (c.end < n) {
      const std::uint32_t right_end = s.next[c.end];
      const std::uint32_t rank = ranks.find(p + c.start, right_end - c.start);
      if (rank != kNoRank) {
        s.heap.push_back(Candidate{rank, c.start, right_end});
        std::push_heap(s.heap.begin(), s.heap.end(), later);
      }
    }
    if (c.start > 0) {
      const std::uint32_t left = s.prev[c.start];
      const std::uint32_t rank = ranks.find(p + left, c.end - left);
      if (rank != kNoRank) {
        s.heap.push_back(Candidate{rank, left, c.end});
        std::push_heap(s.heap.begin(), s.heap.end(), later);
      }
    }
  }
  for (std::uint32_t i = 0; i < n; i = s.next[i]) emit(s.token[i]);
  // A megabyte-long run of one character must not pin tens of megabytes per thread.
  if (n > (1U << 16)) s = HeapMergeScratch{};
}

template <class Emit>
void byte_pair_merge(const Ranks& ranks, std::string_view piece, Emit& emit) {
  if (piece.size() <= kLinearMergeMax) {
    merge_linear(ranks, piece, emit);
  } else {
    merge_heap(ranks, piece, emit);
  }
}

}  // namespace tb::token_detail
