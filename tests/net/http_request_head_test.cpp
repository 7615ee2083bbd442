#include <catch2/catch.hpp>

#include "net/http_request_head.hpp"

using namespace tb;

namespace {
HttpRequest request_to(const std::string& url_text) {
  std::string error;
  auto url = parse_url(url_text, error);
  REQUIRE(url);
  HttpRequest r;
  r.url = *url;
  r.target = url->target("/chat/completions");
  return r;
}

// The User-Agent line as the head writes it (the version is the build's).
std::string user_agent_line(const std::string& head) {
  const auto at = head.find("User-Agent: tunebench/");
  REQUIRE(at != std::string::npos);
  return head.substr(at, head.find("\r\n", at) + 2 - at);
}
}  // namespace

TEST_CASE("a request head has the request line, Host, User-Agent, the headers and Content-Length",
          "[http]") {
  HttpRequest r = request_to("http://127.0.0.1:8080/v1");
  r.headers = {{"content-type", "application/json"}, {"authorization", "Bearer sk-test"}};
  r.body = R"({"model":"m"})";
  const std::string head = http_request_head(r);
  CHECK(head ==
        "POST /v1/chat/completions HTTP/1.1\r\n"
        "Host: 127.0.0.1:8080\r\n" +
            user_agent_line(head) +
            "content-type: application/json\r\n"
            "authorization: Bearer sk-test\r\n"
            "Content-Length: 13\r\n"
            "\r\n");
}

TEST_CASE("Host carries the port only when it is not the scheme's default, and brackets IPv6",
          "[http]") {
  HttpRequest a = request_to("https://api.openai.com/v1");
  CHECK(http_request_head(a).find("\r\nHost: api.openai.com\r\n") != std::string::npos);
  HttpRequest b = request_to("http://example.com/v1");
  CHECK(http_request_head(b).find("\r\nHost: example.com\r\n") != std::string::npos);
  HttpRequest c = request_to("https://example.com:8443/v1");
  CHECK(http_request_head(c).find("\r\nHost: example.com:8443\r\n") != std::string::npos);
  HttpRequest d = request_to("http://[::1]:9000/v1");
  CHECK(http_request_head(d).find("\r\nHost: [::1]:9000\r\n") != std::string::npos);
}

TEST_CASE("a later header replaces an earlier one of the same name, whatever its case", "[http]") {
  HttpRequest r = request_to("http://127.0.0.1:8080/v1");
  r.headers = {{"Content-Type", "text/plain"},
               {"user-agent", "mine/1"},
               {"CONTENT-TYPE", "application/json"},
               {"content-length", "999"}};
  r.body = "{}";
  const std::string head = http_request_head(r);
  CHECK(head ==
        "POST /v1/chat/completions HTTP/1.1\r\n"
        "Host: 127.0.0.1:8080\r\n"
        "user-agent: mine/1\r\n"
        "CONTENT-TYPE: application/json\r\n"
        "Content-Length: 2\r\n"  // the real length, not the header's
        "\r\n");
}

TEST_CASE("a GET has no Content-Length", "[http]") {
  HttpRequest r = request_to("http://127.0.0.1:8080/v1");
  r.method = "GET";
  r.target = r.url.target("/models");
  const std::string head = http_request_head(r);
  CHECK(head ==
        "GET /v1/models HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n" + user_agent_line(head) + "\r\n");
}

TEST_CASE("headers that would split the request are named, without their values", "[http]") {
  CHECK_FALSE(invalid_header({{"x-team", "search"}, {"api-key", "abc"}}));
  const auto newline = invalid_header({{"authorization", "Bearer sk-secret\n"}});
  REQUIRE(newline);
  CHECK(newline->find("authorization") != std::string::npos);
  CHECK(newline->find("sk-secret") == std::string::npos);
  CHECK(invalid_header({{"x-a", std::string("a\0b", 3)}}));
  CHECK(invalid_header({{"x-a", "a\rb"}}));
  CHECK(invalid_header({{"bad name", "v"}}));
  CHECK(invalid_header({{"", "v"}}));
  CHECK(invalid_header({{"x:y", "v"}}));
}
