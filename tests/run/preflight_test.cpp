#include <catch2/catch.hpp>

#include "run/preflight.hpp"
#include "suite/suite_loader.hpp"
#include "test_paths.hpp"

using namespace tb;

namespace {

const char* kSuite = R"(name: t
dataset: d.jsonl
variants: [{id: a, endpoint: mock, model: gpt-4o-mini}]
)";

std::string line(const std::string& id, const std::string& question) {
  return std::string("{") + (id.empty() ? "" : "\"id\":\"" + id + "\",") +
         R"("messages":[{"role":"user","content":")" + question +
         R"("},{"role":"assistant","content":"A"}]})" + "\n";
}

struct Result {
  bool ok;
  Preflight preflight;
  std::string errors;
};

Result preflight(const std::string& dataset) {
  test::TempDir dir;
  test::write_text(dir / "d.jsonl", dataset);
  test::write_text(dir / "s.yaml", kSuite);
  Diagnostics errors;
  auto suite = load_suite(dir / "s.yaml", errors);
  REQUIRE(suite);
  Result r;
  r.ok = run_preflight(*suite, r.preflight, errors);
  r.errors = errors.to_string();
  return r;
}

}  // namespace

TEST_CASE("preflight: two lines with the same id are an error naming both lines", "[preflight]") {
  const auto r = preflight(line("x", "q1") + line("y", "q2") + "\n" + line("x", "q3"));
  CHECK_FALSE(r.ok);
  CHECK(r.errors.find(":4: id: the same id as line 1; ids name cases across runs, so each must be unique") !=
        std::string::npos);
  // The same question twice without ids is allowed (they pair in order of appearance).
  CHECK(preflight(line("", "q") + line("", "q")).ok);
}

TEST_CASE("preflight: the dataset fingerprint changes with any case and only then", "[preflight]") {
  const auto a = preflight(line("x", "q1") + line("", "q2"));
  const auto same = preflight(line("x", "q1") + "\n" + line("", "q2"));
  const auto edited = preflight(line("x", "q1") + line("", "q2 changed"));
  const auto reordered = preflight(line("", "q2") + line("x", "q1"));
  REQUIRE(a.ok);
  CHECK(a.preflight.cases == 2);
  CHECK(a.preflight.dataset_fingerprint.size() == 64);
  CHECK(a.preflight.dataset_fingerprint == same.preflight.dataset_fingerprint);  // blank lines do not count
  CHECK(a.preflight.dataset_fingerprint != edited.preflight.dataset_fingerprint);
  CHECK(a.preflight.dataset_fingerprint != reordered.preflight.dataset_fingerprint);
}
