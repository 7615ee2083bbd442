// Fuzzes the SSE reader (net/sse_reader): the input is a response body fed three ways, whole,
// one byte at a time and in pieces split at pseudo-random places (seeded from the input, so a
// crash reproduces); the three must dispatch the same events. A CR ending one piece and an LF
// starting the next is the case that splitting exists to catch.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string_view>
#include <vector>

#include "net/sse_reader.hpp"

namespace {

using Events = std::vector<tb::SseEvent>;

template <typename Split>
Events read(std::string_view body, Split split) {
  Events events;
  tb::SseReader reader;
  const auto on_event = [&](const tb::SseEvent& e) { events.push_back(e); };
  split(body, [&](std::string_view piece) { reader.feed(piece, on_event); });
  reader.finish(on_event);
  return events;
}

bool same(const Events& a, const Events& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i].event != b[i].event || a[i].data != b[i].data || a[i].id != b[i].id) return false;
  return true;
}

std::uint64_t fnv1a(std::string_view s) {
  std::uint64_t h = 14695981039346656037ull;
  for (const char c : s) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  return h;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  const Events whole = read(body, [](std::string_view b, auto feed) { feed(b); });
  const Events bytes = read(body, [](std::string_view b, auto feed) {
    for (std::size_t i = 0; i < b.size(); ++i) feed(b.substr(i, 1));
  });
  const Events pieces = read(body, [](std::string_view b, auto feed) {
    std::mt19937_64 random(fnv1a(b));
    while (!b.empty()) {
      // Mostly short pieces (where line ends split), sometimes empty ones, now and then long.
      const std::size_t n =
          std::min<std::size_t>(b.size(), random() % 4 == 0 ? random() % 64 : random() % 4);
      feed(b.substr(0, n));
      b.remove_prefix(n);
    }
  });
  for (const auto& e : whole)
    if (e.event.empty()) std::abort();  // dispatched events are named ("message" by default)
  if (!same(whole, bytes) || !same(whole, pieces)) {
    std::fprintf(
        stderr,
        "sse_reader_fuzz: events differ with the split (%zu whole, %zu bytes, %zu pieces)\n",
        whole.size(), bytes.size(), pieces.size());
    std::abort();
  }
  return 0;
}
