#pragma once
// The async seam of tunebench: included only by the runner and the net tests. Beast stays in
// the .cpp; this header needs Asio's awaitable for the coroutine signature alone.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <memory>

#include "net/http_types.hpp"

namespace tb {

// HTTP/1.1 client over Beast: keep-alive connections pooled per origin, TLS verified against
// the system store unless a request opts out, timeouts on connect and on the whole exchange.
// Single-threaded: use it from coroutines on one io_context.
class HttpClient {
 public:
  explicit HttpClient(boost::asio::any_io_executor executor);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Never throws for network or protocol failures: they come back in HttpResponse::error.
  // `request` must outlive the returned awaitable (co_await it at once).
  boost::asio::awaitable<HttpResponse> send(const HttpRequest& request);

  // Drops idle connections (e.g. before the io_context stops).
  void close_idle();
  // Aborts every request in flight (their responses come back with NetError::reset), drops
  // idle connections and sends nothing more: the end of a shutdown grace period.
  void cancel_all();

  std::size_t connections_opened() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tb
