#include "report/text_diff.hpp"

#include <cstdint>

#include "report/report_text.hpp"

namespace tb {
namespace {

bool word_byte(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
         c >= 0x80;
}
bool space_byte(unsigned char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

std::vector<std::string_view> tokens(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t j = i + 1;
    if (word_byte(c))
      while (j < s.size() && word_byte(static_cast<unsigned char>(s[j]))) ++j;
    else if (space_byte(c))
      while (j < s.size() && space_byte(static_cast<unsigned char>(s[j]))) ++j;
    out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

void push(std::vector<DiffPiece>& out, DiffPiece::Op op, std::string_view text) {
  if (!out.empty() && out.back().op == op)
    out.back().text += text;
  else
    out.push_back({op, std::string(text)});
}

}  // namespace

std::optional<std::vector<DiffPiece>> word_diff(std::string_view reference, std::string_view answer,
                                                std::size_t max_cells) {
  const auto a = tokens(reference), b = tokens(answer);
  // The common head and tail need no table: most answers differ in a few places.
  std::size_t head = 0;
  while (head < a.size() && head < b.size() && a[head] == b[head]) ++head;
  std::size_t tail = 0;
  while (tail < a.size() - head && tail < b.size() - head &&
         a[a.size() - 1 - tail] == b[b.size() - 1 - tail])
    ++tail;
  const std::size_t n = a.size() - head - tail, m = b.size() - head - tail;
  if ((n + 1) * (m + 1) > max_cells) return std::nullopt;

  std::vector<DiffPiece> out;
  for (std::size_t i = 0; i < head; ++i) push(out, DiffPiece::Op::same, a[i]);
  // Longest common subsequence of the middles: lcs[i][j] over a[head+i..], b[head+j..].
  std::vector<std::uint32_t> lcs((n + 1) * (m + 1), 0);
  const auto at = [&](std::size_t i, std::size_t j) -> std::uint32_t& {
    return lcs[i * (m + 1) + j];
  };
  for (std::size_t i = n; i-- > 0;)
    for (std::size_t j = m; j-- > 0;)
      at(i, j) =
          a[head + i] == b[head + j] ? at(i + 1, j + 1) + 1 : std::max(at(i + 1, j), at(i, j + 1));
  std::size_t i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[head + i] == b[head + j]) {
      push(out, DiffPiece::Op::same, a[head + i]);
      ++i;
      ++j;
    } else if (i < n && (j == m || at(i + 1, j) >= at(i, j + 1))) {
      // On a tie the reference's word goes first: "<del>old</del><ins>new</ins>".
      push(out, DiffPiece::Op::removed, a[head + i++]);
    } else {
      push(out, DiffPiece::Op::added, b[head + j++]);
    }
  }
  for (std::size_t k = a.size() - tail; k < a.size(); ++k) push(out, DiffPiece::Op::same, a[k]);
  return out;
}

std::string diff_html(const std::vector<DiffPiece>& pieces) {
  std::string html;
  for (const auto& p : pieces) {
    switch (p.op) {
      case DiffPiece::Op::same:
        html += html_text_escape(p.text);
        break;
      case DiffPiece::Op::removed:
        html += "<del>" + html_text_escape(p.text) + "</del>";
        break;
      case DiffPiece::Op::added:
        html += "<ins>" + html_text_escape(p.text) + "</ins>";
        break;
    }
  }
  return html;
}

}  // namespace tb
