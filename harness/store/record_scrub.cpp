#include "store/record_scrub.hpp"

#include "common/secrets.hpp"
#include "common/utf8.hpp"

namespace tb {
namespace {

void clean(std::string& text) {
  Secrets::redact_in_place(text);
  make_valid_utf8(text);
}

}  // namespace

void make_valid_utf8(std::string& text) {
  if (valid_utf8(text)) return;
  std::string out;
  out.reserve(text.size() + 16);
  for (std::size_t i = 0; i < text.size();) {
    if (static_cast<unsigned char>(text[i]) < 0x80) {
      out.push_back(text[i++]);
      continue;
    }
    const std::size_t len = utf8_sequence_length(text, i);
    if (len == 0) {
      out += "\xEF\xBF\xBD";  // U+FFFD REPLACEMENT CHARACTER
      ++i;
    } else {
      out.append(text, i, len);
      i += len;
    }
  }
  text = std::move(out);
}

void scrub(ResultRecord& r) {
  // The assembled output is scrubbed as a whole: a streamed answer may spell the key across
  // several events, which no scan of a single event would see.
  for (std::string* text : {&r.output, &r.error_message, &r.finish_reason, &r.failure_path,
                            &r.request_json, &r.response_body})
    clean(*text);
  for (auto& c : r.checks) clean(c.detail);
  for (auto& j : r.judge_calls) {
    clean(j.label);
    clean(j.error);
  }
}

void scrub(CaseRecord& c) {
  clean(c.messages_json);
  clean(c.reference);
  clean(c.tags);
}

void scrub(CacheRecord& c) {
  clean(c.body);
}

}  // namespace tb
