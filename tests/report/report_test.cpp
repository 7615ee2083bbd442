#include <catch2/catch.hpp>

#include "report/csv_report.hpp"
#include "report/report_text.hpp"

using namespace tb;

TEST_CASE("CSV fields are quoted per RFC 4180", "[report]") {
  CHECK(csv_field("plain") == "plain");
  CHECK(csv_field("a,b") == "\"a,b\"");
  CHECK(csv_field("say \"hi\"") == "\"say \"\"hi\"\"\"");
  CHECK(csv_field("two\nlines") == "\"two\nlines\"");
  CHECK(csv_field("") == "");
}

TEST_CASE("CSV cells a spreadsheet would run as formulas are neutralised (OWASP)", "[report][security]") {
  CHECK(csv_field("=HYPERLINK(\"http://evil\",\"x\")") == "\"'=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\"");
  CHECK(csv_field("+1+cmd|' /C calc'!A0") == "\"'+1+cmd|' /C calc'!A0\"");
  CHECK(csv_field("-2+3") == "\"'-2+3\"");
  CHECK(csv_field("@SUM(A1)") == "\"'@SUM(A1)\"");
  CHECK(csv_field("\t=1") == "\"'\t=1\"");
  CHECK(csv_field("\r=1") == "\"'\r=1\"");
  // Only the first character matters.
  CHECK(csv_field("a=b") == "a=b");
  CHECK(csv_field("{\"term\":\"-x\"}") == "\"{\"\"term\"\":\"\"-x\"\"}\"");
}

TEST_CASE("report number formats", "[report]") {
  CHECK(format_usd(0.153) == "$0.1530");
  CHECK(format_usd(12.345) == "$12.35");
  CHECK(format_usd(12345.6) == "$12,346");
  CHECK(format_usd(0.000108) == "$0.000108");
  CHECK(format_pct(0.9733) == "97.3%");
  CHECK(html_escape("<b a=\"x\">&'") == "&lt;b a=&quot;x&quot;&gt;&amp;&#39;");
}
