#pragma once
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tb {

std::string to_lower(std::string_view s);
// Lowercased (ASCII) with every run of whitespace one space and none at either end: how a fact
// is looked for in a text (the context-recall check, the mock's grounding).
std::string fold_text(std::string_view text);
std::string_view trim(std::string_view s);
bool starts_with_icase(std::string_view s, std::string_view prefix);
std::vector<std::string_view> split(std::string_view s, char sep);

// Edit distance in bytes; inputs here are short identifiers and answers.
std::size_t levenshtein(std::string_view a, std::string_view b);

// The closest candidate within a small edit distance, for "did you mean" hints.
std::optional<std::string> did_you_mean(std::string_view given,
                                        std::span<const std::string_view> candidates);

// "a, b or c" for messages listing what was expected.
std::string join_choices(std::span<const std::string_view> choices);

// One reference token of a JSON Pointer (RFC 6901): "~" becomes "~0", "/" becomes "~1".
std::string json_pointer_escape(std::string_view token);

// A JSON string literal (with quotes) for messages; keeps control characters visible.
std::string dquote(std::string_view s);

// Shortens long text for one-line messages and terminal tables.
std::string ellipsize(std::string_view s, std::size_t max_chars);

// Formats a number with a fixed count of decimals ("12.5"), and thousands ("1,234,567").
std::string fixed(double v, int decimals);
std::string with_thousands(long long v);
// A duration as given, with its unit: 0.3 -> "0.3 s", 30 -> "30 s", 2.125 -> "2.125 s"
// (up to millisecond precision, no trailing zeros), so a message never rounds 0.3 s to "0 s".
std::string format_seconds(double seconds);

}  // namespace tb
