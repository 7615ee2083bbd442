#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tb {

// An http(s) URL split the way a connection pool needs it.
struct Url {
  bool tls = false;
  std::string host;  // without brackets for IPv6 literals
  std::uint16_t port = 0;
  std::string path;  // starts with '/', no trailing '/' ("" becomes "/")
  std::string query; // without '?'

  // "scheme://host:port": the key of the keep-alive pool.
  std::string origin() const;
  // The request target for a path under this URL: base "/v1" + "/chat/completions".
  std::string target(std::string_view sub_path) const;
  bool is_loopback() const;
};

// Parses http:// and https:// URLs; returns nullopt with `error` explaining what is wrong.
std::optional<Url> parse_url(std::string_view text, std::string& error);

}  // namespace tb
