#include "report/junit_report.hpp"

#include <map>

#include <nlohmann/json.hpp>

#include "analysis/run_compare.hpp"
#include "analysis/run_summary.hpp"
#include "common/json_depth.hpp"
#include "common/text.hpp"
#include "common/utf8.hpp"
#include "store/result_facts.hpp"
#include "store/store.hpp"

namespace tb {

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      const std::size_t len = utf8_sequence_length(text, i);
      if (len == 0) {
        out += "\xEF\xBF\xBD";
        ++i;
      } else {
        out.append(text.substr(i, len));
        i += len;
      }
      continue;
    }
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      case '\t': case '\n': case '\r': out += static_cast<char>(c); break;
      default: out += c < 0x20 ? "\xEF\xBF\xBD" : std::string(1, static_cast<char>(c));
    }
    ++i;
  }
  return out;
}

namespace {

constexpr std::size_t kExcerpt = 300;

std::string seconds(double ms) {
  return fixed(ms / 1000.0, 3);
}

// What a case's failing repeats say: "repeat 2: json-schema: /category: ...; output: {...}".
struct CaseReport {
  std::string case_id;
  long long case_index = -1;
  int runs = 0, failed = 0, errors = 0;
  double latency_ms = 0;
  std::string message;  // the failing checks, short
  std::string body;     // every failing repeat with its checks and an output excerpt
};

void add_repeat(CaseReport& c, const ResultRecord& r) {
  ++c.runs;
  c.latency_ms += r.latency_ms;
  if (r.status == "ok" && r.conformant) return;
  ++c.failed;
  std::string why;
  if (r.status != "ok") {
    ++c.errors;
    why = r.error_class + ": " + r.error_message;
  } else {
    for (const auto& check : r.checks)
      if (check.required && !check.passed) why += (why.empty() ? "" : "; ") + check.name + ": " + check.detail;
  }
  if (c.message.empty()) c.message = why;
  c.body += "repeat " + std::to_string(r.repeat) + ": " + why + "\n";
  if (r.status == "ok") c.body += "output: " + ellipsize(r.output, kExcerpt) + "\n";
}

// A test's name: the case id and the start of its last user message, so that a CI page says
// what the case asks ("term-12: idempotency", "h3f72...: Convert 3 km to miles").
std::string case_name(Store& store, long long run_id, const ResultRecord& r) {
  std::string name = r.case_id.empty() ? "case " + std::to_string(r.case_index) : r.case_id;
  const auto c = store.test_case(run_id, r.case_index);
  if (!c) return name;
  const auto messages = parse_json_bounded(c->messages_json);
  if (!messages.is_array()) return name;
  for (auto it = messages.rbegin(); it != messages.rend(); ++it) {
    if (it->is_object() && it->value("role", "") == "user" && (*it)["content"].is_string())
      return name + ": " + ellipsize((*it)["content"].get<std::string>(), 60);
  }
  return name;
}

void write_testcase(std::ostream& out, const std::string& classname, const CaseReport& c) {
  out << "    <testcase classname=\"" << xml_escape(classname) << "\" name=\"" << xml_escape(c.case_id) << "\" time=\""
      << seconds(c.latency_ms) << "\"";
  if (c.failed == 0) {
    out << "/>\n";
    return;
  }
  // An error: no repeat of the case got an answer to judge (the endpoint failed).
  const bool error = c.errors == c.failed && c.errors == c.runs;
  const std::string tag = error ? "error" : "failure";
  const std::string message = std::to_string(c.failed) + " of " + std::to_string(c.runs) +
                              (c.runs == 1 ? " repeat" : " repeats") + " failed: " + ellipsize(c.message, kExcerpt);
  out << ">\n      <" << tag << " type=\"" << (error ? "request_failed" : "not_conformant") << "\" message=\""
      << xml_escape(message) << "\">" << xml_escape(c.body) << "</" << tag << ">\n    </testcase>\n";
}

void write_gate_suite(std::ostream& out, const std::string& name, const std::vector<GateRecord>& gates) {
  if (gates.empty()) return;
  long long failures = 0;
  for (const auto& g : gates) failures += !g.passed;
  out << "  <testsuite name=\"" << xml_escape(name + " / gates") << "\" tests=\"" << gates.size() << "\" failures=\""
      << failures << "\" errors=\"0\" skipped=\"0\" time=\"0\">\n";
  for (const auto& g : gates) {
    out << "    <testcase classname=\"" << xml_escape(name + ".gates") << "\" name=\""
        << xml_escape(g.gate + " " + g.variant) << "\" time=\"0\"";
    if (g.passed) {
      out << ">\n      <system-out>" << xml_escape(g.detail) << "</system-out>\n    </testcase>\n";
    } else {
      out << ">\n      <failure type=\"gate\" message=\"" << xml_escape(g.detail) << "\">" << xml_escape(g.detail)
          << "</failure>\n    </testcase>\n";
    }
  }
  out << "  </testsuite>\n";
}

}  // namespace

