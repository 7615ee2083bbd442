#pragma once
// The bytes of an HTTP/1.1 request before its body, written in one piece: the client sends them
// and the body in a single gather write.
#include <optional>
#include <string>

#include "net/http_types.hpp"

namespace tb {

// Why a header cannot be sent as it is (a name that is not an HTTP token, a value with a line
// break or NUL that would split the request), or nothing when all can.
std::optional<std::string> invalid_header(const HttpHeaders& headers);

// Request line, Host (with the port when it is not the scheme's default), User-Agent, the
// request's headers (a later header replaces an earlier one of the same name, case-insensitively)
// and, with a body or for any method but GET, Content-Length; then the blank line.
std::string http_request_head(const HttpRequest& request);

}  // namespace tb
