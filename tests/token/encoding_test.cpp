#include "token/encoding.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace fs = std::filesystem;

namespace {

// The rank files are not in the repository (5 MB, fetched by scripts/fetch_vocab.sh).
// TIKTOKEN_CACHE_DIR wins, else the directory the build configured.
fs::path test_vocab_dir() {
  if (const char* env = std::getenv("TIKTOKEN_CACHE_DIR"); env != nullptr && *env != '\0') {
    return env;
  }
#ifdef TUNEBENCH_VOCAB_DIR
  return TUNEBENCH_VOCAB_DIR;
#else
  return {};
#endif
}

fs::path test_data_dir() {
#ifdef TUNEBENCH_TOKEN_TEST_DATA_DIR
  return TUNEBENCH_TOKEN_TEST_DATA_DIR;
#else
  return fs::path(__FILE__).parent_path() / "data";
#endif
}

// A missing vocabulary fails the test: silently skipping would let CI pass without ever
// checking a single token id.
std::shared_ptr<const tb::Encoding> load_or_fail(tb::EncodingName name) {
  const fs::path dir = test_vocab_dir();
  const fs::path file = dir / (std::string(tb::to_string(name)) + ".tiktoken");
  if (dir.empty() || !fs::is_regular_file(file)) {
    FAIL("rank file " << file << " is missing: run scripts/fetch_vocab.sh DIR and set "
                      << "TIKTOKEN_CACHE_DIR=DIR (or configure TUNEBENCH_VOCAB_DIR)");
  }
  try {
    return tb::Encoding::load(name, dir);
  } catch (const tb::TokenizerError& e) {
    FAIL("loading " << tb::to_string(name) << " failed: " << e.what());
  }
  return nullptr;
}

std::string read_text(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) FAIL("cannot read test data " << file);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

const nlohmann::json& reference(tb::EncodingName name) {
  static const nlohmann::json cl100k =
      nlohmann::json::parse(read_text(test_data_dir() / "sample.cl100k.json"));
  static const nlohmann::json o200k =
      nlohmann::json::parse(read_text(test_data_dir() / "sample.o200k.json"));
  return name == tb::EncodingName::cl100k_base ? cl100k : o200k;
}

const std::string& sample() {
  static const std::string text = read_text(test_data_dir() / "sample.txt");
  return text;
}

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  for (;;) {
    const std::size_t eol = text.find('\n');
    lines.push_back(text.substr(0, eol));
    if (eol == std::string_view::npos) return lines;
    text.remove_prefix(eol + 1);
  }
}

// Describes the first difference, with the pieces around it decoded, so a failure says
// which text tokenized differently rather than just "vectors differ".
std::string first_difference(const tb::Encoding& enc, const std::vector<std::uint32_t>& got,
                             const std::vector<std::uint32_t>& want) {
  std::size_t i = 0;
  while (i < got.size() && i < want.size() && got[i] == want[i]) ++i;
  if (i == got.size() && i == want.size()) return "identical";
  const auto show = [&enc, i](const std::vector<std::uint32_t>& ids) {
    std::ostringstream out;
    const std::size_t from = i >= 3 ? i - 3 : 0;
    for (std::size_t k = from; k < std::min(ids.size(), i + 4); ++k) {
      const std::uint32_t id = ids[k];
      out << (k == i ? " >>" : " ") << id << ":"
          << nlohmann::json(enc.decode({&id, 1}))
                 .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    }
    return out.str();
  };
  return "first difference at token " + std::to_string(i) + " (got " + std::to_string(got.size()) +
         " tokens, want " + std::to_string(want.size()) + ")\n  got: " + show(got) +
         "\n want: " + show(want);
}

const tb::EncodingName kBoth[] = {tb::EncodingName::cl100k_base, tb::EncodingName::o200k_base};

}  // namespace

