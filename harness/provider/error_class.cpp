#include "provider/error_class.hpp"

#include <array>

namespace tb {
namespace {
constexpr std::array<std::string_view, 10> kNames = {
    "none",         "auth",           "rate_limit", "server",      "timeout",
    "bad_response", "context_length", "network",    "bad_request", "tls"};
}

std::string_view to_string(ErrorClass c) {
  return kNames[static_cast<std::size_t>(c)];
}

std::optional<ErrorClass> parse_error_class(std::string_view s) {
  for (std::size_t i = 0; i < kNames.size(); ++i)
    if (kNames[i] == s) return static_cast<ErrorClass>(i);
  return std::nullopt;
}

ErrorClass error_class_of(NetError e) {
  switch (e) {
    case NetError::none:
      return ErrorClass::none;
    case NetError::timeout:
      return ErrorClass::timeout;
    case NetError::too_large:
      return ErrorClass::bad_response;
    case NetError::certificate:
      return ErrorClass::tls;
    case NetError::resolve:
    case NetError::connect:
    case NetError::reset:
    case NetError::tls:
    case NetError::protocol:
      break;
  }
  return ErrorClass::network;
}

bool is_retryable(ErrorClass c) {
  return c == ErrorClass::rate_limit || c == ErrorClass::server || c == ErrorClass::timeout ||
         c == ErrorClass::network || c == ErrorClass::bad_response;
}

}  // namespace tb
