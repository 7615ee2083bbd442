#pragma once
// What the store keeps of a record's texts: every registered secret redacted (in every form a
// server may echo it, see common/secrets.hpp), so that nothing a server sends back can put an API
// key into the database or, through it, into a report; and valid UTF-8, each byte that is not
// part of a valid sequence replaced by U+FFFD, so that TEXT columns and every report written from
// them (HTML declared UTF-8, CSV) are valid UTF-8 whatever a server sent (an unrequested gzip
// body, broken bytes in an answer).
#include "store/records.hpp"

namespace tb {

void scrub(ResultRecord& r);
void scrub(CaseRecord& c);
void scrub(CacheRecord& c);

// `text` with every byte that is not part of valid UTF-8 replaced by U+FFFD; unchanged (no copy)
// when it is valid.
void make_valid_utf8(std::string& text);

}  // namespace tb
