#pragma once
// Finding the end of a run of bytes a JSON string holds as they are, eight bytes per step. Used
// by the parser (JsonTape) and the writer (append_json_escaped), where these scans are most of
// the work on long prompts and answers.
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace tb {

// The first index at or after `i` whose byte is a control character (< 0x20), '"' or '\\' (and,
// with StopAtNonAscii, a byte >= 0x80), or `n`. In each test below the lowest flagged byte is
// exact (a borrow only flags bytes above a true match), so the lowest bit of their union is
// the first such byte.
template <bool StopAtNonAscii>
std::size_t json_plain_run_end(const char* s, std::size_t i, std::size_t n) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL, kHighs = 0x8080808080808080ULL;
  while (i + 8 <= n) {
    std::uint64_t x;
    std::memcpy(&x, s + i, 8);
    const std::uint64_t quote = x ^ (kOnes * '"');
    const std::uint64_t backslash = x ^ (kOnes * '\\');
    std::uint64_t flags =
        ((quote - kOnes) & ~quote) | ((backslash - kOnes) & ~backslash) | ((x - kOnes * 0x20) & ~x);
    if constexpr (StopAtNonAscii) flags |= x;
    const std::uint64_t hits = flags & kHighs;
    if (hits != 0) return i + static_cast<std::size_t>(std::countr_zero(hits)) / 8;
    i += 8;
  }
  for (; i < n; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == '"' || c == '\\' || (StopAtNonAscii && c >= 0x80)) return i;
  }
  return n;
}

}  // namespace tb