TEST_CASE("token ids equal tiktoken's on the mixed sample", "[token]") {
  for (const tb::EncodingName name : kBoth) {
    DYNAMIC_SECTION(tb::to_string(name)) {
      const auto enc = load_or_fail(name);
      const nlohmann::json& ref = reference(name);
      REQUIRE(ref.at("encoding") == tb::to_string(name));
      REQUIRE(ref.at("sample_bytes").get<std::size_t>() == sample().size());

      {
        const auto want = ref.at("whole").get<std::vector<std::uint32_t>>();
        const auto got = enc->encode(sample());
        INFO(first_difference(*enc, got, want));
        CHECK(got == want);
        CHECK(enc->count(sample()) == want.size());
        CHECK(enc->decode(got) == sample());
      }
      {
        // U+180E after every newline leaves no safe cut, so all of this goes through the exact
        // pattern, while the plain sample mostly takes the fast one.
        std::string divergent;
        for (const char c : sample()) {
          divergent += c;
          if (c == '\n') divergent += "\xE1\xA0\x8E";
        }
        const auto want = ref.at("whole_180e").get<std::vector<std::uint32_t>>();
        const auto got = enc->encode(divergent);
        INFO(first_difference(*enc, got, want));
        CHECK(got == want);
      }

      const auto lines = split_lines(sample());
      const nlohmann::json& ref_lines = ref.at("lines");
      REQUIRE(lines.size() == ref_lines.size());
      std::size_t mismatches = 0;
      for (std::size_t i = 0; i < lines.size(); ++i) {
        const auto want_line = ref_lines[i].get<std::vector<std::uint32_t>>();
        const auto got_line = enc->encode(lines[i]);
        if (got_line != want_line || enc->count(lines[i]) != want_line.size()) {
          ++mismatches;
          INFO("line " << i + 1 << ": " << first_difference(*enc, got_line, want_line));
          CHECK(got_line == want_line);
        }
      }
      CHECK(mismatches == 0);
    }
  }
}

TEST_CASE("random strings of troublemakers match tiktoken", "[token]") {
  for (const tb::EncodingName name : kBoth) {
    DYNAMIC_SECTION(tb::to_string(name)) {
      const auto enc = load_or_fail(name);
      const nlohmann::json& ref = reference(name);
      std::string joined;
      std::size_t index = 0;
      for (const auto& item : ref.at("fuzz")) {
        const auto text = item.at(0).get<std::string>();
        const auto want = item.at(1).get<std::vector<std::uint32_t>>();
        const auto got = enc->encode(text, tb::SpecialTokens::as_text);
        if (got != want) {
          INFO(nlohmann::json(text).dump() << ": " << first_difference(*enc, got, want));
          CHECK(got == want);
        }
        if (index > 0) joined += '\n';
        // Lines that start with a letter give the encoder safe places to cut the text.
        if (index % 3 != 0) joined += 'w';
        joined += text;
        ++index;
      }
      CHECK(index == 500);
      CHECK(enc->count(joined, tb::SpecialTokens::as_text) ==
            ref.at("fuzz_joined_count").get<std::size_t>());
    }
  }
}

TEST_CASE("well-known short strings", "[token]") {
  const auto cl100k = load_or_fail(tb::EncodingName::cl100k_base);
  const auto o200k = load_or_fail(tb::EncodingName::o200k_base);
  using Ids = std::vector<std::uint32_t>;
  // Values from tiktoken's own test suite.
  CHECK(cl100k->encode("hello world") == Ids{15339, 1917});
  CHECK(o200k->encode("hello world") == Ids{24912, 2375});
  CHECK(cl100k->encode("") == Ids{});
  CHECK(cl100k->count("") == 0);
  CHECK(cl100k->encode("<|endoftext|>", tb::SpecialTokens::allow) == Ids{100257});
  CHECK(o200k->encode("<|endoftext|>", tb::SpecialTokens::allow) == Ids{199999});
  CHECK(cl100k->n_vocab() == 100277);
  CHECK(o200k->n_vocab() == 200019);
  CHECK(cl100k->special_token_id("<|fim_middle|>") == 100259u);
  CHECK_FALSE(o200k->special_token_id("<|fim_middle|>"));
  CHECK(cl100k->name() == tb::EncodingName::cl100k_base);
  CHECK(o200k->name() == tb::EncodingName::o200k_base);
}

TEST_CASE("special tokens follow tiktoken's three modes", "[token]") {
  for (const tb::EncodingName name : kBoth) {
    DYNAMIC_SECTION(tb::to_string(name)) {
      const auto enc = load_or_fail(name);
      for (const auto& item : reference(name).at("special")) {
        const auto text = item.at("text").get<std::string>();
        INFO(text);
        CHECK(enc->encode(text, tb::SpecialTokens::allow) ==
              item.at("allowed").get<std::vector<std::uint32_t>>());
        CHECK(enc->encode(text, tb::SpecialTokens::as_text) ==
              item.at("as_text").get<std::vector<std::uint32_t>>());
        CHECK(enc->count(text, tb::SpecialTokens::allow) == item.at("allowed").size());
      }
      CHECK_THROWS_WITH(enc->encode("Hello<|endoftext|>world"),
                        Catch::Contains("<|endoftext|>") && Catch::Contains("byte offset 5"));
      CHECK_THROWS_AS(enc->count("x <|endofprompt|>"), tb::TokenizerError);
      CHECK_THROWS_WITH(enc->count("ab<|endoftext| <|endofprompt|>"),
                        Catch::Contains("<|endofprompt|>") && Catch::Contains("byte offset 15"));
      // Near misses are ordinary text.
      CHECK_NOTHROW(enc->encode("<|endoftext| <|notatoken|> |endoftext|>"));
    }
  }
  const auto o200k = load_or_fail(tb::EncodingName::o200k_base);
  // FIM tokens are cl100k-only; in o200k they are plain text even by default.
  CHECK_NOTHROW(o200k->encode("<|fim_prefix|>"));
  const auto cl100k = load_or_fail(tb::EncodingName::cl100k_base);
  CHECK_THROWS_WITH(cl100k->encode("<|fim_prefix|>"), Catch::Contains("byte offset 0"));
}