void write_run_junit(Store& store, const RunSummary& summary, const std::vector<GateRecord>& gates,
                     std::ostream& out) {
  const auto& run = summary.run;
  // First pass: the counts a <testsuite> carries before its test cases.
  struct Counts {
    long long cases = 0, failures = 0, errors = 0;
    double ms = 0;
  };
  std::map<std::string, Counts> counts;
  long long tests = 0, failures = 0, errors = 0;
  for (const auto& v : summary.variants) {
    Counts& c = counts[v.variant.id];
    long long current = -1;
    int runs = 0, failed = 0, errored = 0;
    const auto close = [&] {
      if (current < 0) return;
      ++c.cases;
      const bool error = failed > 0 && errored == failed && errored == runs;
      c.errors += error;
      c.failures += failed > 0 && !error;
    };
    store.for_each_result_facts(run.id, v.variant.id, [&](const ResultFacts& r) {
      if (r.case_index != current) {
        close();
        current = r.case_index;
        runs = failed = errored = 0;
      }
      ++runs;
      failed += !r.conformant;
      errored += !r.ok;
      c.ms += r.latency_ms.value_or(0);
    });
    close();
    tests += c.cases;
    failures += c.failures;
    errors += c.errors;
  }
  long long gate_failures = 0;
  for (const auto& g : gates) gate_failures += !g.passed;
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out << "<testsuites name=\"" << xml_escape("tunebench run " + std::to_string(run.id) + ": " + run.suite_name)
      << "\" tests=\"" << tests + static_cast<long long>(gates.size()) << "\" failures=\"" << failures + gate_failures
      << "\" errors=\"" << errors << "\">\n";
  for (const auto& v : summary.variants) {
    const Counts& c = counts[v.variant.id];
    const std::string classname = run.suite_name + "." + v.variant.id;
    out << "  <testsuite name=\"" << xml_escape(run.suite_name + " / " + v.variant.id) << "\" tests=\"" << c.cases
        << "\" failures=\"" << c.failures << "\" errors=\"" << c.errors << "\" skipped=\"0\" time=\"" << seconds(c.ms)
        << "\" timestamp=\"" << xml_escape(run.started_at) << "\">\n";
    out << "    <properties>\n";
    const std::pair<const char*, std::string> properties[] = {
        {"model", v.variant.model},     {"kind", v.variant.kind}, {"endpoint", v.variant.endpoint},
        {"run", std::to_string(run.id)}, {"repeats", std::to_string(run.repeats)},
        {"simulated", v.variant.simulated ? "true" : "false"}};
    for (const auto& [name, value] : properties)
      out << "      <property name=\"" << name << "\" value=\"" << xml_escape(value) << "\"/>\n";
    out << "    </properties>\n";
    Store::ResultQuery query;
    query.variant_id = v.variant.id;
    query.with_checks = true;
    CaseReport current;
    store.for_each_result(run.id, query, [&](const ResultRecord& r) {
      if (r.case_index != current.case_index) {
        if (current.case_index >= 0) write_testcase(out, classname, current);
        current = CaseReport{};
        current.case_index = r.case_index;
        current.case_id = case_name(store, run.id, r);
      }
      add_repeat(current, r);
    });
    if (current.case_index >= 0) write_testcase(out, classname, current);
    out << "  </testsuite>\n";
  }
  write_gate_suite(out, run.suite_name, gates);
  out << "</testsuites>\n";
}

void write_compare_junit(const RunComparison& comparison, Store& b_store, const std::vector<GateRecord>& gates,
                         std::ostream& out) {
  long long tests = 0, failures = 0;
  for (const auto& v : comparison.variants) {
    tests += static_cast<long long>(v.regressed.size()) + 1;
    failures += static_cast<long long>(v.regressed.size());
  }
  for (const auto& g : gates) failures += !g.passed;
  const std::string name = "tunebench compare " + comparison.a_label + " " + comparison.b_label;
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out << "<testsuites name=\"" << xml_escape(name) << "\" tests=\"" << tests + static_cast<long long>(gates.size())
      << "\" failures=\"" << failures << "\" errors=\"0\">\n";
  for (const auto& v : comparison.variants) {
    const std::string suite = comparison.b.suite_name + " / " + v.a_variant + " -> " + v.b_variant;
    const std::string classname = comparison.b.suite_name + "." + v.b_variant;
    out << "  <testsuite name=\"" << xml_escape(suite) << "\" tests=\"" << v.regressed.size() + 1 << "\" failures=\""
        << v.regressed.size() << "\" errors=\"0\" skipped=\"0\" time=\"0\">\n";
    // One test case per regression; the paired cases that did not regress are folded into one
    // passing test case (a million of them would say nothing more).
    for (const auto& c : v.regressed) {
      CaseReport report;
      report.case_id = c.case_id;
      Store::ResultQuery query;
      query.variant_id = v.b_variant;
      query.with_checks = true;
      query.case_index = c.b_case_index;
      b_store.for_each_result(comparison.b.id, query, [&](const ResultRecord& r) { add_repeat(report, r); });
      report.message = "passed in " + comparison.a_label + " (" + std::to_string(c.a.passed) + "/" +
                       std::to_string(c.a.runs) + "), fails in " + comparison.b_label + ": " + report.message;
      report.failed = std::max(report.failed, 1);
      write_testcase(out, classname, report);
    }
    const long long unchanged = v.paired_cases - static_cast<long long>(v.regressed.size());
    out << "    <testcase classname=\"" << xml_escape(classname) << "\" name=\""
        << xml_escape(std::to_string(unchanged) + " other paired cases did not regress") << "\" time=\"0\"/>\n";
    out << "  </testsuite>\n";
  }
  write_gate_suite(out, comparison.b.suite_name, gates);
  out << "</testsuites>\n";
}

}  // namespace tb
