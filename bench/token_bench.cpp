// Throughput of tb::Encoding on one file, to set beside bench/token_peer.js:
//   token_bench FILE [cl100k_base|o200k_base] [VOCAB_DIR]
// Single thread; one warm-up pass on the first megabyte, then the median of 3 full passes.
// MB/s counts bytes of the file (1 MB = 10^6 bytes), as token_peer.js does.
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <exception>
#include <fstream>
#include <iterator>
#include <string>

#include "token/encoding.hpp"

namespace {

template <class Pass>
void measure(const char* label, const std::string& text, Pass&& pass) {
  pass(std::string_view(text).substr(0, 1 << 20));
  std::array<double, 3> seconds{};
  std::size_t tokens = 0;
  for (double& s : seconds) {
    const auto start = std::chrono::steady_clock::now();
    tokens = pass(text);
    s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  std::sort(seconds.begin(), seconds.end());
  std::printf("%-34s %8.2f MB/s  %zu tokens  (median %.3f s of 3)\n", label,
              static_cast<double>(text.size()) / 1e6 / seconds[1], tokens, seconds[1]);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argc > 4) {
    std::fprintf(stderr, "usage: %s FILE [cl100k_base|o200k_base] [VOCAB_DIR]\n", argv[0]);
    return 2;
  }
  const auto name = tb::parse_encoding_name(argc > 2 ? argv[2] : "cl100k_base");
  if (!name) {
    std::fprintf(stderr, "unknown encoding %s\n", argv[2]);
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "cannot read %s\n", argv[1]);
    return 1;
  }
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  try {
    const auto load_start = std::chrono::steady_clock::now();
    const auto enc = tb::Encoding::load(*name, argc > 3 ? argv[3] : "");
    const std::chrono::duration<double, std::milli> load_time =
        std::chrono::steady_clock::now() - load_start;
    std::printf("%s: %zu bytes, %s (rank file verified and loaded in %.0f ms)\n", argv[1],
                text.size(), std::string(tb::to_string(*name)).c_str(), load_time.count());
    measure("tunebench encode", text, [&](std::string_view t) { return enc->encode(t).size(); });
    measure("tunebench count", text, [&](std::string_view t) { return enc->count(t); });
  } catch (const std::exception& e) {
    std::fprintf(stderr, "token_bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
