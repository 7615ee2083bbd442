// The encodings: their names, the models that use them, their rank files, patterns and special
// tokens.
#include "token/encoding_spec.hpp"

#include <algorithm>
#include <array>
#include <optional>

namespace tb {
namespace token_detail {
namespace {

// tiktoken's patterns, with \s written [{S}], \S [^{S}] and \p{X} [{X}].
constexpr std::string_view kCl100kPattern =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n{L,N}]?[{L}]+|[{N}]{1,3}| ?[^{S,L,N}]+[\r\n]*)"
    R"(|[{S}]*[\r\n]+|[{S}]+(?![^{S}])|[{S}]+)";
constexpr std::string_view kO200kPattern =
    R"([^\r\n{L,N}]?[{Lu,Lt,Lm,Lo,M}]*[{Ll,Lm,Lo,M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?)"
    R"(|[^\r\n{L,N}]?[{Lu,Lt,Lm,Lo,M}]+[{Ll,Lm,Lo,M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?)"
    R"(|[{N}]{1,3}| ?[^{S,L,N}]+[\r\n/]*|[{S}]*[\r\n]+|[{S}]+(?![^{S}])|[{S}]+)";

constexpr std::array<SpecialToken, 5> kCl100kSpecials{{
    {"<|endoftext|>", 100257},
    {"<|fim_prefix|>", 100258},
    {"<|fim_middle|>", 100259},
    {"<|fim_suffix|>", 100260},
    {"<|endofprompt|>", 100276},
}};
constexpr std::array<SpecialToken, 2> kO200kSpecials{{
    {"<|endoftext|>", 199999},
    {"<|endofprompt|>", 200018},
}};

}  // namespace

const EncodingSpec& spec_for(EncodingName name) {
  static const EncodingSpec kCl100k{
      EncodingName::cl100k_base, "cl100k_base.tiktoken",
      "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7", kCl100kPattern,
      kCl100kSpecials};
  static const EncodingSpec kO200k{
      EncodingName::o200k_base, "o200k_base.tiktoken",
      "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d", kO200kPattern,
      kO200kSpecials};
  return name == EncodingName::cl100k_base ? kCl100k : kO200k;
}

}  // namespace token_detail

namespace {

std::optional<std::string_view> strip_prefix(std::string_view text, std::string_view prefix) {
  if (!text.starts_with(prefix)) return std::nullopt;
  return text.substr(prefix.size());
}

}  // namespace

std::optional<EncodingName> parse_encoding_name(std::string_view name) {
  if (name == "cl100k_base") return EncodingName::cl100k_base;
  if (name == "o200k_base") return EncodingName::o200k_base;
  return std::nullopt;
}

std::string_view to_string(EncodingName name) {
  return name == EncodingName::cl100k_base ? "cl100k_base" : "o200k_base";
}

std::optional<EncodingName> encoding_for_model(std::string_view model) {
  // Fine-tuned models ("ft:gpt-4o-mini-2024-07-18:org::id") keep their base model's encoding.
  if (const auto rest = strip_prefix(model, "ft:")) {
    const std::string_view base = rest->substr(0, rest->find(':'));
    return base.empty() ? std::nullopt : encoding_for_model(base);
  }
  // Order matters: "gpt-4o" and "gpt-4.1" must be decided before the "gpt-4" family.
  // gpt-4.5, chatgpt-4o and gpt-35-turbo (Azure's spelling) follow tiktoken's own table.
  static constexpr std::array<std::string_view, 8> kO200kPrefixes{
      "gpt-4o", "gpt-4.1", "gpt-4.5", "gpt-5", "o1", "o3", "o4", "chatgpt-4o"};
  static constexpr std::array<std::string_view, 4> kCl100kPrefixes{
      "gpt-4-", "gpt-3.5-turbo", "gpt-35-turbo", "text-embedding-3-"};
  const auto has_prefix = [model](std::string_view prefix) { return model.starts_with(prefix); };
  if (std::any_of(kO200kPrefixes.begin(), kO200kPrefixes.end(), has_prefix)) {
    return EncodingName::o200k_base;
  }
  if (model == "gpt-4" || model == "text-embedding-ada-002" ||
      std::any_of(kCl100kPrefixes.begin(), kCl100kPrefixes.end(), has_prefix)) {
    return EncodingName::cl100k_base;
  }
  return std::nullopt;
}

}  // namespace tb
