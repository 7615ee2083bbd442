// A schema whose $refs go round without moving into the value is refused before anything is
// sent, with the ring, by both commands that take a schema (before: accepted, and every answer
// then failed as `other` with a keyword location of some 6 KB).
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include "e2e/cli.hpp"
#include "test_paths.hpp"

using namespace tb;

namespace {

const std::string kSource = TUNEBENCH_SOURCE_DIR;
const std::string kRing =
    "a reference cycle without progress: file://";  // then the file's URI and the ring

}  // namespace

TEST_CASE("a $ref cycle is refused at load with its ring, exit 2", "[e2e][schema][cycles]") {
  test::TempDir dir;
  test::write_text(
      dir / "cycle.json",
      R"({"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"allOf": [{"$ref": "#/$defs/a"}]}},
                       "$ref": "#/$defs/a"})");
  test::write_text(dir / "s.yaml", "name: cycle\ndataset: " + kSource +
                                       "/datasets/tech_terms_eval.jsonl\nexpect:\n  schema: "
                                       "cycle.json\nvariants:\n  - {id: a, endpoint: mock, model: "
                                       "gpt-4o-mini}\n");
  const auto run = test::tunebench("run s.yaml --db t.db", dir.path().string());
  INFO(run.output);
  CHECK(run.exit_code == 2);
  CHECK(run.output.find("s.yaml:4: expect.schema: schema: invalid schema: " + kRing) !=
        std::string::npos);
  CHECK(run.output.find("cycle.json#/$defs/a ($ref) -> ") != std::string::npos);
  CHECK(run.output.find("cycle.json#/$defs/b/allOf/0 ($ref) -> ") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir / "t.db"));

  test::write_text(dir / "one.jsonl", "{}\n");
  const auto validate =
      test::tunebench("schema validate --schema cycle.json --jsonl one.jsonl", dir.path().string());
  INFO(validate.output);
  CHECK(validate.exit_code == 2);
  CHECK(validate.output.find(kRing) != std::string::npos);
  CHECK(validate.output.size() < 1000);
}
