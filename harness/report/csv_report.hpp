#pragma once
#include <ostream>
#include <string_view>

namespace tb {

class Store;

// One row per result (RFC 4180: CRLF, quoted where needed), streamed from the store.
void write_csv_report(Store& store, long long run_id, std::ostream& out);

// RFC 4180 field quoting; a text that a spreadsheet would run as a formula (starting with =, +,
// -, @, tab or CR) gets a leading single quote and quotes (OWASP's CSV injection advice).
std::string csv_field(std::string_view value);

}  // namespace tb
