#include <catch2/catch.hpp>

#include "common/hash.hpp"
#include "suite/dataset_reader.hpp"
#include "test_paths.hpp"

using namespace tb;

namespace {

std::string parse_error(const std::string& line) {
  TestCase c;
  Diagnostic d;
  REQUIRE_FALSE(DatasetReader::parse_line(line, 17, "x.jsonl", c, d));
  return d.to_string();
}

}  // namespace

TEST_CASE("a valid line gives the input messages and the reference answer", "[dataset]") {
  TestCase c;
  Diagnostic d;
  REQUIRE(DatasetReader::parse_line(
      R"({"messages":[{"role":"system","content":"S"},{"role":"user","content":"Q"},{"role":"assistant","content":"A"}],"id":"c1","tags":["x"]})",
      3, "x.jsonl", c, d));
  CHECK(c.id == "c1");
  CHECK(c.line == 3);
  CHECK(c.has_reference);
  CHECK(c.reference == "A");
  REQUIRE(c.messages.size() == 2);
  CHECK(c.messages[1]["content"] == "Q");
  CHECK(c.tags == std::vector<std::string>{"x"});
}

TEST_CASE("a line without an assistant answer has no reference", "[dataset]") {
  TestCase c;
  Diagnostic d;
  REQUIRE(DatasetReader::parse_line(R"({"messages":[{"role":"user","content":"Q"}]})", 5, "x.jsonl", c, d));
  CHECK_FALSE(c.has_reference);
  // Without an id, a case is named by its input messages: "h" + 16 hex digits of their SHA-256.
  CHECK(c.id == "h" + sha256_hex(R"([{"content":"Q","role":"user"}])").substr(0, 16));
  CHECK_FALSE(c.explicit_id);
}

TEST_CASE("a case's identity does not depend on its line, its reference or its formatting", "[dataset]") {
  TestCase a, b, c, d;
  Diagnostic error;
  REQUIRE(DatasetReader::parse_line(R"({"messages":[{"role":"user","content":"Q"},{"role":"assistant","content":"A"}]})", 3, "x.jsonl", a, error));
  // Inserted lines above it, another reference answer, keys in another order, other spacing.
  REQUIRE(DatasetReader::parse_line(R"({"messages": [{"content": "Q", "role": "user"}, {"role": "assistant", "content": "B"}]})", 9, "x.jsonl", b, error));
  CHECK(a.id == b.id);
  CHECK(a.id.size() == 17);
  // Any change of the line's text changes its content hash, which a resume compares.
  CHECK(a.content_hash != b.content_hash);
  CHECK(a.content_hash.size() == 64);
  // Another question is another case; an explicit id wins over the hash.
  REQUIRE(DatasetReader::parse_line(R"({"messages":[{"role":"user","content":"Q2"}]})", 3, "x.jsonl", c, error));
  CHECK(c.id != a.id);
  REQUIRE(DatasetReader::parse_line(R"({"id": 42, "messages":[{"role":"user","content":"Q"}]})", 3, "x.jsonl", d, error));
  CHECK(d.id == "42");
  CHECK(d.explicit_id);
  CHECK(parse_error(R"({"id": "", "messages":[{"role":"user","content":"Q"}]})") ==
        "x.jsonl:17: id: expected a non-empty string or an integer; got an empty string");
}

TEST_CASE("every malformed line names file:line, the field and what was expected", "[dataset]") {
  CHECK(parse_error(R"({"messages":[{"role":"system","content":"S"},{"role":"user","content":"Q"},{"role":"bot","content":"A"}]})") ==
        "x.jsonl:17: messages[2].role: expected one of system, user, assistant, tool; got \"bot\"");
  CHECK(parse_error("{not json") .starts_with("x.jsonl:17: not valid JSON"));
  CHECK(parse_error("[1,2]") == "x.jsonl:17: expected a JSON object {\"messages\": [...]}; got array");
  CHECK(parse_error(R"({"mesages":[]})").find("mesages: unknown key") != std::string::npos);
  CHECK(parse_error(R"({"mesages":[]})").find("did you mean \"messages\"") != std::string::npos);
  CHECK(parse_error(R"({"id":"x"})") == "x.jsonl:17: messages: missing; every line needs a messages list");
  CHECK(parse_error(R"({"messages":"hi"})") == "x.jsonl:17: messages: expected an array; got string");
  CHECK(parse_error(R"({"messages":[]})") == "x.jsonl:17: messages: empty; expected at least one message");
  CHECK(parse_error(R"({"messages":[1]})") == "x.jsonl:17: messages[0]: expected an object; got number");
  CHECK(parse_error(R"({"messages":[{"content":"x"}]})") == "x.jsonl:17: messages[0].role: missing");
  CHECK(parse_error(R"({"messages":[{"role":"user"}]})") == "x.jsonl:17: messages[0].content: missing");
  CHECK(parse_error(R"({"messages":[{"role":"user","content":5}]})").starts_with("x.jsonl:17: messages[0].content: expected a string"));
  CHECK(parse_error(R"({"messages":[{"role":"user","content":"q","nmae":"x"}]})").find("did you mean \"name\"") != std::string::npos);
  CHECK(parse_error(R"({"messages":[{"role":"assistant","content":"a"}]})").find("only an assistant message") != std::string::npos);
  CHECK(parse_error(R"({"messages":[{"role":"user","content":"q"}],"tags":"x"})") == "x.jsonl:17: tags: expected an array of strings; got string");
  CHECK(parse_error(R"({"messages":[{"role":"user","content":"q"}],"id":1.5})") == "x.jsonl:17: id: expected a non-empty string or an integer; got number");
}

