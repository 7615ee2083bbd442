#include "common/secrets_match.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>

namespace tb {
namespace {

using Range = std::pair<std::size_t, std::size_t>;

// A text as a matcher sees it after decoding: byte i of `text` came from the original's bytes
// [from[i], to[i]). 32-bit offsets: an answer is capped far below 4 GiB.
struct View {
  std::string text;
  std::vector<std::uint32_t> from, to;

  void push(char c, std::size_t f, std::size_t t) {
    text.push_back(c);
    from.push_back(static_cast<std::uint32_t>(f));
    to.push_back(static_cast<std::uint32_t>(t));
  }
};

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The code unit of "\uXXXX" at s[i] (s[i] == '\\'), or -1.
long unicode_escape(std::string_view s, std::size_t i) {
  if (i + 6 > s.size() || s[i] != '\\' || s[i + 1] != 'u') return -1;
  long v = 0;
  for (std::size_t k = i + 2; k < i + 6; ++k) {
    const int h = hex_value(s[k]);
    if (h < 0) return -1;
    v = v * 16 + h;
  }
  return v;
}

void append_utf8(std::string& out, unsigned long cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// One escape at s[i] (a backslash or '%'): the bytes it stands for and its length, or 0 when it
// is not an escape. JSON's escapes and percent-encoding are decoded alike: only for matching.
std::size_t decode_escape(std::string_view s, std::size_t i, std::string& bytes) {
  bytes.clear();
  if (s[i] == '%') {
    if (i + 3 > s.size()) return 0;
    const int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
    if (hi < 0 || lo < 0) return 0;
    bytes.push_back(static_cast<char>(hi * 16 + lo));
    return 3;
  }
  if (i + 1 >= s.size()) return 0;
  static constexpr std::array<std::pair<char, char>, 8> kSimple = {{{'"', '"'},
                                                                    {'\\', '\\'},
                                                                    {'/', '/'},
                                                                    {'b', '\b'},
                                                                    {'f', '\f'},
                                                                    {'n', '\n'},
                                                                    {'r', '\r'},
                                                                    {'t', '\t'}}};
  for (const auto& [letter, value] : kSimple) {
    if (s[i + 1] == letter) {
      bytes.push_back(value);
      return 2;
    }
  }
  const long unit = unicode_escape(s, i);
  if (unit < 0) return 0;
  if (unit >= 0xD800 && unit < 0xDC00) {  // a high surrogate: its pair follows
    const long low = unicode_escape(s, i + 6);
    if (low >= 0xDC00 && low < 0xE000) {
      append_utf8(bytes, 0x10000 + ((static_cast<unsigned long>(unit) - 0xD800) << 10) +
                             (static_cast<unsigned long>(low) - 0xDC00));
      return 12;
    }
  }
  append_utf8(bytes, static_cast<unsigned long>(unit));
  return 6;
}

// Whether decoding `s` can change what it spells (a unicode or slash escape, or percent-coding),
// or, for a secret holding a quote or a backslash, any escape at all.
bool worth_decoding(std::string_view s, std::string_view secret) {
  if (secret.find_first_of("\"\\") != std::string_view::npos)
    return s.find_first_of("\\%") != std::string_view::npos;
  for (std::size_t i = s.find_first_of("\\%"); i != std::string_view::npos;
       i = s.find_first_of("\\%", i + 1)) {
    if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0)
      return true;
    if (s[i] == '\\' && i + 1 < s.size() && (s[i + 1] == 'u' || s[i + 1] == '/')) return true;
  }
  return false;
}

// `s` with one level of escapes decoded; `base` maps s's bytes to the original (null: identity).
View decode(std::string_view s, const View* base) {
  View out;
  out.text.reserve(s.size());
  out.from.reserve(s.size());
  out.to.reserve(s.size());
  const auto origin_from = [&](std::size_t i) { return base ? base->from[i] : i; };
  const auto origin_to = [&](std::size_t i) { return base ? base->to[i] : i + 1; };
  std::string bytes;
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t n = (s[i] == '\\' || s[i] == '%') ? decode_escape(s, i, bytes) : 0;
    if (n == 0) {
      out.push(s[i], origin_from(i), origin_to(i));
      ++i;
      continue;
    }
    for (const char c : bytes) out.push(c, origin_from(i), origin_to(i + n - 1));
    i += n;
  }
  return out;
}

// The values of every "key": "..." string in `s`, one after the other, decoded: the content
// deltas of an SSE chat stream read as the answer they assemble into.
View string_values(std::string_view s, std::string_view key) {
  View out;
  const std::string needle = "\"" + std::string(key) + "\"";
  std::string bytes;
  for (std::size_t at = s.find(needle); at != std::string_view::npos; at = s.find(needle, at + 1)) {
    std::size_t i = at + needle.size();
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    if (i >= s.size() || s[i] != ':') continue;
    ++i;
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    if (i >= s.size() || s[i] != '"') continue;
    for (++i; i < s.size() && s[i] != '"';) {
      const std::size_t n = s[i] == '\\' ? decode_escape(s, i, bytes) : 0;
      if (n == 0) {
        out.push(s[i], i, i + 1);
        ++i;
        continue;
      }
      for (const char c : bytes) out.push(c, i, i + n);
      i += n;
    }
  }
  return out;
}

// The original ranges behind every occurrence of `secret` in a view: one range per stretch of
// the occurrence whose sources touch.
void match(const View& view, std::string_view secret, std::vector<Range>& ranges) {
  const std::string_view text(view.text);
  for (auto at = text.find(secret); at != std::string_view::npos; at = text.find(secret, at + 1)) {
    std::size_t first = view.from[at], last = view.to[at];
    for (std::size_t k = at + 1; k < at + secret.size(); ++k) {
      if (view.from[k] > last) {
        ranges.emplace_back(first, last);
        first = view.from[k];
      }
      last = std::max<std::size_t>(last, view.to[k]);
    }
    ranges.emplace_back(first, last);
  }
}

void match_decoded(const View& view, std::string_view secret, std::vector<Range>& ranges) {
  match(view, secret, ranges);
  if (worth_decoding(view.text, secret)) match(decode(view.text, &view), secret, ranges);
}

}  // namespace

std::vector<Range> find_secret(std::string_view text, std::string_view secret) {
  std::vector<Range> ranges;
  if (secret.empty()) return ranges;
  for (auto at = text.find(secret); at != std::string_view::npos; at = text.find(secret, at + 1))
    ranges.emplace_back(at, at + secret.size());
  if (worth_decoding(text, secret)) match_decoded(decode(text, nullptr), secret, ranges);
  if (text.find("data:") != std::string_view::npos) {
    for (const std::string_view key : {"content", "refusal", "reasoning_content", "arguments"})
      if (text.find(key) != std::string_view::npos)
        match_decoded(string_values(text, key), secret, ranges);
  }
  std::sort(ranges.begin(), ranges.end());
  std::vector<Range> merged;
  for (const auto& r : ranges) {
    if (!merged.empty() && r.first <= merged.back().second)
      merged.back().second = std::max(merged.back().second, r.second);
    else
      merged.push_back(r);
  }
  return merged;
}

}  // namespace tb
