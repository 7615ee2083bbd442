#include "mock/mock_grounding.hpp"

#include "common/json_depth.hpp"
#include "common/text.hpp"

#include <nlohmann/json.hpp>

namespace tb {
namespace {

constexpr std::uint64_t kBase = 1099511628211ULL;

std::uint64_t power_of_base(std::size_t n) {
  std::uint64_t p = 1;
  for (std::size_t i = 0; i < n; ++i) p *= kBase;
  return p;
}

}  // namespace

std::string MockGrounding::normalize(std::string_view text) {
  return fold_text(text);
}

std::uint64_t MockGrounding::window_hash(std::string_view s) {
  std::uint64_t h = 0;
  for (std::size_t i = 0; i < kMinEvidence; ++i) h = h * kBase + static_cast<unsigned char>(s[i]);
  return h;
}

bool MockGrounding::add(std::size_t id, std::string_view reference) {
  const auto parsed = parse_json_bounded(reference);
  std::string evidence;
  if (!parsed.is_discarded() && parsed.is_object()) {
    for (const auto& [key, value] : parsed.items())
      if (value.is_string() && value.get_ref<const std::string&>().size() > evidence.size())
        evidence = value.get<std::string>();
  } else {
    evidence = std::string(reference);
  }
  evidence = normalize(evidence);
  if (evidence.size() < kMinEvidence) return false;
  const std::uint64_t h = window_hash(evidence);
  by_prefix_[h].push_back(id);
  maybe_prefix_.set(h & 0xFFFF);
  evidence_[id] = std::move(evidence);
  return true;
}

MockGrounding::Finding MockGrounding::find(std::string_view context, std::size_t own) const {
  Finding finding;
  const std::string text = normalize(context);
  if (text.size() < kMinEvidence) return finding;
  if (const auto it = evidence_.find(own);
      it != evidence_.end() && text.find(it->second) != std::string::npos) {
    finding.grounded = true;
    return finding;
  }
  // Rabin-Karp over the prompt: one hash per position, a look-up for evidence starting there.
  const std::uint64_t drop = power_of_base(kMinEvidence - 1);
  std::uint64_t h = window_hash(text);
  for (std::size_t at = 0;; ++at) {
    if (const auto hit = maybe_prefix_.test(h & 0xFFFF) ? by_prefix_.find(h) : by_prefix_.end();
        hit != by_prefix_.end()) {
      for (const std::size_t id : hit->second) {
        if (id == own) continue;
        const std::string& e = evidence_.at(id);
        if (text.compare(at, e.size(), e) == 0) {
          finding.misled_by = id;
          return finding;
        }
      }
    }
    if (at + kMinEvidence >= text.size()) break;
    h = (h - drop * static_cast<unsigned char>(text[at])) * kBase +
        static_cast<unsigned char>(text[at + kMinEvidence]);
  }
  return finding;
}

}  // namespace tb
