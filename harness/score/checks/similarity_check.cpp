#include <algorithm>
#include <cstdint>
#include <span>
#include <unordered_map>

#include "common/text.hpp"
#include "score/checks/check_factories.hpp"
#include "score/checks/check_spec.hpp"

namespace tb {
namespace {

// Longer texts are cut to this many code points each, which bounds the work per answer (about
// n * n / 64 word operations, a few milliseconds) and the memory (at most distinct characters
// x n / 8 bytes); the detail says so when it happens.
constexpr std::size_t kMaxCodePoints = 20000;

// Code points of UTF-8 text; each byte of an invalid sequence becomes its own code point in
// U+DC80..U+DCFF (lone surrogates, which valid UTF-8 never decodes to), so garbage still compares.
std::vector<char32_t> decode(std::string_view s, std::size_t cap, bool* capped) {
  std::vector<char32_t> out;
  out.reserve(std::min(s.size(), cap));
  std::size_t i = 0;
  while (i < s.size()) {
    if (out.size() == cap) {
      *capped = true;
      break;
    }
    const auto b0 = static_cast<unsigned char>(s[i]);
    const std::size_t len = b0 < 0x80            ? 1
                            : (b0 >> 5) == 0x06  ? 2
                            : (b0 >> 4) == 0x0E  ? 3
                            : (b0 >> 3) == 0x1E  ? 4
                                                 : 0;
    char32_t cp = len == 1 ? b0 : len == 2 ? (b0 & 0x1Fu) : len == 3 ? (b0 & 0x0Fu) : (b0 & 0x07u);
    bool ok = len > 0 && i + len <= s.size();
    for (std::size_t k = 1; ok && k < len; ++k) {
      const auto c = static_cast<unsigned char>(s[i + k]);
      ok = (c & 0xC0) == 0x80;
      cp = (cp << 6) | (c & 0x3Fu);
    }
    const char32_t min = len == 2 ? 0x80 : len == 3 ? 0x800 : len == 4 ? 0x10000 : 0;
    ok = ok && cp >= min && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF);
    if (!ok) {
      out.push_back(0xDC00 + b0);
      ++i;
      continue;
    }
    out.push_back(cp);
    i += len;
  }
  return out;
}

// Levenshtein distance with Myers' bit-parallel algorithm (blocks of 64 rows, as in Hyyrö's
// formulation): the plain dynamic programme is n * m cell updates, too slow for two long answers.
std::size_t edit_distance(std::span<const char32_t> a, std::span<const char32_t> b) {
  while (!a.empty() && !b.empty() && a.front() == b.front()) {
    a = a.subspan(1);
    b = b.subspan(1);
  }
  while (!a.empty() && !b.empty() && a.back() == b.back()) {
    a = a.first(a.size() - 1);
    b = b.first(b.size() - 1);
  }
  if (a.size() < b.size()) std::swap(a, b);
  const std::span<const char32_t> pattern = b;  // the shorter one runs down the rows
  const std::size_t m = pattern.size();
  if (m == 0) return a.size();
  const std::size_t blocks = (m + 63) / 64;
  std::unordered_map<char32_t, std::size_t> ids;
  for (const char32_t c : pattern) ids.try_emplace(c, ids.size());
  // peq[id * blocks + k]: the rows of block k holding that character.
  std::vector<std::uint64_t> peq(ids.size() * blocks, 0);
  for (std::size_t i = 0; i < m; ++i) peq[ids[pattern[i]] * blocks + i / 64] |= 1ull << (i % 64);
  std::vector<std::uint64_t> pv(blocks, ~0ull);  // vertical deltas +1: D[i][0] = i
  std::vector<std::uint64_t> mv(blocks, 0);
  const std::uint64_t last_row = 1ull << ((m - 1) % 64);
  long long distance = static_cast<long long>(m);
  for (const char32_t c : a) {
    const auto id = ids.find(c);
    const std::uint64_t* eq_row = id == ids.end() ? nullptr : &peq[id->second * blocks];
    int carry = 1;  // horizontal delta entering the block from above: D[0][j] = j
    for (std::size_t k = 0; k < blocks; ++k) {
      std::uint64_t eq = eq_row != nullptr ? eq_row[k] : 0;
      const std::uint64_t p = pv[k];
      const std::uint64_t n = mv[k];
      const std::uint64_t xv = eq | n;
      if (carry < 0) eq |= 1;
      const std::uint64_t xh = (((eq & p) + p) ^ p) | eq;
      std::uint64_t ph = n | ~(xh | p);
      std::uint64_t mh = p & xh;
      const std::uint64_t high = k + 1 == blocks ? last_row : (1ull << 63);
      const int out = (ph & high) != 0 ? 1 : (mh & high) != 0 ? -1 : 0;
      ph <<= 1;
      mh <<= 1;
      if (carry < 0) mh |= 1;
      else if (carry > 0) ph |= 1;
      pv[k] = mh | ~(xv | ph);
      mv[k] = ph & xv;
      carry = out;
    }
    distance += carry;
  }
  return static_cast<std::size_t>(distance);
}

// How close the answer is to a target text, for free-text answers where exact equality is too
// strict: 1 - edit distance / the longer length, on code points, surrounding whitespace ignored.
class SimilarityCheck final : public Check {
 public:
  SimilarityCheck(std::optional<std::string> value, double threshold)
      : value_(std::move(value)), threshold_(threshold) {}

  CheckOutcome evaluate(const CheckInput& in) const override {
    if (!value_ && !in.has_reference)
      return {false, 0, "the case has no reference answer to compare with"};
    const std::string_view target = value_ ? std::string_view(*value_) : in.reference;
    bool capped = false;
    const auto a = decode(trim(in.output), kMaxCodePoints, &capped);
    const auto b = decode(trim(target), kMaxCodePoints, &capped);
    const std::size_t longer = std::max(a.size(), b.size());
    const double similarity =
        longer == 0 ? 1.0
                    : 1.0 - static_cast<double>(edit_distance(a, b)) / static_cast<double>(longer);
    std::string detail = "similarity " + fixed(similarity, 3);
    const bool passed = similarity >= threshold_;
    if (!passed) detail += "; min " + fixed(threshold_, 3);
    if (capped) detail += " (compared the first " + with_thousands(kMaxCodePoints) + " characters)";
    return {passed, similarity, detail};
  }

 private:
  std::optional<std::string> value_;  // nullopt: the case's reference answer
  double threshold_;
};

}  // namespace

std::shared_ptr<Check> make_similarity_check(const nlohmann::json& spec, const CheckContext&,
                                             std::string& error) {
  CheckSpec s(spec, error);
  if (!s.only_keys({"value", "threshold"})) return nullptr;
  auto value = s.string("value", false);
  const auto threshold = read_share(s, "threshold", 0.8);
  if (!threshold || !error.empty()) return nullptr;
  return std::make_shared<SimilarityCheck>(std::move(value), *threshold);
}

}  // namespace tb
