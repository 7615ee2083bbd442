#include "net/http_request_head.hpp"

#include <algorithm>

namespace tb {

namespace {

bool is_token_char(unsigned char c) {
  if (c >= '0' && c <= '9') return true;
  if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

char ascii_lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c + ('a' - 'A')) : c;
}

bool same_name(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return ascii_lower(x) == ascii_lower(y);
         });
}

}  // namespace

std::optional<std::string> invalid_header(const HttpHeaders& headers) {
  for (const auto& [name, value] : headers) {
    if (name.empty() || !std::all_of(name.begin(), name.end(), [](char c) {
          return is_token_char(static_cast<unsigned char>(c));
        }))
      return "header name \"" + name + "\" is not an HTTP token (letters, digits, !#$%&'*+-.^_`|~)";
    if (value.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos)
      return "header " + name + " has a line break or NUL in its value";
  }
  return std::nullopt;
}

std::string http_request_head(const HttpRequest& request) {
  const Url& url = request.url;
  std::string host = url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host;
  if (url.port != (url.tls ? 443 : 80)) host += ":" + std::to_string(url.port);
  HttpHeaders fields{{"Host", std::move(host)}, {"User-Agent", "tunebench/" TUNEBENCH_VERSION}};
  const auto set = [&fields](std::string_view name, std::string_view value) {
    std::erase_if(fields, [&](const auto& f) { return same_name(f.first, name); });
    fields.emplace_back(name, value);
  };
  for (const auto& [name, value] : request.headers) set(name, value);
  if (request.method != "GET") set("Content-Length", std::to_string(request.body.size()));

  std::string head;
  head.reserve(256);
  head += request.method;
  head += ' ';
  head += request.target;
  head += " HTTP/1.1\r\n";
  for (const auto& [name, value] : fields) {
    head += name;
    head += ": ";
    head += value;
    head += "\r\n";
  }
  head += "\r\n";
  return head;
}

}  // namespace tb
