#include "net/url.hpp"

#include <charconv>

namespace tb {

std::string Url::origin() const {
  const bool v6 = host.find(':') != std::string::npos;
  return std::string(tls ? "https://" : "http://") + (v6 ? "[" + host + "]" : host) + ":" +
         std::to_string(port);
}

std::string Url::target(std::string_view sub_path) const {
  std::string t = path == "/" ? "" : path;
  t += sub_path;
  if (t.empty()) t = "/";
  if (!query.empty()) t += (t.find('?') == std::string::npos ? "?" : "&") + query;
  return t;
}

bool Url::is_loopback() const {
  return host == "localhost" || host == "::1" || host.starts_with("127.");
}

std::optional<Url> parse_url(std::string_view text, std::string& error) {
  Url url;
  if (text.starts_with("https://")) {
    url.tls = true;
    text.remove_prefix(8);
  } else if (text.starts_with("http://")) {
    text.remove_prefix(7);
  } else {
    error = "expected a URL starting with http:// or https://";
    return std::nullopt;
  }
  const auto path_start = text.find_first_of("/?");
  std::string_view authority = text.substr(0, path_start);
  std::string_view rest = path_start == std::string_view::npos ? "" : text.substr(path_start);
  if (authority.find('@') != std::string_view::npos) {
    error = "credentials in the URL are not supported; use api_key_env";
    return std::nullopt;
  }
  std::string_view port_text;
  if (authority.starts_with("[")) {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) {
      error = "unterminated IPv6 address";
      return std::nullopt;
    }
    url.host = std::string(authority.substr(1, close - 1));
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') {
        error = "expected ':' after the IPv6 address";
        return std::nullopt;
      }
      port_text = authority.substr(close + 2);
    }
  } else {
    const auto colon = authority.rfind(':');
    url.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (url.host.empty()) {
    error = "the URL has no host";
    return std::nullopt;
  }
  url.port = url.tls ? 443 : 80;
  if (!port_text.empty()) {
    unsigned value = 0;
    const auto [p, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
    if (ec != std::errc() || p != port_text.data() + port_text.size() || value == 0 || value > 65535) {
      error = "invalid port " + std::string(port_text);
      return std::nullopt;
    }
    url.port = static_cast<std::uint16_t>(value);
  }
  const auto q = rest.find('?');
  url.path = std::string(rest.substr(0, q));
  if (q != std::string_view::npos) url.query = std::string(rest.substr(q + 1));
  while (url.path.size() > 1 && url.path.back() == '/') url.path.pop_back();
  if (url.path.empty()) url.path = "/";
  return url;
}

}  // namespace tb
