#pragma once
// Finding, reading and checking an encoding's rank file (the standard .tiktoken file, pinned by
// sha256). Internal to the tokenizer (token/); OpenSSL stays in rank_file.cpp.
#include <filesystem>
#include <string>
#include <string_view>

#include "token/encoding_spec.hpp"

namespace tb::token_detail {

// The first of the search path (see Encoding::load) holding the spec's file; throws
// TokenizerError naming the folders looked in.
std::filesystem::path find_rank_file(const EncodingSpec& spec,
                                     const std::filesystem::path& explicit_dir);

// The whole file; throws TokenizerError when it cannot be read.
std::string read_rank_file(const std::filesystem::path& file, const EncodingSpec& spec);

// Lowercase hex.
std::string sha256_hex(std::string_view data);

// What to do when the rank file is missing or corrupt, for error messages.
std::string setup_hint(const EncodingSpec& spec);

}  // namespace tb::token_detail
