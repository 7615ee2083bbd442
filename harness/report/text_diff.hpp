// A word diff of an answer against the reference answer, for the case grid (report/
// html_case_grid.hpp): what the answer left out of the reference and what it put in instead.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tb {

struct DiffPiece {
  enum class Op {
    same,
    removed,
    added
  };  // removed: only in the reference; added: only in the answer
  Op op = Op::same;
  std::string text;
};

// Splits both texts into words (letters, digits and any non-ASCII byte), runs of whitespace and
// single punctuation characters, and returns the shortest edit from `reference` to `answer`,
// adjacent pieces of one kind merged. std::nullopt when the two are too long to compare this way
// (the table the comparison needs would pass `max_cells` entries).
std::optional<std::vector<DiffPiece>> word_diff(std::string_view reference, std::string_view answer,
                                                std::size_t max_cells = 4'000'000);

// The diff as HTML: <del> for the reference's words the answer lacks, <ins> for the answer's own;
// every text escaped.
std::string diff_html(const std::vector<DiffPiece>& pieces);

}  // namespace tb