TEST_CASE("invalid UTF-8 is an error naming the byte offset", "[token]") {
  const auto enc = load_or_fail(tb::EncodingName::cl100k_base);
  const std::pair<std::string, std::size_t> cases[] = {
      {"abc\xff", 3},                           // never valid
      {"\x80", 0},                              // stray continuation
      {"ok \xC0\x80", 3},                       // overlong NUL
      {"12345678\xE0\x80\xAF", 8},              // overlong, after the ASCII fast path
      {"x\xED\xA0\x80", 1},                     // UTF-16 surrogate
      {"\xF4\x90\x80\x80", 0},                  // above U+10FFFF
      {"\xE2\x82", 0},                          // truncated
      {"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98", 5},  // valid é and €, then a cut emoji
  };
  for (const auto& [text, offset] : cases) {
    INFO(nlohmann::json(text).dump(-1, ' ', true, nlohmann::json::error_handler_t::replace));
    const std::string expected = "byte offset " + std::to_string(offset);
    CHECK_THROWS_WITH(enc->encode(text),
                      Catch::Contains("invalid UTF-8") && Catch::Contains(expected));
    CHECK_THROWS_WITH(enc->count(text, tb::SpecialTokens::as_text), Catch::Contains(expected));
  }
  CHECK_NOTHROW(enc->encode("\xF4\x8F\xBF\xBF \xEF\xBB\xBF \xC2\x85"));
}

TEST_CASE("decode inverts encode", "[token]") {
  for (const tb::EncodingName name : kBoth) {
    DYNAMIC_SECTION(tb::to_string(name)) {
      const auto enc = load_or_fail(name);
      const std::string texts[] = {
          "",
          "Hello, world! It's 2024.",
          std::string(5000, ' ') + "x",
          std::string(3000, 'a') + std::string(2000, '!'),
          "主要的な語彙：" + std::string(100, '\t') + "<|endoftext|>",
          "👨‍👩‍👧‍👦👋🏽 \xC2\x85\xEF\xBB\xBF\xE3\x80\x80",
      };
      for (const std::string& text : texts) {
        const auto ids = enc->encode(text, tb::SpecialTokens::allow);
        CHECK(enc->decode(ids) == text);
        CHECK(enc->count(text, tb::SpecialTokens::allow) == ids.size());
      }
      const std::uint32_t eot = *enc->special_token_id("<|endoftext|>");
      CHECK(enc->decode(std::vector<std::uint32_t>{eot}) == "<|endoftext|>");
      CHECK_THROWS_AS(enc->decode(std::vector<std::uint32_t>{enc->n_vocab()}), tb::TokenizerError);
      CHECK_THROWS_AS(enc->decode(std::vector<std::uint32_t>{0xFFFFFFFFu}), tb::TokenizerError);
      // cl100k has no token 100256 (between the last rank and the first special token).
      if (name == tb::EncodingName::cl100k_base) {
        CHECK_THROWS_AS(enc->decode(std::vector<std::uint32_t>{100256}), tb::TokenizerError);
      }
    }
  }
}

TEST_CASE("long runs stay fast and exact", "[token]") {
  const auto enc = load_or_fail(tb::EncodingName::o200k_base);
  // A quarter megabyte of one character: splitting and merging must neither recurse deeply (the
  // PCRE2 JIT stack) nor go quadratic.
  for (const std::string& unit : {std::string(" "), std::string("a"), std::string("\n"),
                                  std::string("\xE4\xB8\xAD"), std::string("!")}) {
    std::string text;
    for (std::size_t i = 0; i < (1 << 18) / unit.size(); ++i) text += unit;
    const auto ids = enc->encode(text);
    CHECK(enc->decode(ids) == text);
  }
}

TEST_CASE("an encoding is shared and safe across threads", "[token]") {
  const auto enc = load_or_fail(tb::EncodingName::cl100k_base);
  CHECK(tb::Encoding::load(tb::EncodingName::cl100k_base, test_vocab_dir()) == enc);
  const auto want = enc->encode(sample());
  std::vector<std::vector<std::uint32_t>> got(4);
  {
    std::vector<std::jthread> threads;
    for (auto& out : got) threads.emplace_back([&] { out = enc->encode(sample()); });
  }
  for (const auto& ids : got) CHECK(ids == want);
}
