#pragma once
// What defines each encoding tiktoken knows: its rank file and that file's sha256, its
// pre-tokenizer pattern and its special tokens. Internal to the tokenizer (token/).
#include <cstdint>
#include <span>
#include <string_view>

#include "token/encoding.hpp"

namespace tb::token_detail {

struct SpecialToken {
  std::string_view text;
  std::uint32_t id;
};

struct EncodingSpec {
  EncodingName name;
  std::string_view file_name;
  std::string_view sha256;   // what tiktoken itself pins for the file
  std::string_view pattern;  // a template: see expand_pattern (unicode_divergence.hpp)
  std::span<const SpecialToken> specials;
};

const EncodingSpec& spec_for(EncodingName name);

}  // namespace tb::token_detail
