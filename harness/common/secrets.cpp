#include "common/secrets.hpp"

#include <cstdlib>
#include <mutex>
#include <vector>

namespace tb {
namespace {

struct Registry {
  std::mutex mutex;
  std::vector<std::string> values;
};

Registry& registry() {
  static Registry r;
  return r;
}

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
}

std::string Secrets::redact(std::string_view text) {
  std::string out(text);
  redact_in_place(out);
  return out;
}

void Secrets::redact_in_place(std::string& text) {
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  for (const auto& secret : r.values) {
    for (auto pos = text.find(secret); pos != std::string::npos; pos = text.find(secret, pos))
      text.replace(pos, secret.size(), "[REDACTED]");
  }
}

}  // namespace tb
