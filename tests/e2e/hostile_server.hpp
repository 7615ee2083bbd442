#pragma once
// A loopback server that misbehaves on purpose, for end-to-end tests of the real CLI against
// what a broken or hostile OpenAI-compatible endpoint may send back.
#include <memory>
#include <string>

namespace tb::test {

// How the server answers every POST (any path); other requests get 404.
enum class Hostile {
  echo_key,          // 200: the Authorization header's key in the answer and the body, as is
  echo_key_escaped,  // 200: the key \u-escaped in the answer, \/-escaped and %-encoded elsewhere
  echo_key_sse,      // SSE: the key split across three content deltas, one of them \u-escaped
  echo_key_401,      // 401 whose error message quotes the key
  endless_body,      // 200, a chunked body that never ends
  endless_sse,       // SSE content deltas that never end
  deep_json,         // 200: the answer is a JSON array nested 100,000 levels deep
  deep_body,         // 200: the body itself is an array nested 100,000 levels deep
  slow_drip,         // 200: one byte of the body every 50 ms
  usage_missing,     // 200: a valid answer without usage
  usage_wrong_type,  // 200: usage counts as strings and null
  usage_negative,    // 200: negative usage counts
  gzip_body,         // 200 with Content-Encoding: gzip although the request asked for none
  bad_utf8,          // 200: answer content with bytes that are not UTF-8
  redirect,          // 307 to another URL
  answer,            // 200: a valid answer (with tls: true, to test certificate checks)
  retry_after_hour,  // 429 with Retry-After: 3600 (and retry-after-ms) on every request
  retry_after_hour_alternate,  // the same on odd-numbered requests, a valid answer on the others
  retry_after_hour_judge,      // the same for a judge's requests (response_format), else an answer
};

class HostileServer {
 public:
  // Listens on 127.0.0.1, an ephemeral port; `tls` wraps every connection in TLS with a freshly
  // made self-signed certificate (which a verifying client must refuse).
  explicit HostileServer(Hostile mode, bool tls = false);
  ~HostileServer();  // closes every connection and joins
  HostileServer(const HostileServer&) = delete;
  HostileServer& operator=(const HostileServer&) = delete;

  int port() const;
  std::string base_url() const;   // "http(s)://127.0.0.1:PORT/v1"
  long long requests() const;     // requests read (with TLS: after a completed handshake)
  long long connections() const;  // connections accepted

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tb::test
