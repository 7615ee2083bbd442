#pragma once
// JUnit XML, the format CI systems read as test results (GitHub and GitLab test reports,
// Jenkins): for a run, one <testsuite> per variant with one <testcase> per case (its repeats
// folded in: the failure lists the failing repeats and checks with an output excerpt) and one
// <testsuite> of gates; for a comparison, one <testsuite> per pair of variants whose failures
// are the cases that regressed.
#include <ostream>
#include <vector>

#include "store/records.hpp"

namespace tb {

class Store;
struct RunSummary;
struct RunComparison;

void write_run_junit(Store& store, const RunSummary& summary, const std::vector<GateRecord>& gates,
                     std::ostream& out);

// `b_store` holds run B of the comparison, whose outputs and checks explain each regression.
void write_compare_junit(const RunComparison& comparison, Store& b_store, const std::vector<GateRecord>& gates,
                         std::ostream& out);

// Text as XML character data or attribute value: escaped, control characters XML 1.0 forbids
// replaced, invalid UTF-8 replaced by U+FFFD.
std::string xml_escape(std::string_view text);

}  // namespace tb
