#pragma once
// Internal to common/secrets: where a secret occurs in a text, in the forms a server may echo it.
#include <cstddef>
#include <string_view>
#include <utility>
#include <vector>

namespace tb {

// Byte ranges [first, second) of `text` that spell `secret`: plainly, through JSON string
// escapes (\uXXXX with surrogate pairs, \/ and the other one-letter escapes, decoded up to two
// levels deep) or percent-encoding, and through the "content" strings of SSE chat chunks read
// one after the other (a secret split across events yields one range per piece). Sorted and
// merged: no two ranges overlap or touch.
std::vector<std::pair<std::size_t, std::size_t>> find_secret(std::string_view text,
                                                             std::string_view secret);

}  // namespace tb
