// The encoder: pre-tokenizer, rank table, byte-pair merge and memo put together behind
// Encoding (token/encoding.hpp), and the process-wide cache of loaded encodings.
#include "token/encoding.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <mutex>
#include <utility>

#include "token/byte_pair_merge.hpp"
#include "token/encoding_spec.hpp"
#include "token/merge_cache.hpp"
#include "token/pretokenizer.hpp"
#include "token/rank_file.hpp"
#include "token/rank_table.hpp"
#include "token/unicode_divergence.hpp"

namespace tb {

namespace fs = std::filesystem;
using token_detail::byte_pair_merge;
using token_detail::EncodingSpec;
using token_detail::expand_pattern;
using token_detail::find_rank_file;
using token_detail::hash_key;
using token_detail::kNoRank;
using token_detail::load_head;
using token_detail::MergeCache;
using token_detail::PreTokenizer;
using token_detail::Ranks;
using token_detail::read_rank_file;
using token_detail::safe_cut_after;
using token_detail::safe_cut_before;
using token_detail::scan_utf8;
using token_detail::setup_hint;
using token_detail::sha256_hex;
using token_detail::spec_for;
using token_detail::SpecialToken;
using token_detail::Utf8Scan;

class Encoding::Impl {
 public:
  Impl(const EncodingSpec& spec, std::string_view content, const fs::path& file)
      : spec_(spec),
        fast_(expand_pattern(spec.pattern, /*exact=*/false)),
        exact_(expand_pattern(spec.pattern, /*exact=*/true)) {
    ranks_.parse(content, file);
    n_vocab_ = ranks_.size();
    for (const SpecialToken& special : spec_.specials) {
      n_vocab_ = std::max(n_vocab_, special.id + 1);
    }
  }

  // Sink is called with each token id in order.
  template <class Sink>
  void encode(std::string_view text, SpecialTokens mode, Sink& sink) const {
    const Utf8Scan scan = scan_utf8(text, 0, /*stop_at_divergent=*/false);
    if (scan.invalid_at != std::string_view::npos) {
      throw TokenizerError("invalid UTF-8 at byte offset " + std::to_string(scan.invalid_at));
    }
    switch (mode) {
      case SpecialTokens::as_text:
        encode_ordinary(text, scan.first_divergent, sink);
        return;
      case SpecialTokens::disallow:
        if (const auto hit = find_special(text, 0)) {
          throw TokenizerError("text contains the special token " + std::string(hit->second->text) +
                               " at byte offset " + std::to_string(hit->first) +
                               "; use SpecialTokens::allow to encode it as a special token or "
                               "SpecialTokens::as_text to encode it as plain text");
        }
        encode_ordinary(text, scan.first_divergent, sink);
        return;
      case SpecialTokens::allow: {
        const auto divergent_in = [&](std::string_view segment) {
          return scan.first_divergent == std::string_view::npos
                     ? std::string_view::npos
                     : scan_utf8(segment, 0, /*stop_at_divergent=*/true).first_divergent;
        };
        std::size_t pos = 0;
        while (const auto hit = find_special(text, pos)) {
          // Text on either side of a special token is split on its own, as in tiktoken.
          const std::string_view before = text.substr(pos, hit->first - pos);
          encode_ordinary(before, divergent_in(before), sink);
          sink(hit->second->id);
          pos = hit->first + hit->second->text.size();
        }
        const std::string_view rest = text.substr(pos);
        encode_ordinary(rest, divergent_in(rest), sink);
        return;
      }
    }
  }

  std::string decode(std::span<const std::uint32_t> ids) const {
    std::string out;
    out.reserve(ids.size() * 4);
    for (const std::uint32_t id : ids) {
      if (const std::string_view token = ranks_.token(id); !token.empty()) {
        out += token;
        continue;
      }
      const auto special = std::find_if(spec_.specials.begin(), spec_.specials.end(),
                                        [id](const SpecialToken& s) { return s.id == id; });
      if (special == spec_.specials.end()) {
        throw TokenizerError("token id " + std::to_string(id) + " is not in " +
                             std::string(to_string(spec_.name)));
      }
      out += special->text;
    }
    return out;
  }

  std::optional<std::uint32_t> special_token_id(std::string_view text) const {
    for (const SpecialToken& special : spec_.specials) {
      if (special.text == text) return special.id;
    }
    return std::nullopt;
  }

  EncodingName name() const { return spec_.name; }
  std::uint32_t n_vocab() const { return n_vocab_; }

