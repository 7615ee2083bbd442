#include "net/http_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <array>
#include <chrono>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include "common/clock.hpp"
#include "common/secrets.hpp"
#include "net/http_request_head.hpp"

namespace tb {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

std::string_view to_string(NetError e) {
  switch (e) {
    case NetError::none:
      return "none";
    case NetError::resolve:
      return "resolve";
    case NetError::connect:
      return "connect";
    case NetError::timeout:
      return "timeout";
    case NetError::reset:
      return "reset";
    case NetError::tls:
      return "tls";
    case NetError::protocol:
      return "protocol";
    case NetError::too_large:
      return "too_large";
    case NetError::certificate:
      return "certificate";
  }
  return "?";
}

std::string_view HttpResponse::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (k == name) return v;
  return {};
}

namespace {

// One socket, plain or inside TLS, with one deadline per phase (connect, exchange) instead of a
// timer armed and cancelled around every read and write: when it passes, the socket's pending
// operations are cancelled and the phase ends as a timeout.
struct Connection {
  explicit Connection(const asio::any_io_executor& ex) : deadline(ex) {}
  std::unique_ptr<tcp::socket> plain;
  std::unique_ptr<ssl::stream<tcp::socket>> tls;
  beast::flat_buffer buffer;
  asio::steady_timer deadline;
  std::uint64_t phase = 0;  // which arming of the deadline a firing belongs to
  bool timed_out = false;

  tcp::socket& lowest() { return plain ? *plain : tls->next_layer(); }
};

// Arms the connection's deadline for a phase. The handler holds the connection weakly: a firing
// queued just before the phase ended, or after the connection closed, changes nothing.
void arm_deadline(const std::shared_ptr<Connection>& conn, double seconds_from_now) {
  conn->timed_out = false;
  const std::uint64_t phase = ++conn->phase;
  conn->deadline.expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::duration<double>(seconds_from_now)));
  conn->deadline.async_wait(
      [weak = std::weak_ptr<Connection>(conn), phase](const beast::error_code& ec) {
        if (ec) return;
        const auto c = weak.lock();
        if (!c || c->phase != phase) return;
        c->timed_out = true;
        beast::error_code ignored;
        c->lowest().cancel(ignored);
      });
}

void disarm_deadline(Connection& conn) {
  ++conn.phase;
  conn.deadline.cancel();
}

struct DeadlineGuard {
  explicit DeadlineGuard(Connection& c) : conn(c) {}
  Connection& conn;
  DeadlineGuard(const DeadlineGuard&) = delete;
  DeadlineGuard& operator=(const DeadlineGuard&) = delete;
  ~DeadlineGuard() { disarm_deadline(conn); }
};

NetError classify(const beast::error_code& ec, const Connection& conn) {
  if (conn.timed_out) return NetError::timeout;
  if (ec == http::error::body_limit) return NetError::too_large;
  if (ec == asio::error::connection_refused || ec == asio::error::host_unreachable ||
      ec == asio::error::network_unreachable)
    return NetError::connect;
  if (ec == asio::error::eof || ec == asio::error::connection_reset ||
      ec == asio::error::broken_pipe || ec == http::error::end_of_stream ||
      ec == asio::error::connection_aborted || ec == http::error::partial_message)
    return NetError::reset;
  if (ec.category() == asio::error::get_ssl_category() ||
      ec.category() == asio::ssl::error::get_stream_category())
    return NetError::tls;
  if (ec.category() == http::make_error_code(http::error::end_of_stream).category())
    return NetError::protocol;
  return NetError::reset;
}

// When a handshake failed because the server's certificate was refused: what was wrong with it
// and what to do. Anything else (a reset, a protocol mismatch) is a plain TLS failure.
std::optional<std::string> refused_certificate(ssl::stream<tcp::socket>& stream,
                                               const beast::error_code& ec,
                                               const HttpRequest& req) {
  if (req.insecure || ec.category() != asio::error::get_ssl_category() ||
      ERR_GET_REASON(static_cast<unsigned long>(ec.value())) != SSL_R_CERTIFICATE_VERIFY_FAILED)
    return std::nullopt;
  const long result = SSL_get_verify_result(stream.native_handle());
  // The host name check is ours (host_name_verification): OpenSSL's own checks passed.
  const std::string why =
      result == X509_V_OK || result == X509_V_ERR_HOSTNAME_MISMATCH
          ? "it was not issued for " + req.url.host
          : X509_verify_cert_error_string(result);
  return "the TLS certificate of " + req.url.origin() + " is not trusted (" + why +
         "); not retried: give the server a certificate from a trusted authority (or add its CA "
         "to the system's, or point SSL_CERT_FILE at it), or set insecure: true on the endpoint "
         "for a test server";
}

std::string too_large_message(const HttpRequest& req) {
  const std::size_t limit = req.max_response_bytes;
  const std::string size = limit % (1 << 20) == 0 ? std::to_string(limit >> 20) + " MiB"
                                                  : std::to_string(limit) + " bytes";
  return "the response from " + req.url.origin() + " is larger than " + size +
         " (run.max_response_bytes); it was cut off there and not read to its end";
}

