// Runs the official JSON-Schema-Test-Suite (draft 2020-12 and draft-07) against CompiledSchema.
// Every required test must pass; optional tests are run and their pass counts printed only.
//
// The suite directory is $TUNEBENCH_SCHEMA_SUITE, else the copy vendored in the repository,
// tests/data/JSON-Schema-Test-Suite (its SOURCE.txt names the pinned commit). Remotes are served
// from its remotes/ directory for http://localhost:1234/ through SchemaOptions::ref_map, never
// from the network.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "common/json_tape.hpp"
#include "score/json_schema.hpp"

namespace {

namespace fs = std::filesystem;

fs::path suite_dir() {
  if (const char* env = std::getenv("TUNEBENCH_SCHEMA_SUITE"); env != nullptr && *env != '\0') {
    return env;
  }
#ifdef TUNEBENCH_SOURCE_DIR
  return fs::path(TUNEBENCH_SOURCE_DIR) / "tests" / "data" / "JSON-Schema-Test-Suite";
#else
  return {};
#endif
}

struct Tally {
  std::size_t passed = 0;
  std::size_t total = 0;
  std::size_t on_tape = 0;  // tests whose instance the tape evaluator judged
  std::vector<std::string> failures;

  void add(const Tally& other) {
    passed += other.passed;
    total += other.total;
    on_tape += other.on_tape;
    failures.insert(failures.end(), other.failures.begin(), other.failures.end());
  }
};

nlohmann::json read_json(const fs::path& file) {
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  return nlohmann::json::parse(text.str());
}

Tally run_file(const fs::path& file, tb::SchemaDraft draft, bool assert_formats) {
  tb::SchemaOptions options;
  options.default_draft = draft;
  options.assert_formats = assert_formats;
  options.ref_map.emplace_back("http://localhost:1234/", suite_dir() / "remotes");
  Tally tally;
  const std::string name = file.filename().string();
  for (const auto& group : read_json(file)) {
    const std::string group_name = name + ": " + group.at("description").get<std::string>();
    std::optional<tb::CompiledSchema> schema;
    std::string compile_error;
    try {
      schema = tb::CompiledSchema::compile(group.at("schema"), options);
    } catch (const std::exception& e) {
      compile_error = e.what();
    }
    for (const auto& test : group.at("tests")) {
      ++tally.total;
      const bool expected = test.at("valid").get<bool>();
      const std::string label = group_name + " / " + test.at("description").get<std::string>() +
                                " (expected " + (expected ? "valid" : "invalid") + ")";
      if (!schema) {
        tally.failures.push_back(label + ": schema did not compile: " + compile_error);
        continue;
      }
      try {
        const bool fast = schema->is_valid(test.at("data"));
        const std::vector<tb::SchemaViolation> violations = schema->validate(test.at("data"));
        // The same instance as a JsonTape: the tape evaluator must give the same verdict.
        const auto tape = tb::JsonTape::parse(test.at("data").dump());
        const bool on_tape = tape && schema->evaluates_tapes() && !tape->has_duplicate_keys();
        const bool tape_verdict = tape && schema->is_valid(*tape);
        tally.on_tape += on_tape ? 1 : 0;
        if (fast == expected && violations.empty() == expected && tape_verdict == expected) {
          ++tally.passed;
        } else {
          std::string detail = "is_valid=" + std::string(fast ? "true" : "false") +
                               ", is_valid(tape" + (on_tape ? "" : " via json") +
                               ")=" + (tape_verdict ? "true" : "false") +
                               ", validate() gave " + std::to_string(violations.size()) +
                               " violation(s)";
          if (!violations.empty()) {
            detail += ", first: " + violations[0].schema_path + ": " + violations[0].message;
          }
          tally.failures.push_back(label + ": " + detail);
        }
      } catch (const std::exception& e) {
        tally.failures.push_back(label + ": threw " + e.what());
      }
    }
  }
  return tally;
}

// The *.json files of dir (sorted for stable output), optionally with its subdirectories.
std::vector<fs::path> test_files(const fs::path& dir, bool recursive) {
  std::vector<fs::path> files;
  auto take = [&files](const fs::directory_entry& e) {
    if (e.is_regular_file() && e.path().extension() == ".json") files.push_back(e.path());
  };
  if (recursive) {
    for (const auto& e : fs::recursive_directory_iterator(dir)) take(e);
  } else {
    for (const auto& e : fs::directory_iterator(dir)) take(e);
  }
  std::sort(files.begin(), files.end());
  return files;
}

void print_failures(const std::string& title, const Tally& tally) {
  for (const std::string& f : tally.failures) std::cout << "  FAIL [" << title << "] " << f << "\n";
}

void require_suite() {
  const fs::path dir = suite_dir();
  INFO("JSON-Schema-Test-Suite not found at '"
       << dir.string() << "': set TUNEBENCH_SCHEMA_SUITE or define TUNEBENCH_SOURCE_DIR");
  REQUIRE(!dir.empty());
  REQUIRE(fs::is_directory(dir / "tests"));
  REQUIRE(fs::is_directory(dir / "remotes"));
}

void run_required(const std::string& draft_dir, tb::SchemaDraft draft, std::size_t expected) {
  require_suite();
  Tally tally;
  for (const fs::path& file : test_files(suite_dir() / "tests" / draft_dir, false)) {
    tally.add(run_file(file, draft, false));
  }
  std::cout << draft_dir << " required: " << tally.passed << "/" << tally.total << " passed ("
            << tally.on_tape << " judged by the tape evaluator)\n";
  print_failures(draft_dir, tally);
  CHECK(tally.total == expected);
  // Most of the suite is within the tape evaluator's keywords: a drop here means it declines
  // schemas it should handle (and the tape path is then barely tested).
  CHECK(tally.on_tape * 2 > tally.total);
  CHECK(tally.failures.empty());
  CHECK(tally.passed == tally.total);
}

void run_optional(const std::string& draft_dir, tb::SchemaDraft draft) {
  require_suite();
  const fs::path optional = suite_dir() / "tests" / draft_dir / "optional";
  REQUIRE(fs::is_directory(optional));
  Tally other, formats;
  for (const fs::path& file : test_files(optional, false)) other.add(run_file(file, draft, false));
  // format tests assume formats are asserted.
  for (const fs::path& file : test_files(optional / "format", true)) {
    formats.add(run_file(file, draft, true));
  }
  std::cout << draft_dir << " optional: " << other.passed << "/" << other.total
            << " passed; optional/format (assert_formats): " << formats.passed << "/"
            << formats.total << " passed (" << other.on_tape + formats.on_tape
            << " judged by the tape evaluator)\n";
  if (std::getenv("TUNEBENCH_SCHEMA_SUITE_VERBOSE") != nullptr) {
    print_failures(draft_dir + " optional", other);
    print_failures(draft_dir + " optional/format", formats);
  }
  CHECK(other.total > 0);
}

}  // namespace

TEST_CASE("JSON-Schema-Test-Suite: every required draft 2020-12 test passes",
          "[json_schema][suite]") {
  run_required("draft2020-12", tb::SchemaDraft::draft2020_12, 1299);
}

TEST_CASE("JSON-Schema-Test-Suite: every required draft-07 test passes", "[json_schema][suite]") {
  run_required("draft7", tb::SchemaDraft::draft7, 927);
}

TEST_CASE("JSON-Schema-Test-Suite: optional draft 2020-12 tests (reported, not required)",
          "[json_schema][suite][optional]") {
  run_optional("draft2020-12", tb::SchemaDraft::draft2020_12);
}

TEST_CASE("JSON-Schema-Test-Suite: optional draft-07 tests (reported, not required)",
          "[json_schema][suite][optional]") {
  run_optional("draft7", tb::SchemaDraft::draft7);
}
