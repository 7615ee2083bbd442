// Rank file discovery and loading.
#include "token/rank_file.hpp"

#include <openssl/evp.h>

#include <array>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <system_error>
#include <vector>

namespace tb::token_detail {

namespace fs = std::filesystem;

namespace {

std::vector<fs::path> vocab_search_path(const fs::path& explicit_dir) {
  std::vector<fs::path> dirs;
  if (!explicit_dir.empty()) dirs.push_back(explicit_dir);
  const auto env = [](const char* name) -> std::string_view {
    const char* value = std::getenv(name);
    return value == nullptr ? std::string_view{} : std::string_view(value);
  };
  if (const auto dir = env("TIKTOKEN_CACHE_DIR"); !dir.empty()) dirs.emplace_back(dir);
  if (const auto xdg = env("XDG_DATA_HOME"); !xdg.empty()) {
    dirs.push_back(fs::path(xdg) / "tunebench" / "vocab");
  } else if (const auto home = env("HOME"); !home.empty()) {
    dirs.push_back(fs::path(home) / ".local" / "share" / "tunebench" / "vocab");
  }
  // The data folder beside the binary (PREFIX/share/tunebench/vocab: a container image or a
  // package that ships the rank files), then $TUNEBENCH_DATA_DIR's. The same places as
  // common/data_dir.hpp, found here because the tokenizer depends on nothing else of tunebench.
  std::error_code ec;
  if (const auto exe = fs::read_symlink("/proc/self/exe", ec); !ec)
    dirs.push_back((exe.parent_path() / TUNEBENCH_RELATIVE_DATA_DIR / "vocab").lexically_normal());
  if (const auto data = env("TUNEBENCH_DATA_DIR"); !data.empty()) dirs.push_back(fs::path(data) / "vocab");
  dirs.emplace_back("/usr/local/share/tunebench/vocab");
  return dirs;
}

}  // namespace

std::string setup_hint(const EncodingSpec& spec) {
  return "run scripts/setup (or scripts/fetch_vocab.sh DIR), or set TIKTOKEN_CACHE_DIR to a "
         "folder holding " +
         std::string(spec.file_name);
}

fs::path find_rank_file(const EncodingSpec& spec, const fs::path& explicit_dir) {
  std::string looked;
  for (const fs::path& dir : vocab_search_path(explicit_dir)) {
    const fs::path file = dir / spec.file_name;
    std::error_code ec;
    if (fs::is_regular_file(file, ec)) return file;
    looked += looked.empty() ? "" : ", ";
    looked += dir.string();
  }
  throw TokenizerError("tiktoken rank file " + std::string(spec.file_name) +
                       " not found (looked in " + looked + "); " + setup_hint(spec));
}

std::string read_rank_file(const fs::path& file, const EncodingSpec& spec) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw TokenizerError("cannot open " + file.string() + "; " + setup_hint(spec));
  std::string content{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (in.bad()) throw TokenizerError("cannot read " + file.string() + "; " + setup_hint(spec));
  return content;
}

std::string sha256_hex(std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  if (EVP_Digest(data.data(), data.size(), digest.data(), &size, EVP_sha256(), nullptr) != 1) {
    throw TokenizerError("OpenSSL could not compute sha256");
  }
  static constexpr std::string_view kHex = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < size; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 15];
  }
  return hex;
}

}  // namespace tb::token_detail
