#pragma once
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "net/url.hpp"

namespace tb {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

// The most of a response body read into memory (run.max_response_bytes): a chat answer, even a
// long one streamed token by token, is well under it; an endless or huge body is cut off there,
// so memory follows the number of requests in flight, not what servers send.
inline constexpr std::size_t kDefaultMaxResponseBytes = std::size_t{4} << 20;

struct HttpRequest {
  std::string method = "POST";
  Url url;             // scheme, host and port; `target` holds the path
  std::string target;  // e.g. "/v1/chat/completions"
  HttpHeaders headers;
  std::string body;
  double connect_timeout_s = 10;
  double timeout_s = 60;  // whole exchange, from sending to the last byte
  bool insecure = false;  // skip certificate verification
  std::size_t max_response_bytes = kDefaultMaxResponseBytes;  // body bytes, SSE events included
  // Called with each piece of body as it arrives (streaming); the body is also accumulated.
  std::function<void(std::string_view)> on_body;
};

// too_large: the body passed HttpRequest::max_response_bytes and was not read to its end.
// certificate: the server's TLS certificate was refused (untrusted, expired, another host's);
// unlike the other failures, it will not pass on another attempt.
enum class NetError { none, resolve, connect, timeout, reset, tls, protocol, too_large, certificate };
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
