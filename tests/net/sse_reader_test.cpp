#include <catch2/catch.hpp>

#include <random>

#include "net/sse_reader.hpp"

using namespace tb;

namespace {

std::vector<SseEvent> parse_in_pieces(const std::string& stream, const std::vector<std::size_t>& cuts) {
  SseReader reader;
  std::vector<SseEvent> events;
  const auto handler = [&](const SseEvent& e) { events.push_back(e); };
  std::size_t start = 0;
  for (const std::size_t cut : cuts) {
    reader.feed(std::string_view(stream).substr(start, cut - start), handler);
    start = cut;
  }
  reader.feed(std::string_view(stream).substr(start), handler);
  reader.finish(handler);
  return events;
}

std::vector<std::string> datas(const std::vector<SseEvent>& events) {
  std::vector<std::string> out;
  for (const auto& e : events) out.push_back(e.data);
  return out;
}

const std::string kStream =
    ": keep-alive\r\n\r\n"
    "data: {\"a\":1}\r\n\r\n"
    "event: update\ndata: line one\ndata: line two\nid: 7\n\n"
    "data:no-space\r\r"
    ": comment in between\n"
    "retry: 1000\n"
    "data: [DONE]\n\n";

}  // namespace

TEST_CASE("SSE events with comments, CRLF, CR, multi-line data and fields", "[sse]") {
  const auto events = parse_in_pieces(kStream, {});
  REQUIRE(events.size() == 4);
  CHECK(events[0].data == "{\"a\":1}");
  CHECK(events[0].event == "message");
  CHECK(events[1].event == "update");
  CHECK(events[1].data == "line one\nline two");
  CHECK(events[1].id == "7");
  CHECK(events[2].data == "no-space");
  CHECK(events[3].data == "[DONE]");
}

TEST_CASE("SSE parsing is the same however the bytes are split", "[sse]") {
  const auto expected = datas(parse_in_pieces(kStream, {}));
  // Every single split point, including between CR and LF.
  for (std::size_t cut = 1; cut < kStream.size(); ++cut) {
    INFO("cut at " << cut);
    CHECK(datas(parse_in_pieces(kStream, {cut})) == expected);
  }
  // One byte at a time.
  std::vector<std::size_t> every;
  for (std::size_t i = 1; i < kStream.size(); ++i) every.push_back(i);
  CHECK(datas(parse_in_pieces(kStream, every)) == expected);
  // Random splits.
  std::mt19937 rng(7);
  for (int round = 0; round < 200; ++round) {
    std::vector<std::size_t> cuts;
    for (std::size_t i = 1; i < kStream.size(); ++i)
      if (rng() % 5 == 0) cuts.push_back(i);
    CHECK(datas(parse_in_pieces(kStream, cuts)) == expected);
  }
}

TEST_CASE("a last event without its blank line is still delivered at the end", "[sse]") {
  const auto events = parse_in_pieces("data: one\n\ndata: two", {});
  REQUIRE(events.size() == 2);
  CHECK(events[1].data == "two");
  CHECK(parse_in_pieces(": only a comment\n", {}).empty());
}
