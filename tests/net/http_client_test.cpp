#include <catch2/catch.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/asio/write.hpp>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "mock/mock_server.hpp"
#include "net/http_client.hpp"

using namespace tb;
namespace asio = boost::asio;

namespace {

HttpResponse send(HttpClient& client, asio::io_context& io, HttpRequest request) {
  auto future = asio::co_spawn(io, client.send(std::move(request)), asio::use_future);
  io.restart();
  io.run();
  return future.get();
}

HttpRequest chat_request(std::uint16_t port, const std::string& user) {
  std::string error;
  HttpRequest r;
  r.url = *parse_url("http://127.0.0.1:" + std::to_string(port) + "/v1", error);
  r.target = r.url.target("/chat/completions");
  r.headers.emplace_back("content-type", "application/json");
  r.body = nlohmann::json{{"model", "gpt-4o-mini"},
                          {"messages", {{{"role", "user"}, {"content", user}}}}}
               .dump();
  return r;
}

// GET / on a loopback port, for the raw-server cases.
HttpRequest get_root(const std::string& scheme, std::uint16_t port) {
  std::string error;
  HttpRequest r;
  r.method = "GET";
  r.url = *parse_url(scheme + "://127.0.0.1:" + std::to_string(port), error);
  r.target = "/";
  return r;
}

MockServer start_mock(double latency_ms) {
  MockConfig config = default_mock_config();
  config.latency.distribution = "fixed";
  config.latency.median_ms = latency_ms;
  config.latency.per_output_token_ms = 0;
  config.latency.per_prompt_token_ms = 0;
  MockModel model(config);
  model.add_case("hello", R"({"a":1})");
  return MockServer(std::move(model));
}

// A one-shot server that answers any request with a fixed raw HTTP response.
class RawServer {
 public:
  // hold_ms: how long the connection stays open, silent, after the response is written.
  explicit RawServer(std::string response, bool read_request = true, int hold_ms = 0)
      : acceptor_(io_, {asio::ip::make_address("127.0.0.1"), 0}) {
    thread_ = std::thread([this, read_request, hold_ms, response = std::move(response)] {
      asio::ip::tcp::socket socket(io_);
      acceptor_.accept(socket);
      asio::streambuf buffer;
      boost::system::error_code ec;
      if (read_request) asio::read_until(socket, buffer, "\r\n\r\n", ec);
      asio::write(socket, asio::buffer(response), ec);
      std::this_thread::sleep_for(std::chrono::milliseconds(hold_ms));
      socket.shutdown(asio::ip::tcp::socket::shutdown_both, ec);
    });
  }
  ~RawServer() { thread_.join(); }
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

 private:
  asio::io_context io_;
  asio::ip::tcp::acceptor acceptor_;
  std::thread thread_;
};

}  // namespace

TEST_CASE("requests over loopback reuse one keep-alive connection", "[net]") {
  auto server = start_mock(0);
  std::string error;
  REQUIRE(server.start("127.0.0.1", 0, error));
  asio::io_context io;
  HttpClient client(io.get_executor());
  for (int i = 0; i < 5; ++i) {
    const auto r = send(client, io, chat_request(server.port(), "hello"));
    REQUIRE(r.error == NetError::none);
    CHECK(r.status == 200);
    CHECK(nlohmann::json::parse(r.body)["object"] == "chat.completion");
    CHECK(r.header("content-type") == "application/json");
    CHECK(r.reused_connection == (i > 0));
  }
  CHECK(client.connections_opened() == 1);
  CHECK(server.counters().chat_completions == 5);
}

TEST_CASE("a refused connection is a connect error", "[net]") {
  std::uint16_t port = 0;
  {
    auto server = start_mock(0);
    std::string error;
    REQUIRE(server.start("127.0.0.1", 0, error));
    port = server.port();
  }
  asio::io_context io;
  HttpClient client(io.get_executor());
  const auto r = send(client, io, chat_request(port, "hello"));
  CHECK(r.error == NetError::connect);
  CHECK(r.error_message.find("cannot connect") != std::string::npos);
}

TEST_CASE("a slow answer past the timeout is a timeout", "[net]") {
  auto server = start_mock(2000);
  std::string error;
  REQUIRE(server.start("127.0.0.1", 0, error));
  asio::io_context io;
  HttpClient client(io.get_executor());
  auto request = chat_request(server.port(), "hello");
  request.timeout_s = 0.2;
  const auto r = send(client, io, request);
  CHECK(r.error == NetError::timeout);
}

TEST_CASE("chunked responses are reassembled and streamed to on_body", "[net]") {
  RawServer raw(
      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: "
      "chunked\r\nConnection: close\r\n\r\n"
      "5\r\n{\"a\":\r\n3\r\n12}\r\n0\r\n\r\n");
  asio::io_context io;
  HttpClient client(io.get_executor());
  HttpRequest request = get_root("http", raw.port());
  std::string streamed;
  request.on_body = [&](std::string_view piece) { streamed += piece; };
  const auto r = send(client, io, request);
  REQUIRE(r.error == NetError::none);
  CHECK(r.body == "{\"a\":12}");
  CHECK(streamed == r.body);
}

