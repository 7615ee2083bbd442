#include <catch2/catch.hpp>

#include "run/retry_policy.hpp"

using namespace tb;

TEST_CASE("provider durations parse to milliseconds", "[retry]") {
  CHECK(parse_duration_ms("1s") == std::optional<double>(1000));
  CHECK(parse_duration_ms("20ms") == std::optional<double>(20));
  CHECK(parse_duration_ms("6m0s") == std::optional<double>(360000));
  CHECK(parse_duration_ms("1h2m3.5s") == std::optional<double>(3723500));
  CHECK(parse_duration_ms("0.5") == std::optional<double>(500));
  CHECK_FALSE(parse_duration_ms("soon").has_value());
  CHECK_FALSE(parse_duration_ms("").has_value());
}

TEST_CASE("the server's wait hints are honoured, the longest wins", "[retry]") {
  HttpResponse r;
  CHECK_FALSE(server_wait_ms(r).has_value());
  r.headers = {{"retry-after", "2"}};
  CHECK(server_wait_ms(r) == std::optional<double>(2000));
  r.headers = {{"retry-after-ms", "150"}, {"retry-after", "1"}};
  CHECK(server_wait_ms(r) == std::optional<double>(150));
  r.headers = {{"x-ratelimit-remaining-requests", "0"}, {"x-ratelimit-reset-requests", "1.5s"},
               {"x-ratelimit-remaining-tokens", "100"}, {"x-ratelimit-reset-tokens", "6m"}};
  CHECK(server_wait_ms(r) == std::optional<double>(1500));
}

TEST_CASE("backoff grows exponentially under a cap, with full jitter", "[retry]") {
  CHECK(backoff_ms(1, 0.999) == Approx(499.5));
  CHECK(backoff_ms(3, 0.5) == Approx(1000));
  CHECK(backoff_ms(20, 1.0) == Approx(30000));
  CHECK(backoff_ms(2, 0.0) == 0);
}

TEST_CASE("a refused wait says what was asked and the cap", "[retry][waits]") {
  CHECK(wait_refused_note(3600000, 60) ==
        "the server asked to wait 3600 s before a retry, more than run.max_retry_wait_s (60 s)");
  CHECK(wait_refused_note(1500, 0.5) ==
        "the server asked to wait 1.5 s before a retry, more than run.max_retry_wait_s (0.5 s)");
}
