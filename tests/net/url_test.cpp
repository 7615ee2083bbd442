#include <catch2/catch.hpp>

#include "net/url.hpp"

using namespace tb;

TEST_CASE("URLs split into origin and path", "[url]") {
  std::string error;
  auto u = parse_url("https://api.openai.com/v1/", error);
  REQUIRE(u);
  CHECK(u->tls);
  CHECK(u->host == "api.openai.com");
  CHECK(u->port == 443);
  CHECK(u->path == "/v1");
  CHECK(u->target("/chat/completions") == "/v1/chat/completions");
  CHECK(u->origin() == "https://api.openai.com:443");

  u = parse_url("http://[::1]:8080", error);
  REQUIRE(u);
  CHECK(u->host == "::1");
  CHECK(u->port == 8080);
  CHECK(u->is_loopback());
  CHECK(u->target("/models") == "/models");

  u = parse_url("https://x.openai.azure.com/openai/deployments/d?api-version=2024-06-01", error);
  REQUIRE(u);
  CHECK(u->target("/chat/completions") == "/openai/deployments/d/chat/completions?api-version=2024-06-01");
}

TEST_CASE("bad URLs are explained", "[url]") {
  std::string error;
  CHECK_FALSE(parse_url("ftp://x", error));
  CHECK(error.find("http://") != std::string::npos);
  CHECK_FALSE(parse_url("http://:80", error));
  CHECK_FALSE(parse_url("http://h:99999", error));
  CHECK(error == "invalid port 99999");
  CHECK_FALSE(parse_url("https://user:sk-secret@h", error));
  CHECK(error.find("api_key_env") != std::string::npos);
}
