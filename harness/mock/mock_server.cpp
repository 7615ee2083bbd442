#include "mock/mock_server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <boost/asio/write.hpp>

#include <atomic>
#include <chrono>
#include <cmath>
#include <deque>
#include <thread>
#include <unordered_map>

#include "common/hash.hpp"

namespace tb {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct MockServer::Impl {
  explicit Impl(MockModel m) : model(std::move(m)), acceptor(io) {}

  MockModel model;
  asio::io_context io;
  tcp::acceptor acceptor;
  std::thread thread;
  std::uint16_t port = 0;
  std::atomic<long long> requests{0}, chats{0}, embeddings{0}, errors{0}, violations{0};
  std::deque<std::chrono::steady_clock::time_point> recent;  // arrivals within the limit window
  // Identical requests seen so far, so a retry draws anew (a retry must be able to succeed).
  std::unordered_map<std::uint64_t, std::uint64_t> attempts;

  MockReply dispatch(const http::request<http::string_body>& req) {
    ++requests;
    const std::string_view target = req.target();
    const auto path = target.substr(0, target.find('?'));
    if (req.method() == http::verb::post && path.ends_with("/chat/completions")) {
      ++chats;
      if (over_limit()) {
        ++errors;
        MockReply reply;
        reply.status = 429;
        reply.body = R"json({"error":{"message":"Rate limit exceeded (tunebench mock limits.rpm)","type":"requests","code":"rate_limit_exceeded"}})json";
        reply.headers.emplace_back("retry-after", "1");
        return reply;
      }
      const auto key = fnv1a64(req.body());
      MockReply reply = model.chat_completion(req.body(), attempts[key]++);
      if (reply.status >= 400) ++errors;
      return reply;
    }
    if (req.method() == http::verb::post && path.ends_with("/embeddings")) {
      ++embeddings;
      if (over_limit()) {
        ++errors;
        MockReply reply;
        reply.status = 429;
        reply.body = R"json({"error":{"message":"Rate limit exceeded (tunebench mock limits.rpm)","type":"requests","code":"rate_limit_exceeded"}})json";
        reply.headers.emplace_back("retry-after", "1");
        return reply;
      }
      MockReply reply = model.embeddings(req.body(), attempts[fnv1a64(req.body())]++);
      if (reply.status >= 400) ++errors;
      return reply;
    }
    if (req.method() == http::verb::get && path.ends_with("/models")) return model.list_models();
    MockReply reply;
    reply.status = 404;
    reply.body = R"json({"error":{"message":"unknown path (the mock serves /v1/chat/completions, /v1/embeddings and /v1/models)","type":"invalid_request_error"}})json";
    return reply;
  }

  // Counts arrivals in a sliding window; more than the limit allows (plus `burst` of slack for the
  // window's boundary and for arrivals bunched by the server's own scheduling) is a violation,
  // answered with a 429 as a provider would.
  bool over_limit() {
    const auto& limits = model.config().limits;
    if (limits.rpm <= 0) return false;
    const auto now = std::chrono::steady_clock::now();
    const auto window = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(limits.window_s));
    while (!recent.empty() && now - recent.front() > window) recent.pop_front();
    const auto allowed = static_cast<std::size_t>(std::ceil(limits.rpm * limits.window_s / 60.0)) +
                         static_cast<std::size_t>(limits.burst);
    if (recent.size() >= allowed) {
      ++violations;
      return true;
    }
    recent.push_back(now);
    return false;
  }

