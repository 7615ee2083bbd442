// Which reference answers a prompt holds: how the mock tells a rag prompt whose retrieved
// passages contain the answer from one whose passages are about something else.
#pragma once

#include <bitset>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace tb {

class MockGrounding {
 public:
  // The evidence of a reference answer is its longest string field (a JSON object's, e.g. a
  // definition), or the whole answer when it is not an object; at least kMinEvidence characters
  // once lowercased with whitespace runs made single spaces. Shorter answers cannot be told
  // apart in a prompt and are never grounded.
  static constexpr std::size_t kMinEvidence = 24;

  // Registers reference number `id`; returns false when it has no usable evidence.
  bool add(std::size_t id, std::string_view reference);

  struct Finding {
    bool grounded = false;  // the prompt holds `own`'s evidence
    std::optional<std::size_t>
        misled_by;  // else: the first other reference whose evidence it holds
  };
  // Looks for evidence in `context` (the prompt's text apart from the question itself).
  Finding find(std::string_view context, std::size_t own) const;

  static std::string normalize(std::string_view text);

 private:
  static std::uint64_t window_hash(std::string_view s);

  std::unordered_map<std::size_t, std::string> evidence_;  // id -> normalized evidence
  std::unordered_map<std::uint64_t, std::vector<std::size_t>>
      by_prefix_;  // hash of first kMinEvidence chars
  // One bit per prefix hash (its low 16 bits): most positions of a prompt are ruled out by a
  // bit test instead of a hash-table look-up, which keeps a long prompt's scan to microseconds.
  std::bitset<65536> maybe_prefix_;
};

}  // namespace tb