struct Pool {
  std::vector<std::shared_ptr<Connection>> idle;
  tcp::resolver::results_type endpoints;
  bool resolved = false;
};

}  // namespace

struct HttpClient::Impl {
  explicit Impl(asio::any_io_executor ex) : executor(std::move(ex)) {}

  // Built on the first HTTPS request: loading the system's CA store costs tens of
  // milliseconds that plain-HTTP runs (mocks, local servers) should not pay.
  ssl::context& tls_context(bool insecure) {
    auto& slot = insecure ? unverified : verified;
    if (!slot) {
      slot = std::make_unique<ssl::context>(ssl::context::tls_client);
      if (insecure) {
        slot->set_verify_mode(ssl::verify_none);
      } else {
        slot->set_default_verify_paths();
        slot->set_verify_mode(ssl::verify_peer);
      }
    }
    return *slot;
  }

  asio::any_io_executor executor;
  std::unique_ptr<ssl::context> verified;
  std::unique_ptr<ssl::context> unverified;
  std::unordered_map<std::string, Pool> pools;
  std::unordered_set<Connection*> active;  // exchanging now: what cancel_all aborts
  std::size_t opened = 0;
  bool cancelled = false;  // after cancel_all: nothing more is sent

  asio::awaitable<std::shared_ptr<Connection>> connect(const HttpRequest& req, Pool& pool,
                                                       HttpResponse& out) {
    beast::error_code ec;
    if (!pool.resolved) {
      tcp::resolver resolver(executor);
      auto results = co_await resolver.async_resolve(req.url.host, std::to_string(req.url.port),
                                                     asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        out.error = NetError::resolve;
        out.error_message = "cannot resolve " + req.url.host + ": " + ec.message();
        co_return nullptr;
      }
      pool.endpoints = std::move(results);
      pool.resolved = true;
    }
    auto conn = std::make_shared<Connection>(executor);
    // Room for a typical answer in one read: the buffer otherwise grows from 512 bytes and
    // keeps its size, and every answer longer than that would take two reads.
    conn->buffer.reserve(16 * 1024);
    if (req.url.tls) {
      conn->tls = std::make_unique<ssl::stream<tcp::socket>>(executor, tls_context(req.insecure));
    } else {
      conn->plain = std::make_unique<tcp::socket>(executor);
    }
    const auto failed = [&](NetError error, const std::string& what) {
      disarm_deadline(*conn);
      out.error = conn->timed_out ? NetError::timeout : error;
      out.error_message =
          what +
          (conn->timed_out ? std::string("no answer within the connect timeout") : ec.message());
      return nullptr;
    };
    arm_deadline(conn, req.connect_timeout_s);
    co_await asio::async_connect(conn->lowest(), pool.endpoints,
                                 asio::redirect_error(asio::use_awaitable, ec));
    if (ec || conn->timed_out)
      co_return failed(NetError::connect, "cannot connect to " + req.url.origin() + ": ");
    conn->lowest().set_option(tcp::no_delay(true), ec);
    if (conn->tls) {
      // SNI and host name verification: without them a valid certificate for any host passes.
      if (!SSL_set_tlsext_host_name(conn->tls->native_handle(), req.url.host.c_str())) {
        disarm_deadline(*conn);
        out.error = NetError::tls;
        out.error_message = "cannot set TLS server name for " + req.url.host;
        co_return nullptr;
      }
      if (!req.insecure) conn->tls->set_verify_callback(ssl::host_name_verification(req.url.host));
      co_await conn->tls->async_handshake(ssl::stream_base::client,
                                          asio::redirect_error(asio::use_awaitable, ec));
      if (ec || conn->timed_out) {
        if (auto refused = refused_certificate(*conn->tls, ec, req); refused && !conn->timed_out) {
          disarm_deadline(*conn);
          out.error = NetError::certificate;
          out.error_message = *refused;
          co_return nullptr;
        }
        co_return failed(NetError::tls, "TLS handshake with " + req.url.origin() + " failed: ");
      }
    }
    disarm_deadline(*conn);
    ++opened;
    co_return conn;
  }

