// Finding and checking rank files (token/rank_file.cpp): the errors say what to do.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include "token/encoding.hpp"

namespace fs = std::filesystem;

TEST_CASE("rank files that are missing or corrupt give an actionable error", "[token]") {
  const fs::path tmp =
      fs::temp_directory_path() / ("tunebench_token_test_" + std::to_string(::getpid()));
  fs::remove_all(tmp);
  fs::create_directories(tmp / "corrupt");
  {
    // Right name, wrong content: found first in the search order, so it must be refused.
    std::ofstream(tmp / "corrupt" / "cl100k_base.tiktoken") << "IQ== 0\n";
  }
  CHECK_THROWS_WITH(tb::Encoding::load(tb::EncodingName::cl100k_base, tmp / "corrupt"),
                    Catch::Contains("corrupt") && Catch::Contains("sha256") &&
                        Catch::Contains("TIKTOKEN_CACHE_DIR"));

  // Point every other search location at empty folders too.
  struct EnvGuard {
    std::string name;
    std::optional<std::string> saved;
    EnvGuard(std::string n, const std::string& value) : name(std::move(n)) {
      if (const char* old = std::getenv(name.c_str())) saved = old;
      ::setenv(name.c_str(), value.c_str(), 1);
    }
    ~EnvGuard() {
      if (saved) {
        ::setenv(name.c_str(), saved->c_str(), 1);
      } else {
        ::unsetenv(name.c_str());
      }
    }
  };
  {
    const EnvGuard cache("TIKTOKEN_CACHE_DIR", (tmp / "empty").string());
    const EnvGuard xdg("XDG_DATA_HOME", (tmp / "empty").string());
    if (fs::exists("/usr/local/share/tunebench/vocab/o200k_base.tiktoken")) {
      WARN("o200k_base is installed system-wide; the not-found message is not exercised");
    } else {
      CHECK_THROWS_WITH(tb::Encoding::load(tb::EncodingName::o200k_base, tmp / "missing"),
                        Catch::Contains("o200k_base.tiktoken") && Catch::Contains("not found") &&
                            Catch::Contains("scripts/setup") &&
                            Catch::Contains("TIKTOKEN_CACHE_DIR"));
    }
  }
  fs::remove_all(tmp);
}
