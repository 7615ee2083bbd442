#pragma once
// Finds the JSON value in a model's answer when the answer is not pure JSON: inside a ``` fence,
// wrapped in prose, or broken in a way a lenient reader would forgive.
#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/json_depth.hpp"

namespace tb {

struct JsonExtraction {
  bool found = false;   // a strictly valid JSON value was found inside the text
  bool whole = false;   // the whole trimmed output is that value (plain is-json)
  bool fenced = false;  // it sat inside a ``` fence
  std::size_t begin = 0, end = 0;  // byte range in the text: [begin, end)
  nlohmann::json value;
  // Not found strictly, but a lenient repair would recover one (trailing commas, single quotes,
  // unquoted keys, comments, control characters in strings, a truncated value closed by adding
  // the missing quotes/brackets). Reported, never counted as conformant. When set, begin/end,
  // fenced and value describe the repaired candidate (value is what the repair parsed to).
  bool repairable = false;
  std::string repair_note;  // e.g. "trailing comma", "truncated: closed 2 brackets"
};

// The first JSON value in the text, in this order: the whole trimmed text (any JSON value), the
// first object/array inside a ``` fence (a fence is the model saying "this is the answer", so it
// wins over a stray "[1]" in the prose before it), then the first object/array anywhere.
// A scalar counts only as the whole text. A value nested deeper than kMaxJsonDepth ends the
// search (not found). Linear time: a scan resumes where the previous one stopped, so each byte
// is read a bounded number of times whatever the input.
JsonExtraction extract_json(std::string_view text);

}  // namespace tb