TEST_CASE("a connection closed mid-response is a reset", "[net]") {
  RawServer raw("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"partial\":");
  asio::io_context io;
  HttpClient client(io.get_executor());
  HttpRequest request = get_root("http", raw.port());
  const auto r = send(client, io, request);
  CHECK(r.error == NetError::reset);
}

TEST_CASE("TLS to a plain-text server fails cleanly", "[net]") {
  RawServer raw("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", /*read_request=*/false);
  asio::io_context io;
  HttpClient client(io.get_executor());
  HttpRequest request = get_root("https", raw.port());
  request.timeout_s = 2;
  request.connect_timeout_s = 2;
  const auto r = send(client, io, request);
  CHECK(r.error == NetError::tls);
}

TEST_CASE("a body that stops arriving times out the whole exchange", "[net]") {
  RawServer raw("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"partial\":", true, 1500);
  asio::io_context io;
  HttpClient client(io.get_executor());
  HttpRequest request = get_root("http", raw.port());
  request.timeout_s = 0.3;
  const auto start = std::chrono::steady_clock::now();
  const auto r = send(client, io, request);
  CHECK(r.error == NetError::timeout);
  CHECK(r.error_message.find("did not complete within the timeout") != std::string::npos);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::milliseconds(1200));
}

TEST_CASE("a TLS handshake that gets no answer times out within the connect timeout", "[net]") {
  RawServer raw("", /*read_request=*/false, 1500);
  asio::io_context io;
  HttpClient client(io.get_executor());
  HttpRequest request = get_root("https", raw.port());
  request.connect_timeout_s = 0.3;
  const auto start = std::chrono::steady_clock::now();
  const auto r = send(client, io, request);
  CHECK(r.error == NetError::timeout);
  CHECK(r.error_message.find("no answer within the connect timeout") != std::string::npos);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::milliseconds(1200));
}

TEST_CASE("after a timeout the next request gets a new connection and its own full timeout",
          "[net]") {
  auto server = start_mock(300);
  std::string error;
  REQUIRE(server.start("127.0.0.1", 0, error));
  asio::io_context io;
  HttpClient client(io.get_executor());
  auto slow = chat_request(server.port(), "hello");
  slow.timeout_s = 0.1;
  CHECK(send(client, io, slow).error == NetError::timeout);
  auto patient = chat_request(server.port(), "hello");
  patient.timeout_s = 5;
  for (int i = 0; i < 2; ++i) {
    const auto r = send(client, io, patient);
    REQUIRE(r.error == NetError::none);
    CHECK(r.status == 200);
  }
  CHECK(client.connections_opened() == 2);  // the timed-out one is dropped, the next is kept
}

TEST_CASE("cancel_all aborts the request in flight and nothing is sent after it", "[net]") {
  auto server = start_mock(1000);
  std::string error;
  REQUIRE(server.start("127.0.0.1", 0, error));
  asio::io_context io;
  HttpClient client(io.get_executor());
  // A first request opens a connection that goes back to the pool: the next one reuses it, and
  // a reused connection that fails before any answer is normally retried on a fresh one.
  auto quick = chat_request(server.port(), "hello");
  quick.timeout_s = 5;
  REQUIRE(send(client, io, quick).error == NetError::none);
  io.restart();
  asio::steady_timer stop(io);
  auto slow = chat_request(server.port(), "hello");
  slow.timeout_s = 5;
  auto future = asio::co_spawn(io, client.send(slow), asio::use_future);
  stop.expires_after(std::chrono::milliseconds(100));
  stop.async_wait([&](const boost::system::error_code&) { client.cancel_all(); });
  const auto start = std::chrono::steady_clock::now();
  io.run();
  const auto r = future.get();
  CHECK(r.error == NetError::reset);
  CHECK(r.reused_connection);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::milliseconds(900));
  const auto after = send(client, io, quick);
  CHECK(after.error == NetError::reset);
  CHECK(after.error_message.find("not sent") != std::string::npos);
  CHECK(client.connections_opened() == 1);  // no fresh connection after the cancel
}

TEST_CASE("a body larger than max_response_bytes is cut off as too_large, chunked or with a length",
          "[net][memory]") {
  std::string chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 20; ++i) chunked += "400\r\n" + std::string(1024, 'x') + "\r\n";
  chunked += "0\r\n\r\n";
  const std::string sized =
      "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + std::string(100000, 'x');
  for (const auto& response : {chunked, sized}) {
    RawServer raw(response);
    asio::io_context io;
    HttpClient client(io.get_executor());
    HttpRequest request = get_root("http", raw.port());
    request.max_response_bytes = 8192;
    std::size_t streamed = 0;
    request.on_body = [&](std::string_view piece) { streamed += piece.size(); };
    const auto r = send(client, io, request);
    CHECK(r.error == NetError::too_large);
    CHECK(r.error_message ==
          "the response from http://127.0.0.1:" + std::to_string(raw.port()) +
              " is larger than 8192 bytes (run.max_response_bytes); it was cut off there "
              "and not read to its end");
    CHECK(streamed <= 8192);
  }
  CHECK(HttpRequest{}.max_response_bytes == std::size_t{4} << 20);
}
