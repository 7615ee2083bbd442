#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "common/secrets.hpp"
#include "common/secrets_match.hpp"

using namespace tb;

namespace {

// Registered once for the whole test program; no other test uses this value.
const std::string kSecret = "sk-unit/Secret_9876543210";

std::string redacted(std::string_view text) {
  Secrets::add(kSecret);
  return Secrets::redact(text);
}

}  // namespace

TEST_CASE("a secret is redacted as written and in its JSON-escaped and percent-encoded forms",
          "[secrets]") {
  CHECK(redacted("key " + kSecret + " end") == "key [REDACTED] end");
  CHECK(redacted("a " + kSecret + kSecret + " b") == "a [REDACTED] b");
  // Every character \u-escaped, as a server that escapes all non-alphanumerics would write it.
  std::string escaped;
  for (const char c : kSecret) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "\\u%04X", static_cast<unsigned char>(c));
    escaped += buf;
  }
  CHECK(redacted(R"({"content":"the key is )" + escaped + R"("})") ==
        R"({"content":"the key is [REDACTED]"})");
  // Partly escaped, and the slash as \/.
  CHECK(redacted(R"({"a":"sk-unit\/Secret_98\u00376543210"})") == R"({"a":"[REDACTED]"})");
  // JSON inside a JSON string: two levels of escapes.
  CHECK(redacted(R"({"a":"\"sk-unit\\/Secret_\\u00398765\\u0034\\u0033210\""})") ==
        R"({"a":"\"[REDACTED]\""})");
  CHECK(redacted("https://h/?k=sk-unit%2FSecret_9876543210&x=1") == "https://h/?k=[REDACTED]&x=1");
  // Text without the secret is left alone, escapes included.
  const std::string other = R"({"a":"caf\u00e9 \/ 100% \\u0041 sk-unit\/Secret_98765"})";
  CHECK(redacted(other) == other);
}

TEST_CASE("a secret split across the content deltas of an SSE stream is redacted piece by piece",
          "[secrets]") {
  const std::string stream =
      "data: {\"choices\":[{\"delta\":{\"content\":\"key: sk-u\"}}]}\n\n"
      "data: {\"choices\":[{\"delta\":{\"content\":\"nit\\/Sec\"}}]}\n\n"
      "data: {\"choices\":[{\"delta\": {\"content\" : \"ret_\\u0039876543210 done\"}}]}\n\n"
      "data: [DONE]\n\n";
  const std::string out = redacted(stream);
  CHECK(out.find("sk-u") == std::string::npos);
  CHECK(out.find("Sec") == std::string::npos);
  CHECK(out.find("876543210") == std::string::npos);
  CHECK(out.find("key: ") != std::string::npos);
  CHECK(out.find(" done") != std::string::npos);
  // Each event is still JSON: only string contents were replaced.
  std::size_t events = 0;
  for (std::size_t at = out.find("data: {"); at != std::string::npos;
       at = out.find("data: {", at + 1)) {
    const auto end = out.find("\n\n", at);
    CHECK(nlohmann::json::accept(out.substr(at + 6, end - at - 6)));
    ++events;
  }
  CHECK(events == 3);
}

TEST_CASE("find_secret maps decoded matches back to the bytes that spell them", "[secrets]") {
  const std::string text = R"(x "\u0061bc" y abc)";
  const auto ranges = find_secret(text, "abc");
  REQUIRE(ranges.size() == 2);
  CHECK(text.substr(ranges[0].first, ranges[0].second - ranges[0].first) == R"(\u0061bc)");
  CHECK(text.substr(ranges[1].first, ranges[1].second - ranges[1].first) == "abc");
  // A non-ASCII secret written with a surrogate pair.
  const std::string emoji =
      "key\xF0\x9F\x94\x91"
      "123";
  const std::string written = R"("key\ud83d\udd11123")";
  const auto found = find_secret(written, emoji);
  REQUIRE(found.size() == 1);
  CHECK(found[0].first == 1);
  CHECK(found[0].second == written.size() - 1);
  CHECK(find_secret("nothing here", "abc").empty());
}

TEST_CASE("values too short to be keys are not registered", "[secrets]") {
  Secrets::add("short");
  CHECK(Secrets::redact("a short word") == "a short word");
}
