#include "store/record_scrub.hpp"

#include "common/secrets.hpp"

namespace tb {
namespace {

void clean(std::string& text) {
  Secrets::redact_in_place(text);
}

}  // namespace

void scrub(ResultRecord& r) {
  // The assembled output is scrubbed as a whole: a streamed answer may spell the key across
  // several events, which no scan of a single event would see.
  for (std::string* text : {&r.output, &r.error_message, &r.finish_reason, &r.failure_path,
                            &r.request_json, &r.response_body})
    clean(*text);
  for (auto& c : r.checks) clean(c.detail);
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
