#include "common/secrets.hpp"

#include <atomic>
#include <cstdlib>
#include <mutex>
#include <vector>

#include "common/secrets_match.hpp"

namespace tb {
namespace {

struct Registry {
  std::mutex mutex;
  std::vector<std::string> values;
  std::atomic<bool> any{false};
};

Registry& registry() {
  static Registry r;
  return r;
}

constexpr std::string_view kRedacted = "[REDACTED]";

}  // namespace

std::string Secrets::from_env(std::string_view variable) {
  const char* value = std::getenv(std::string(variable).c_str());
  if (value == nullptr) return {};
  std::string v(value);
  add(v);
  return v;
}

void Secrets::add(std::string value) {
  // Very short values would redact ordinary words; no real key is that short.
  if (value.size() < 8) return;
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  for (const auto& v : r.values)
    if (v == value) return;
  r.values.push_back(std::move(value));
  r.any = true;
}

bool Secrets::any() {
  return registry().any.load(std::memory_order_relaxed);
}

std::string Secrets::redact(std::string_view text) {
  std::string out(text);
  redact_in_place(out);
  return out;
}

void Secrets::redact_in_place(std::string& text) {
  if (!any()) return;
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  for (const auto& secret : r.values) {
    const auto ranges = find_secret(text, secret);
    // From the last range back, so the offsets of the earlier ones stay valid.
    for (auto it = ranges.rbegin(); it != ranges.rend(); ++it)
      text.replace(it->first, it->second - it->first, kRedacted);
  }
}

}  // namespace tb