  asio::awaitable<void> session(tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    beast::error_code ec;
    asio::steady_timer delay(stream.get_executor());
    while (true) {
      http::request_parser<http::string_body> parser;
      parser.body_limit(64 * 1024 * 1024);
      stream.expires_after(std::chrono::seconds(300));
      co_await http::async_read(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
      if (ec) break;
      auto req = parser.release();
      const MockReply reply = dispatch(req);
      if (reply.delay_ms > 0) {
        delay.expires_after(std::chrono::microseconds(static_cast<long long>(reply.delay_ms * 1000)));
        co_await delay.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      }
      if (reply.fault == MockFault::reset) break;  // close without a word
      if (reply.fault == MockFault::truncate) {
        const std::string head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
                                 std::to_string(reply.body.size()) + "\r\n\r\n" + reply.body.substr(0, reply.body.size() / 2);
        co_await asio::async_write(stream.socket(), asio::buffer(head), asio::redirect_error(asio::use_awaitable, ec));
        break;
      }
      if (!reply.events.empty()) {
        http::response<http::empty_body> res{http::status::ok, req.version()};
        res.set(http::field::server, "tunebench-mock");
        res.set(http::field::content_type, "text/event-stream");
        res.set(http::field::cache_control, "no-cache");
        res.chunked(true);
        res.keep_alive(req.keep_alive());
        http::response_serializer<http::empty_body> serializer(res);
        stream.expires_after(std::chrono::seconds(60));
        co_await http::async_write_header(stream, serializer, asio::redirect_error(asio::use_awaitable, ec));
        for (std::size_t i = 0; i < reply.events.size() && !ec; ++i) {
          if (i > 0 && reply.event_delay_ms > 0) {
            delay.expires_after(std::chrono::microseconds(static_cast<long long>(reply.event_delay_ms * 1000)));
            co_await delay.async_wait(asio::redirect_error(asio::use_awaitable, ec));
          }
          co_await asio::async_write(stream, http::make_chunk(asio::buffer(reply.events[i])),
                                     asio::redirect_error(asio::use_awaitable, ec));
        }
        if (!ec) co_await asio::async_write(stream, http::make_chunk_last(), asio::redirect_error(asio::use_awaitable, ec));
        if (ec || !req.keep_alive()) break;
        continue;
      }
      http::response<http::string_body> res{static_cast<http::status>(reply.status), req.version()};
      res.set(http::field::server, "tunebench-mock");
      res.set(http::field::content_type, reply.content_type);
      for (const auto& [k, v] : reply.headers) res.set(k, v);
      res.keep_alive(req.keep_alive());
      res.body() = reply.body;
      res.prepare_payload();
      stream.expires_after(std::chrono::seconds(60));
      co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
      if (ec || !res.keep_alive()) break;
    }
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  asio::awaitable<void> listen() {
    while (true) {
      beast::error_code ec;
      tcp::socket socket = co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
        continue;  // e.g. too many open files: keep serving the connections we have
      }
      socket.set_option(tcp::no_delay(true), ec);
      asio::co_spawn(io, session(std::move(socket)), asio::detached);
    }
  }
};

MockServer::MockServer(MockModel model) : impl_(std::make_unique<Impl>(std::move(model))) {}

MockServer::~MockServer() { stop(); }

bool MockServer::start(const std::string& host, std::uint16_t port, std::string& error) {
  beast::error_code ec;
  const auto address = asio::ip::make_address(host, ec);
  if (ec) {
    error = "invalid listen address " + host + ": " + ec.message();
    return false;
  }
  const tcp::endpoint endpoint(address, port);
  impl_->acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl_->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl_->acceptor.bind(endpoint, ec);
  if (!ec) impl_->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    error = "cannot listen on " + host + ":" + std::to_string(port) + ": " + ec.message();
    return false;
  }
  impl_->port = impl_->acceptor.local_endpoint().port();
  asio::co_spawn(impl_->io, impl_->listen(), asio::detached);
  impl_->thread = std::thread([this] { impl_->io.run(); });
  return true;
}

std::uint16_t MockServer::port() const { return impl_->port; }

void MockServer::stop() {
  if (!impl_ || !impl_->thread.joinable()) return;
  asio::post(impl_->io, [this] {
    beast::error_code ec;
    impl_->acceptor.close(ec);
    impl_->io.stop();
  });
  impl_->thread.join();
}

MockCounters MockServer::counters() const {
  MockCounters c;
  c.requests = impl_->requests.load();
  c.chat_completions = impl_->chats.load();
  c.embeddings = impl_->embeddings.load();
  c.errors_sent = impl_->errors.load();
  c.limit_violations = impl_->violations.load();
  return c;
}

const MockModel& MockServer::model() const { return impl_->model; }

}  // namespace tb
