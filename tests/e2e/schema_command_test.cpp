#include <catch2/catch.hpp>

#include "e2e/cli.hpp"
#include "test_paths.hpp"

using namespace tb;
using test::tunebench;

namespace {
const std::string kSource = TUNEBENCH_SOURCE_DIR;
}

TEST_CASE("schema validate: one line per instance, in order, and exit codes", "[e2e][schema]") {
  test::TempDir dir;
  test::write_text(dir / "a.jsonl",
                   "{\"term\":\"x\",\"definition\":\"a long enough text\",\"category\":\"web\",\"related\":[\"y\"]}\n"
                   "{\"term\":\"x\",\"category\":\"cooking\"}\n"
                   "not json\n");
  const std::string schema = kSource + "/datasets/schemas/term.schema.json";
  auto r = tunebench("schema validate --schema '" + schema + "' --jsonl a.jsonl", dir.path().string());
  CHECK(r.exit_code == 1);
  const auto lines = [&] {
    std::vector<std::string> out;
    std::size_t start = 0;
    for (std::size_t i = 0; i < r.output.size(); ++i)
      if (r.output[i] == '\n') {
        out.push_back(r.output.substr(start, i - start));
        start = i + 1;
      }
    return out;
  }();
  REQUIRE(lines.size() == 3);
  CHECK(lines[0] == "valid");
  CHECK(lines[1].starts_with("invalid /category: "));
  CHECK(lines[1].find("missing required property \"definition\"") != std::string::npos);
  CHECK(lines[2] ==
        "invalid a.jsonl:3: not JSON (line 1, column 1: expected a JSON value (true, false, null, "
        "a number, a string, [ or {))");

  test::write_text(dir / "ok.json", "{\"term\":\"x\",\"definition\":\"a long enough text\",\"category\":\"web\",\"related\":[\"y\"]}");
  CHECK(tunebench("schema validate --schema '" + schema + "' ok.json", dir.path().string()).exit_code == 0);

  test::write_text(dir / "bad.schema.json", R"({"type":"string","pattern":"(["})");
  r = tunebench("schema validate --schema bad.schema.json ok.json", dir.path().string());
  CHECK(r.exit_code == 2);
  CHECK(r.output.find("bad.schema.json") != std::string::npos);
  test::write_text(dir / "ref.schema.json", R"({"$ref":"#/$defs/nowhere"})");
  CHECK(tunebench("schema validate --schema ref.schema.json ok.json", dir.path().string()).exit_code == 2);
  CHECK(tunebench("schema validate --schema '" + schema + "'", dir.path().string()).exit_code == 2);
}

TEST_CASE("schema validate resolves remote refs from local files only", "[e2e][schema]") {
  test::TempDir dir;
  const std::string remotes = kSource + "/tests/data/JSON-Schema-Test-Suite/remotes";
  test::write_text(dir / "s.json", R"({"$ref":"http://localhost:1234/integer.json"})");
  test::write_text(dir / "one.json", "1");
  test::write_text(dir / "str.json", "\"1\"");
  CHECK(tunebench("schema validate --schema s.json --ref-map 'http://localhost:1234/=" + remotes + "' one.json", dir.path().string()).exit_code == 0);
  CHECK(tunebench("schema validate --schema s.json --ref-map 'http://localhost:1234/=" + remotes + "' str.json", dir.path().string()).exit_code == 1);
  // Without the map the reference cannot resolve: the network is never used.
  CHECK(tunebench("schema validate --schema s.json one.json", dir.path().string()).exit_code == 2);
}

TEST_CASE("schema validate survives deeply nested instances", "[e2e][schema]") {
  test::TempDir dir;
  test::write_text(dir / "s.json", R"({"type":"array","items":{"$ref":"#"}})");
  std::string deep(100000, '[');
  deep += std::string(100000, ']');
  test::write_text(dir / "deep.json", deep);
  const auto r = tunebench("schema validate --schema s.json deep.json", dir.path().string());
  // Nesting past the parser's bound is refused as input, never a stack overflow: exit 1, said so.
  CHECK(r.exit_code == 1);
  CHECK(r.output == "invalid deep.json: not JSON (line 1, column 513: nested deeper than 512 levels)\n");
  // Within the bound the same shape is valid (exit 0).
  test::write_text(dir / "shallow.json", std::string(200, '[') + std::string(200, ']'));
  const auto shallow = tunebench("schema validate --schema s.json shallow.json", dir.path().string());
  INFO(shallow.output);
  CHECK(shallow.exit_code == 0);
}