  template <class Stream>
  asio::awaitable<bool> exchange(Stream& stream, const std::shared_ptr<Connection>& conn_ptr,
                                 const HttpRequest& req, HttpResponse& out, bool& sent_anything) {
    Connection& conn = *conn_ptr;
    beast::error_code ec;
    if (auto bad = invalid_header(req.headers)) {
      out.error = NetError::protocol;
      out.error_message = "request to " + req.url.origin() + " not sent: " + *bad;
      co_return false;
    }
    // Head and body leave in one gather write, the body from the caller's string: no copy of
    // it, and none of the per-field buffer sequences a generic serializer walks.
    const std::string head = http_request_head(req);
    const std::array<asio::const_buffer, 2> request_bytes{asio::buffer(head),
                                                          asio::buffer(req.body)};
    const double start = steady_ms();
    // One deadline for the whole exchange, from sending to the last byte; disarmed on every way
    // out of this coroutine.
    arm_deadline(conn_ptr, req.timeout_s);
    const DeadlineGuard guard{conn};
    co_await asio::async_write(stream, request_bytes,
                               asio::redirect_error(asio::use_awaitable, ec));
    if (ec || conn.timed_out) {
      out.error = classify(ec, conn);
      out.error_message = "sending to " + req.url.origin() + " failed: " + ec.message();
      co_return false;
    }
    http::response_parser<http::string_body> parser;
    parser.body_limit(req.max_response_bytes);
    co_await http::async_read_header(stream, conn.buffer, parser,
                                     asio::redirect_error(asio::use_awaitable, ec));
    if (ec || conn.timed_out) {
      out.error = classify(ec, conn);
      out.error_message =
          out.error == NetError::too_large
              ? too_large_message(req)
              : (out.error == NetError::timeout ? "no response from " : "reading from ") +
                    req.url.origin() +
                    (out.error == NetError::timeout ? " within the timeout"
                                                    : " failed: " + ec.message());
      co_return false;
    }
    sent_anything = true;
    out.header_ms = steady_ms() - start;
    std::size_t delivered = 0;
    bool reserved = false;
    while (!parser.is_done()) {
      // A body past 256 KiB may be heading for the cap: room for all of it now, so it is not
      // copied on every doubling (each copy holds old and new at once, half again the memory).
      // Pages of the reserve are only resident once written.
      if (auto& body = parser.get().body(); !reserved && body.size() > (std::size_t{256} << 10)) {
        body.reserve(req.max_response_bytes);
        reserved = true;
      }
      co_await http::async_read_some(stream, conn.buffer, parser,
                                     asio::redirect_error(asio::use_awaitable, ec));
      if (ec || conn.timed_out) {
        out.error = classify(ec, conn);
        out.error_message =
            out.error == NetError::too_large ? too_large_message(req)
            : out.error == NetError::timeout
                ? "response from " + req.url.origin() + " did not complete within the timeout"
                : "reading the response from " + req.url.origin() + " failed: " + ec.message();
        co_return false;
      }
      if (req.on_body) {
        const auto& body = parser.get().body();
        if (body.size() > delivered) {
          req.on_body(std::string_view(body).substr(delivered));
          delivered = body.size();
        }
      }
    }
    auto response = parser.release();
    out.status = static_cast<int>(response.result_int());
    for (const auto& field : response) {
      std::string name(field.name_string());
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      out.headers.emplace_back(std::move(name), std::string(field.value()));
    }
    out.body = std::move(response.body());
    co_return response.keep_alive();
  }
};

HttpClient::HttpClient(asio::any_io_executor executor)
    : impl_(std::make_unique<Impl>(std::move(executor))) {}

HttpClient::~HttpClient() = default;

void HttpClient::close_idle() {
  // Only the idle connections go: a request in flight holds a reference to its origin's pool.
  for (auto& [origin, pool] : impl_->pools) pool.idle.clear();
}

void HttpClient::cancel_all() {
  impl_->cancelled = true;
  for (Connection* c : impl_->active) {
    beast::error_code ec;
    c->lowest().shutdown(tcp::socket::shutdown_both, ec);
    c->lowest().cancel(ec);
  }
  close_idle();
}

std::size_t HttpClient::connections_opened() const {
  return impl_->opened;
}

asio::awaitable<HttpResponse> HttpClient::send(const HttpRequest& request) {
  auto& pool = impl_->pools[request.url.origin()];
  // One more attempt on a fresh connection when a pooled one turns out to be closed by the
  // server (idle keep-alive timeout): the request never reached the application.
  for (int attempt = 0; attempt < 2; ++attempt) {
    HttpResponse out;
    if (impl_->cancelled) {
      out.error = NetError::reset;
      out.error_message = "request to " + request.url.origin() + " not sent: the run is stopping";
      co_return out;
    }
    std::shared_ptr<Connection> conn;
    if (!pool.idle.empty()) {
      conn = std::move(pool.idle.back());
      pool.idle.pop_back();
      out.reused_connection = true;
    } else {
      conn = co_await impl_->connect(request, pool, out);
      if (!conn) {
        out.error_message = Secrets::redact(out.error_message);
        co_return out;
      }
    }
    bool got_response_bytes = false;
    impl_->active.insert(conn.get());
    const bool keep_alive =
        conn->tls ? co_await impl_->exchange(*conn->tls, conn, request, out, got_response_bytes)
                  : co_await impl_->exchange(*conn->plain, conn, request, out, got_response_bytes);
    impl_->active.erase(conn.get());
    if (out.error != NetError::none) {
      if (out.reused_connection && !got_response_bytes && out.error == NetError::reset &&
          !impl_->cancelled)
        continue;
      out.error_message = Secrets::redact(out.error_message);
      co_return out;
    }
    if (keep_alive) {
      conn->buffer.consume(conn->buffer.size());
      pool.idle.push_back(std::move(conn));
    }
    co_return out;
  }
  HttpResponse out;
  out.error = NetError::reset;
  out.error_message = "connection to " + request.url.origin() + " closed twice before answering";
  co_return out;
}

}  // namespace tb
