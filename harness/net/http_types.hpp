#pragma once
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "net/url.hpp"

namespace tb {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method = "POST";
  Url url;             // scheme, host and port; `target` holds the path
  std::string target;  // e.g. "/v1/chat/completions"
  HttpHeaders headers;
  std::string body;
  double connect_timeout_s = 10;
  double timeout_s = 60;  // whole exchange, from sending to the last byte
  bool insecure = false;  // skip certificate verification
  // Called with each piece of body as it arrives (streaming); the body is also accumulated.
  std::function<void(std::string_view)> on_body;
};

enum class NetError { none, resolve, connect, timeout, reset, tls, protocol };
std::string_view to_string(NetError e);

struct HttpResponse {
  NetError error = NetError::none;
  std::string error_message;
  int status = 0;
  HttpHeaders headers;  // names lowercased
  std::string body;
  double header_ms = 0;  // from send to the end of the response headers
  bool reused_connection = false;

  // The first header with this (lowercase) name, or "".
  std::string_view header(std::string_view name) const;
};

}  // namespace tb