TEST_CASE("the reader streams cases, skips blank lines and counts lines", "[dataset]") {
  test::TempDir dir;
  test::write_text(dir / "d.jsonl",
                   "{\"messages\":[{\"role\":\"user\",\"content\":\"a\"}]}\n\n"
                   "{\"messages\":[{\"role\":\"user\",\"content\":\"b\"}]}\r\n");
  DatasetReader reader(dir / "d.jsonl", "d.jsonl");
  Diagnostic d;
  REQUIRE(reader.open(d));
  TestCase c;
  REQUIRE(reader.next(c, d) == DatasetReader::Status::ok);
  CHECK(c.index == 0);
  CHECK(c.line == 1);
  REQUIRE(reader.next(c, d) == DatasetReader::Status::ok);
  CHECK(c.index == 1);
  CHECK(c.line == 3);
  CHECK(c.messages[0]["content"] == "b");
  CHECK(reader.next(c, d) == DatasetReader::Status::end);
}

TEST_CASE("the broken demo fixture fails at line 17", "[dataset]") {
  Diagnostics errors;
  CHECK(validate_dataset(test::source_dir() / "datasets/broken_line17.jsonl", "datasets/broken_line17.jsonl", errors) == -1);
  REQUIRE(errors.size() == 1);
  CHECK(errors.items()[0].to_string() ==
        "datasets/broken_line17.jsonl:17: messages[1].role: expected one of system, user, assistant, tool; got \"bot\"");
}

TEST_CASE("the demo dataset has at least 50 valid cases", "[dataset]") {
  Diagnostics errors;
  CHECK(validate_dataset(test::source_dir() / "datasets/tech_terms_eval.jsonl", "eval", errors) >= 50);
  CHECK(errors.empty());
}

TEST_CASE("a missing dataset file is an error, not a crash", "[dataset]") {
  Diagnostics errors;
  CHECK(validate_dataset("/nonexistent/x.jsonl", "x.jsonl", errors) == -1);
  CHECK(errors.items().at(0).message == "cannot read the dataset file: No such file or directory");
}

TEST_CASE("a dataset that is not a regular file or has an endless line is refused",
          "[dataset][files]") {
  Diagnostics errors;
  CHECK(validate_dataset("/dev/zero", "zero.jsonl", errors) == -1);
  CHECK(errors.items().at(0).to_string() ==
        "zero.jsonl: cannot read the dataset file: it is not a regular file (a device, FIFO or "
        "socket, which may never end)");
  Diagnostics dir_errors;
  CHECK(validate_dataset(test::source_dir(), "dir", dir_errors) == -1);
  CHECK(dir_errors.items().at(0).message == "cannot read the dataset file: it is a directory");
}

TEST_CASE("a line or a reference answer nested too deep names file:line", "[dataset][depth]") {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  CHECK(parse_error(R"({"messages":[{"role":"user","content":"q"}],"checks":)" + deep + "}") ==
        "x.jsonl:17: arrays and objects nested deeper than 512 levels (column 565)");
  // The reference is JSON in a string: the line itself is shallow.
  std::string escaped_reference = R"({\"term\":)" + deep + "}";
  CHECK(
      parse_error(R"({"messages":[{"role":"user","content":"q"},{"role":"assistant","content":")" +
                  escaped_reference + "\"}]}") ==
      "x.jsonl:17: messages[1].content: the reference answer is JSON nested deeper than 512 "
      "levels, deeper than tunebench reads JSON");
  // Deep brackets that are not JSON are text like any other.
  TestCase c;
  Diagnostic d;
  CHECK(DatasetReader::parse_line(
      R"({"messages":[{"role":"user","content":"q"},{"role":"assistant","content":")" +
          std::string(100000, '[') + "\"}]}",
      17, "x.jsonl", c, d));
}

TEST_CASE("a line's gold passages are read, and a bad one is an error with its line", "[dataset][rag]") {
  TestCase c;
  Diagnostic d;
  REQUIRE(DatasetReader::parse_line(
      R"({"messages":[{"role":"user","content":"Q"},{"role":"assistant","content":"A"}],"gold":["raft","paxos#2"]})", 4,
      "x.jsonl", c, d));
  CHECK(c.gold == std::vector<std::string>{"raft", "paxos#2"});
  REQUIRE(DatasetReader::parse_line(R"({"messages":[{"role":"user","content":"Q"}]})", 5, "x.jsonl", c, d));
  CHECK(c.gold.empty());
  CHECK(parse_error(R"({"messages":[{"role":"user","content":"Q"}],"gold":"raft"})") ==
        "x.jsonl:17: gold: expected an array of corpus document ids; got string");
  CHECK(parse_error(R"({"messages":[{"role":"user","content":"Q"}],"gold":["raft",""]})") ==
        "x.jsonl:17: gold[1]: expected a document id (a non-empty string); got an empty string");
  CHECK(parse_error(R"({"messages":[{"role":"user","content":"Q"}],"gold":[3]})") ==
        "x.jsonl:17: gold[0]: expected a document id (a non-empty string); got number");
  CHECK(parse_error(R"({"messages":[{"role":"user","content":"Q"}],"glod":["raft"]})").find(
            "glod: unknown key; expected one of") != std::string::npos);
}
