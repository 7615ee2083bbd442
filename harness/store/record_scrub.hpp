#pragma once
// What the store keeps of a record's texts: every registered secret redacted (in every form a
// server may echo it, see common/secrets.hpp), so that nothing a server sends back can put an API
// key into the database or, through it, into a report.
#include "store/records.hpp"

namespace tb {

void scrub(ResultRecord& r);
void scrub(CaseRecord& c);
void scrub(CacheRecord& c);

}  // namespace tb
