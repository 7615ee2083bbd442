// Parsing a .tiktoken file into the rank table.
#include "token/rank_table.hpp"

#include <bit>
#include <charconv>

#include "token/encoding.hpp"

namespace tb::token_detail {
namespace {

int base64_value(unsigned char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

// Appends the decoded bytes to out; false if text is not padded standard base64.
bool base64_decode(std::string_view text, std::string& out) {
  if (text.empty() || text.size() % 4 != 0) return false;
  std::size_t padding = 0;
  while (padding < 2 && text[text.size() - 1 - padding] == '=') ++padding;
  std::uint32_t bits = 0;
  int bit_count = 0;
  for (std::size_t i = 0; i < text.size() - padding; ++i) {
    const int v = base64_value(static_cast<unsigned char>(text[i]));
    if (v < 0) return false;
    bits = (bits << 6) | static_cast<std::uint32_t>(v);
    bit_count += 6;
    if (bit_count >= 8) {
      bit_count -= 8;
      out.push_back(static_cast<char>((bits >> bit_count) & 0xFF));
    }
  }
  return true;
}

}  // namespace

void Ranks::parse(std::string_view content, const std::filesystem::path& file) {
  const auto corrupt = [&file](std::size_t line, std::string_view why) {
    return TokenizerError("rank file " + file.string() + " line " + std::to_string(line) + ": " +
                          std::string(why));
  };
  arena_.reserve(content.size() / 2);
  // One line per rank: reserving for them all spares a reallocation check per line.
  const auto lines = static_cast<std::size_t>(std::count(content.begin(), content.end(), '\n')) + 1;
  offsets_.reserve(lines);
  lengths_.reserve(lines);
  std::size_t line_number = 0;
  while (!content.empty()) {
    ++line_number;
    const std::size_t eol = content.find('\n');
    std::string_view line = content.substr(0, eol);
    content = eol == std::string_view::npos ? std::string_view{} : content.substr(eol + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    const std::size_t space = line.find(' ');
    if (space == std::string_view::npos) throw corrupt(line_number, "expected '<base64> <rank>'");
    const std::size_t offset = arena_.size();
    if (!base64_decode(line.substr(0, space), arena_)) throw corrupt(line_number, "bad base64");
    const std::string_view digits = line.substr(space + 1);
    std::uint32_t rank = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), rank);
    // The bound keeps a damaged file from asking for gigabytes of rank arrays.
    if (ec != std::errc{} || end != digits.data() + digits.size() || rank >= (1U << 24)) {
      throw corrupt(line_number, "bad rank");
    }
    if (rank >= lengths_.size()) {
      if (rank == lengths_.size()) {  // ranks come in order: append, no fill
        offsets_.push_back(0);
        lengths_.push_back(0);
      } else {
        offsets_.resize(rank + 1, 0);
        lengths_.resize(rank + 1, 0);
      }
    }
    if (lengths_[rank] != 0) throw corrupt(line_number, "rank appears twice");
    offsets_[rank] = static_cast<std::uint32_t>(offset);
    lengths_[rank] = static_cast<std::uint32_t>(arena_.size() - offset);
  }
  build_table(file);
}

void Ranks::build_table(const std::filesystem::path& file) {
  std::size_t count = 0;
  for (const std::uint32_t length : lengths_) count += length != 0;
  const std::size_t capacity = std::bit_ceil(std::max<std::size_t>(16, count * 2));
  slots_.assign(capacity, Slot{0, 0, 0});
  mask_ = capacity - 1;
  byte_ranks_.fill(kNoRank);
  pair_ranks_.assign(1 << 16, kNoRank);
  const auto duplicate = [&file](std::uint32_t rank) {
    return TokenizerError("rank file " + file.string() + " lists a token twice (rank " +
                          std::to_string(rank) + ")");
  };
  for (std::uint32_t rank = 0; rank < lengths_.size(); ++rank) {
    const std::size_t n = lengths_[rank];
    if (n == 0) continue;
    const char* p = arena_.data() + offsets_[rank];
    if (n <= 2) {
      std::uint32_t& slot = n == 1 ? byte_ranks_[static_cast<unsigned char>(p[0])]
                                   : pair_ranks_[static_cast<unsigned char>(p[0]) |
                                                 (static_cast<unsigned char>(p[1]) << 8)];
      if (slot != kNoRank) throw duplicate(rank);
      slot = rank;
      continue;
    }
    if (find(p, n) != kNoRank) throw duplicate(rank);
    const std::uint64_t head = load_head(p, n);
    std::size_t i = hash_key(p, n, head) & mask_;
    while (slots_[i].length != 0) i = (i + 1) & mask_;
    slots_[i] = Slot{head, rank, static_cast<std::uint32_t>(n)};
  }
  for (int byte = 0; byte < 256; ++byte) {
    // Every byte must be a token, or some text could not be encoded at all.
    if (byte_ranks_[byte] == kNoRank) {
      throw TokenizerError("rank file " + file.string() + " has no token for byte " +
                           std::to_string(byte));
    }
  }
}

}  // namespace tb::token_detail
