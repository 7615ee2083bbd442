#pragma once
#include <ostream>
#include <string_view>

namespace tb {

class Store;

// One row per result (RFC 4180: CRLF, quoted where needed), streamed from the store.
void write_csv_report(Store& store, long long run_id, std::ostream& out);

// RFC 4180 field quoting.
std::string csv_field(std::string_view value);

}  // namespace tb
