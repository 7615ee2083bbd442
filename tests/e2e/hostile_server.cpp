#include "e2e/hostile_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <list>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

namespace tb::test {
namespace {

struct SslCtxDeleter {
  void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
};
struct SslDeleter {
  void operator()(SSL* s) const { SSL_free(s); }
};
struct KeyDeleter {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct CertDeleter {
  void operator()(X509* x) const { X509_free(x); }
};

// A server context with a self-signed certificate for 127.0.0.1, made on the spot.
std::unique_ptr<SSL_CTX, SslCtxDeleter> self_signed_context() {
  std::unique_ptr<EVP_PKEY, KeyDeleter> key(EVP_EC_gen("P-256"));
  std::unique_ptr<X509, CertDeleter> cert(X509_new());
  if (!key || !cert) throw std::runtime_error("cannot make a test key");
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("127.0.0.1"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  X509_sign(cert.get(), key.get(), EVP_sha256());
  std::unique_ptr<SSL_CTX, SslCtxDeleter> ctx(SSL_CTX_new(TLS_server_method()));
  if (!ctx || SSL_CTX_use_certificate(ctx.get(), cert.get()) != 1 ||
      SSL_CTX_use_PrivateKey(ctx.get(), key.get()) != 1)
    throw std::runtime_error("cannot make a test TLS context");
  return ctx;
}

// One accepted connection, plain or TLS.
class Connection {
 public:
  Connection(int fd, SSL_CTX* tls) : fd_(fd) {
    if (tls != nullptr) {
      ssl_.reset(SSL_new(tls));
      SSL_set_fd(ssl_.get(), fd_);
    }
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  bool handshake() { return !ssl_ || SSL_accept(ssl_.get()) == 1; }
  long read_some(char* buffer, std::size_t size) {
    if (ssl_) return SSL_read(ssl_.get(), buffer, static_cast<int>(size));
    return ::recv(fd_, buffer, size, 0);
  }
  bool write(std::string_view data) {
    while (!data.empty()) {
      const long n = ssl_ ? SSL_write(ssl_.get(), data.data(), static_cast<int>(data.size()))
                          : ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

 private:
  int fd_;
  std::unique_ptr<SSL, SslDeleter> ssl_;
};

struct Request {
  std::string key;  // from "authorization: Bearer KEY"
  bool stream = false;
  bool judge = false;  // asks for a JSON verdict (response_format), as a judge check does
};

std::string to_lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Reads one request (head and Content-Length body) from the connection; false at its end.
bool read_request(Connection& c, std::string& buffer, Request& out) {
  char chunk[16384];
  std::size_t head_end = std::string::npos;
  while ((head_end = buffer.find("\r\n\r\n")) == std::string::npos) {
    const long n = c.read_some(chunk, sizeof chunk);
    if (n <= 0) return false;
    buffer.append(chunk, static_cast<std::size_t>(n));
  }
  const std::string head = buffer.substr(0, head_end);
  std::size_t length = 0;
  out = Request{};
  for (std::size_t at = head.find("\r\n"); at != std::string::npos;) {
    const std::size_t next = head.find("\r\n", at + 2);
    const std::string line =
        head.substr(at + 2, next == std::string::npos ? std::string::npos : next - at - 2);
    const auto colon = line.find(':');
    if (colon != std::string::npos) {
      const std::string name = to_lower(line.substr(0, colon));
      std::string value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      if (name == "content-length") length = std::stoul(value);
      if (name == "authorization") out.key = value.starts_with("Bearer ") ? value.substr(7) : value;
    }
    at = next;
  }
  while (buffer.size() < head_end + 4 + length) {
    const long n = c.read_some(chunk, sizeof chunk);
    if (n <= 0) return false;
    buffer.append(chunk, static_cast<std::size_t>(n));
  }
  const std::string body = buffer.substr(head_end + 4, length);
  out.stream = body.find("\"stream\":true") != std::string::npos;
  out.judge = body.find("\"response_format\"") != std::string::npos;
  buffer.erase(0, head_end + 4 + length);
  return true;
}

std::string u_escaped(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    out += "\\u00";
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

std::string percent_encoded(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    out += '%';
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

std::string slash_escaped(std::string_view s) {
  std::string out;
  for (const char c : s) out += c == '/' ? std::string("\\/") : std::string(1, c);
  return out;
}

constexpr std::string_view kUsage =
    R"({"prompt_tokens":12,"completion_tokens":5,"total_tokens":17})";

// A chat.completion whose content is the JSON string literal `content` (quotes included).
std::string completion(const std::string& content, std::string_view usage = kUsage,
                       const std::string& extra = "") {
  std::string body = R"({"id":"chatcmpl-hostile","object":"chat.completion","created":0,)"
                     R"("model":"gpt-4o-mini",)" +
                     extra + R"("choices":[{"index":0,"message":{"role":"assistant","content":)" +
                     content + R"(},"finish_reason":"stop"}])";
  if (!usage.empty()) body += ",\"usage\":" + std::string(usage);
  return body + "}";
}

std::string response(int status, const std::string& body,
                     const std::string& headers = "Content-Type: application/json\r\n") {
  const char* reason = status == 200   ? "OK"
                       : status == 401 ? "Unauthorized"
                       : status == 307 ? "Temporary Redirect"
                       : status == 429 ? "Too Many Requests"
                                       : "Error";
  return "HTTP/1.1 " + std::to_string(status) + " " + reason + "\r\n" + headers +
         "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

std::string chunk(std::string_view data) {
  char size[32];
  std::snprintf(size, sizeof size, "%zx\r\n", data.size());
  return size + std::string(data) + "\r\n";
}

std::string sse_delta(const std::string& content_literal) {
  return "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o-mini\","
         "\"choices\":[{\"index\":0,\"delta\":{\"content\":" +
         content_literal + "},\"finish_reason\":null}]}\n\n";
}

constexpr unsigned char kGzip[] = {
    0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0x15, 0xcb, 0x41, 0x0a, 0x80,
    0x30, 0x0c, 0x04, 0xc0, 0xbf, 0xec, 0x59, 0x7c, 0x40, 0xbf, 0x22, 0x1e, 0xda, 0xb0, 0xd8,
    0x4a, 0xdb, 0x08, 0xc9, 0xad, 0xe4, 0xef, 0xea, 0x75, 0x60, 0x16, 0xb4, 0xdc, 0x14, 0x47,
    0x82, 0xd4, 0xec, 0xbb, 0xe8, 0x78, 0x3a, 0xbd, 0xe9, 0xc4, 0xf6, 0x89, 0x36, 0xa1, 0x21,
    0x1d, 0x0b, 0x83, 0x66, 0xf9, 0x22, 0xd2, 0x82, 0xe8, 0x74, 0xce, 0xbf, 0x54, 0xf6, 0xae,
    0x88, 0x38, 0xe3, 0x05, 0xbd, 0x0b, 0xe7, 0xe1, 0x48, 0x00, 0x00, 0x00};

}  // namespace

struct HostileServer::Impl {
  Hostile mode;
  std::unique_ptr<SSL_CTX, SslCtxDeleter> tls;
  int listener = -1;
  int port = 0;
  std::atomic<bool> stopping{false};
  std::atomic<long long> requests{0}, connections{0};
  std::mutex mutex;
  std::vector<int> open_fds;
  std::list<std::thread> threads;
  std::thread acceptor;

  bool pause_ms(int ms) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    while (std::chrono::steady_clock::now() < end) {
      if (stopping) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return !stopping;
  }

  // Answers one request (the n-th this server read); false when the connection must close.
  bool answer(Connection& c, const Request& req, long long n) {
    const std::string& key = req.key;
    switch (mode) {
      case Hostile::echo_key:
        return c.write(response(200, completion("\"the key is " + key + "\"", kUsage,
                                                "\"system_fingerprint\":\"" + key + "\",")));
      case Hostile::echo_key_escaped:
        return c.write(response(
            200, completion("\"the key is " + u_escaped(key) + "\"", kUsage,
                            "\"system_fingerprint\":\"" + slash_escaped(key) +
                                "\",\"x_url\":\"https://h/?k=" + percent_encoded(key) + "\",")));
      case Hostile::echo_key_sse: {
        std::string events = sse_delta("\"the key is \"") +
                             sse_delta("\"" + key.substr(0, 4) + "\"") +
                             sse_delta("\"" + u_escaped(key.substr(4, 6)) + "\"") +
                             sse_delta("\"" + key.substr(10) + "\"");
        events +=
            "data: "
            "{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
            "\"delta\":{},"
            "\"finish_reason\":\"stop\"}]}\n\n";
        events +=
            "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[],\"usage\":" +
            std::string(kUsage) + "}\n\ndata: [DONE]\n\n";
        return c.write(response(200, events, "Content-Type: text/event-stream\r\n"));
      }
      case Hostile::echo_key_401:
        return c.write(
            response(401, R"({"error":{"message":"Incorrect API key provided: )" + key +
                              R"(","type":"invalid_request_error","code":"invalid_api_key"}})"));
      case Hostile::endless_body: {
        if (!c.write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: "
                     "chunked\r\n\r\n"))
          return false;
        const std::string piece = chunk("{\"choices\":[" + std::string(65536, ' '));
        while (!stopping && c.write(piece)) {
        }
        return false;
      }
      case Hostile::endless_sse: {
        if (!c.write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: "
                     "chunked\r\n\r\n"))
          return false;
        std::string events;
        while (events.size() < 65536) events += sse_delta("\"" + std::string(1000, 'x') + "\"");
        const std::string piece = chunk(events);
        while (!stopping && c.write(piece)) {
        }
        return false;
      }
      case Hostile::deep_json:
        return c.write(response(
            200, completion("\"" + std::string(100000, '[') + std::string(100000, ']') + "\"")));
      case Hostile::deep_body:
        return c.write(response(200, std::string(100000, '[') + std::string(100000, ']')));
      case Hostile::slow_drip: {
        const std::string body = completion("\"" + std::string(2000, 'x') + "\"");
        if (!c.write(response(200, body).substr(0, response(200, body).size() - body.size())))
          return false;
        for (const char ch : body)
          if (!pause_ms(50) || !c.write(std::string_view(&ch, 1))) return false;
        return true;
      }
      case Hostile::usage_missing:
        return c.write(response(200, completion(R"("{\"term\":\"x\"}")", "")));
      case Hostile::usage_wrong_type:
        return c.write(response(
            200,
            completion(
                R"("{\"term\":\"x\"}")",
                R"({"prompt_tokens":"12","completion_tokens":null,"prompt_tokens_details":{"cached_tokens":"x"}})")));
      case Hostile::usage_negative:
        return c.write(response(
            200,
            completion(
                R"("{\"term\":\"x\"}")",
                R"({"prompt_tokens":-12,"completion_tokens":-100000000,"prompt_tokens_details":{"cached_tokens":-5}})")));
      case Hostile::gzip_body:
        return c.write(response(200,
                                std::string(reinterpret_cast<const char*>(kGzip), sizeof kGzip),
                                "Content-Type: application/json\r\nContent-Encoding: gzip\r\n"));
      case Hostile::bad_utf8:
        // Early in the body too, so that an error message quoting its start holds them.
        return c.write(response(200, completion("\"caf\xC3\x28 \xFF\xFE\xFD and \xE2\x82 end\"",
                                                kUsage, "\"x\":\"\xFF\xFE\",")));
      case Hostile::redirect:
        return c.write(response(307, "", "Location: http://127.0.0.1:1/v1/chat/completions\r\n"));
      case Hostile::answer:
        return c.write(response(200, completion(R"("{\"term\":\"x\"}")")));
      case Hostile::retry_after_hour:
      case Hostile::retry_after_hour_alternate:
      case Hostile::retry_after_hour_judge:
        if ((mode == Hostile::retry_after_hour_alternate && n % 2 == 0) ||
            (mode == Hostile::retry_after_hour_judge && !req.judge))
          return c.write(response(200, completion(R"("{\"term\":\"x\"}")")));
        return c.write(response(
            429,
            R"({"error":{"message":"Rate limit reached; try again in an hour","type":"requests"}})",
            "Content-Type: application/json\r\nRetry-After: 3600\r\nretry-after-ms: 3600000\r\n"));
    }
    return false;
  }

  void serve(int fd) {
    {
      Connection c(fd, tls.get());
      std::string buffer;
      Request req;
      if (c.handshake()) {
        while (!stopping && read_request(c, buffer, req)) {
          if (!answer(c, req, ++requests)) break;
        }
      }
    }
    // Forgotten before it is closed: the destructor must not shut down a reused descriptor.
    std::lock_guard lock(mutex);
    std::erase(open_fds, fd);
    ::close(fd);
  }

  void accept_loop() {
    while (!stopping) {
      const int fd = ::accept(listener, nullptr, nullptr);
      if (fd < 0) {
        if (stopping) return;
        continue;
      }
      ++connections;
      const int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      std::lock_guard lock(mutex);
      open_fds.push_back(fd);
      threads.emplace_back([this, fd] { serve(fd); });
    }
  }
};

HostileServer::HostileServer(Hostile mode, bool tls) : impl_(std::make_unique<Impl>()) {
  ::signal(SIGPIPE, SIG_IGN);  // TLS writes to a closed socket would otherwise kill the tests
  impl_->mode = mode;
  if (tls) impl_->tls = self_signed_context();
  impl_->listener = ::socket(AF_INET, SOCK_STREAM, 0);
  const int one = 1;
  ::setsockopt(impl_->listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (::bind(impl_->listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(impl_->listener, 256) != 0)
    throw std::runtime_error(std::string("hostile server cannot listen: ") + std::strerror(errno));
  socklen_t len = sizeof addr;
  ::getsockname(impl_->listener, reinterpret_cast<sockaddr*>(&addr), &len);
  impl_->port = ntohs(addr.sin_port);
  impl_->acceptor = std::thread([this] { impl_->accept_loop(); });
}

HostileServer::~HostileServer() {
  impl_->stopping = true;
  ::shutdown(impl_->listener, SHUT_RDWR);
  impl_->acceptor.join();
  ::close(impl_->listener);
  {
    std::lock_guard lock(impl_->mutex);
    for (const int fd : impl_->open_fds) ::shutdown(fd, SHUT_RDWR);
  }
  for (auto& t : impl_->threads) t.join();
}

int HostileServer::port() const {
  return impl_->port;
}

std::string HostileServer::base_url() const {
  return std::string(impl_->tls ? "https" : "http") +
         "://127.0.0.1:" + std::to_string(impl_->port) + "/v1";
}

long long HostileServer::requests() const {
  return impl_->requests;
}
long long HostileServer::connections() const {
  return impl_->connections;
}

}  // namespace tb::test
