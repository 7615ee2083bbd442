// tiktoken-compatible byte-pair encoding (cl100k_base, o200k_base).
//
// Token ids equal those of OpenAI's tiktoken, so prompt lengths and costs computed here match
// what the API bills. The rank files are the standard `.tiktoken` files, verified by sha256.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace tb {

enum class EncodingName { cl100k_base, o200k_base };

// "cl100k_base" / "o200k_base"; anything else is std::nullopt.
std::optional<EncodingName> parse_encoding_name(std::string_view name);
std::string_view to_string(EncodingName name);

// The encoding OpenAI uses for `model` (fine-tuned "ft:BASE:org::id" maps as BASE does);
// std::nullopt for models this module does not know.
std::optional<EncodingName> encoding_for_model(std::string_view model);

// What to do with text that spells a special token such as "<|endoftext|>".
enum class SpecialTokens {
  disallow,  // throw TokenizerError naming the token and its byte offset (tiktoken's default)
  allow,     // encode it as the special token's id
  as_text,   // encode it as ordinary text
};

class TokenizerError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Encoding {
 public:
  // Loads the encoding's rank file, searching in order: vocab_dir (if not empty),
  // $TIKTOKEN_CACHE_DIR, $XDG_DATA_HOME/tunebench/vocab (else ~/.local/share/tunebench/vocab),
  // PREFIX/share/tunebench/vocab beside the binary, $TUNEBENCH_DATA_DIR/vocab,
  // /usr/local/share/tunebench/vocab. Loaded encodings are cached process-wide (thread-safe),
  // keyed by the file used. Throws TokenizerError when the file is missing or corrupt.
  static std::shared_ptr<const Encoding> load(EncodingName name,
                                              const std::filesystem::path& vocab_dir = {});

  // Input must be valid UTF-8 (TokenizerError with the byte offset otherwise).
  // Thread-safe: an Encoding is immutable once loaded.
  std::vector<std::uint32_t> encode(std::string_view utf8,
                                    SpecialTokens special = SpecialTokens::disallow) const;
  // Same count as encode(...).size(), without building the vector.
  std::size_t count(std::string_view utf8, SpecialTokens special = SpecialTokens::disallow) const;

  // Concatenated bytes of the tokens; may be invalid UTF-8 if ids split a character.
  // Throws TokenizerError for an id that is not in the encoding.
  std::string decode(std::span<const std::uint32_t> ids) const;

  EncodingName name() const;
  // One past the largest token id, special tokens included.
  std::uint32_t n_vocab() const;
  std::optional<std::uint32_t> special_token_id(std::string_view text) const;

  // Opaque state, defined in encoding.cpp so PCRE2 stays out of this header.
  class Impl;

 private:
  // Passkey: only load() can construct, yet std::make_shared still works.
  struct PrivateKey {
    explicit PrivateKey() = default;
  };

 public:
  Encoding(PrivateKey, std::unique_ptr<const Impl> impl);
  ~Encoding();
  Encoding(const Encoding&) = delete;
  Encoding& operator=(const Encoding&) = delete;

 private:
  std::unique_ptr<const Impl> impl_;
};

}  // namespace tb