 private:
  // first_divergent: where the first code point needing the exact pattern is, if any.
  template <class Sink>
  void encode_ordinary(std::string_view text, std::size_t first_divergent, Sink& sink) const {
    MergeCache& cache = MergeCache::for_thread(spec_.name);
    const auto on_piece = [&](std::string_view piece) {
      // Most pieces are whole tokens: one probe, no merging.
      if (const std::uint32_t rank = ranks_.find(piece.data(), piece.size()); rank != kNoRank) {
        sink(rank);
        return;
      }
      if (piece.size() > MergeCache::kMaxPiece) {
        byte_pair_merge(ranks_, piece, sink);
        return;
      }
      const std::uint64_t hash =
          hash_key(piece.data(), piece.size(), load_head(piece.data(), piece.size()));
      if (cache.emit(piece, hash, sink)) return;
      std::array<std::uint32_t, MergeCache::kMaxPiece> tokens;  // n bytes make <= n tokens
      std::size_t count = 0;
      auto collect = [&](std::uint32_t id) { tokens[count++] = id; };
      byte_pair_merge(ranks_, piece, collect);
      for (std::size_t i = 0; i < count; ++i) sink(tokens[i]);
      cache.store(piece, hash, std::span(tokens.data(), count));
    };
    std::size_t pos = 0;
    for (std::size_t divergent = first_divergent; divergent != std::string_view::npos;
         divergent = scan_utf8(text, pos, /*stop_at_divergent=*/true).first_divergent) {
      const std::size_t begin = safe_cut_before(text, pos, divergent);
      const std::size_t end = safe_cut_after(text, divergent);
      fast_.split(text.substr(pos, begin - pos), on_piece);
      exact_.split(text.substr(begin, end - begin), on_piece);
      pos = end;
    }
    fast_.split(text.substr(pos), on_piece);
  }

  // Leftmost special token at or after `from`.
  std::optional<std::pair<std::size_t, const SpecialToken*>> find_special(std::string_view text,
                                                                          std::size_t from) const {
    for (std::size_t pos = text.find("<|", from); pos != std::string_view::npos;
         pos = text.find("<|", pos + 1)) {
      const std::string_view rest = text.substr(pos);
      for (const SpecialToken& special : spec_.specials) {
        if (rest.starts_with(special.text)) return std::pair{pos, &special};
      }
    }
    return std::nullopt;
  }

  const EncodingSpec& spec_;
  PreTokenizer fast_;   // tiktoken's pattern as written
  PreTokenizer exact_;  // for text around code points where PCRE2's classes differ
  Ranks ranks_;
  std::uint32_t n_vocab_ = 0;
};

Encoding::Encoding(PrivateKey, std::unique_ptr<const Impl> impl) : impl_(std::move(impl)) {}
Encoding::~Encoding() = default;

std::shared_ptr<const Encoding> Encoding::load(EncodingName name, const fs::path& vocab_dir) {
  const EncodingSpec& spec = spec_for(name);
  const fs::path file = find_rank_file(spec, vocab_dir);
  std::error_code ec;
  fs::path key = fs::weakly_canonical(file, ec);
  if (ec) key = file;

  // Loading happens under the lock: it takes tens of milliseconds, once per file per process,
  // and concurrent first calls should share one load rather than race to do it twice.
  static std::mutex mutex;
  static std::map<fs::path, std::shared_ptr<const Encoding>> cache;
  const std::lock_guard lock(mutex);
  if (const auto it = cache.find(key); it != cache.end()) return it->second;

  const std::string content = read_rank_file(file, spec);
  if (const std::string sum = sha256_hex(content); sum != spec.sha256) {
    throw TokenizerError(file.string() + " is corrupt or not " + std::string(to_string(name)) +
                         " (sha256 " + sum + ", expected " + std::string(spec.sha256) + "); " +
                         setup_hint(spec));
  }
  auto encoding = std::make_shared<const Encoding>(
      PrivateKey{}, std::make_unique<const Impl>(spec, content, file));
  cache.emplace(key, encoding);
  return encoding;
}

std::vector<std::uint32_t> Encoding::encode(std::string_view utf8, SpecialTokens special) const {
  std::vector<std::uint32_t> ids;
  // Typical text averages three to four bytes per token; one reservation avoids most regrowth.
  ids.reserve(utf8.size() / 3 + 8);
  auto push = [&ids](std::uint32_t id) { ids.push_back(id); };
  impl_->encode(utf8, special, push);
  return ids;
}

std::size_t Encoding::count(std::string_view utf8, SpecialTokens special) const {
  std::size_t n = 0;
  auto add = [&n](std::uint32_t) { ++n; };
  impl_->encode(utf8, special, add);
  return n;
}

std::string Encoding::decode(std::span<const std::uint32_t> ids) const {
  return impl_->decode(ids);
}

EncodingName Encoding::name() const {
  return impl_->name();
}

std::uint32_t Encoding::n_vocab() const {
  return impl_->n_vocab();
}

std::optional<std::uint32_t> Encoding::special_token_id(std::string_view text) const {
  return impl_->special_token_id(text);
}

}  // namespace tb
