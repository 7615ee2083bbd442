#include <catch2/catch.hpp>

#include "retrieve/corpus.hpp"
#include "test_paths.hpp"

using namespace tb;
using tb::test::TempDir;
using tb::test::write_text;

namespace {

std::optional<Corpus> load(const std::filesystem::path& p, Diagnostics& errors) {
  return load_corpus(p, p.filename().string(), errors);
}

}  // namespace

TEST_CASE("a folder corpus: ids are relative paths, Markdown headings are titles",
          "[retrieve][corpus]") {
  TempDir dir;
  write_text(dir / "docs/b-tree.md", "\n# B-tree\n\nA self-balancing tree.\r\nSecond line.\n");
  write_text(dir / "docs/net/tls.txt", "The TLS handshake.");
  write_text(dir / "docs/notes.md", "No heading here.");
  write_text(dir / "docs/.hidden/x.md", "# Hidden\nskipped");
  write_text(dir / "docs/.draft.md", "# Draft\nskipped");
  write_text(dir / "docs/image.png", "not text");
  Diagnostics errors;
  const auto corpus = load(dir / "docs", errors);
  REQUIRE(errors.empty());
  REQUIRE(corpus);
  REQUIRE(corpus->documents.size() == 3);
  // Sorted by relative path, so the order (and the chunk rows) never depends on the file system.
  CHECK(corpus->documents[0].id == "b-tree");
  CHECK(corpus->documents[0].title == "B-tree");
  CHECK(corpus->documents[0].text == "A self-balancing tree.\nSecond line.\n");  // CRLF normalized
  CHECK(corpus->documents[1].id == "net/tls");
  CHECK(corpus->documents[1].title == "tls");
  CHECK(corpus->documents[1].text == "The TLS handshake.");
  CHECK(corpus->documents[1].source == "docs/net/tls.txt");
  CHECK(corpus->documents[2].id == "notes");
  CHECK(corpus->documents[2].title == "notes");
  CHECK(corpus->documents[2].text == "No heading here.");
  CHECK(corpus->find("net/tls") == &corpus->documents[1]);
  CHECK(corpus->find("missing") == nullptr);
  CHECK(corpus->bytes == 6 + 36 + 3 + 18 + 5 + 16);
  CHECK(corpus->content_hash.size() == 64);
}

TEST_CASE("the content hash follows the content, not the files", "[retrieve][corpus]") {
  TempDir dir;
  write_text(dir / "a/one.md", "# One\nfirst");
  write_text(dir / "a/two.md", "# Two\nsecond");
  Diagnostics errors;
  const auto first = load(dir / "a", errors);
  REQUIRE(first);
  // The same documents elsewhere, with Windows line endings: the same content.
  write_text(dir / "b/one.md", "# One\r\nfirst");
  write_text(dir / "b/two.md", "# Two\r\nsecond");
  const auto copy = load(dir / "b", errors);
  REQUIRE(copy);
  CHECK(copy->content_hash == first->content_hash);
  // One changed byte changes it; so does a renamed document (its id).
  write_text(dir / "a/two.md", "# Two\nsecond!");
  const auto edited = load(dir / "a", errors);
  REQUIRE(edited);
  CHECK(edited->content_hash != first->content_hash);
  write_text(dir / "b/three.md", "# Two\nsecond");
  std::filesystem::remove(dir / "b/two.md");
  const auto renamed = load(dir / "b", errors);
  REQUIRE(renamed);
  CHECK(renamed->content_hash != first->content_hash);
  CHECK(errors.empty());
}

TEST_CASE("a JSONL corpus: one document per line, problems named with file:line",
          "[retrieve][corpus]") {
  TempDir dir;
  SECTION("valid lines; integer ids and missing titles are accepted") {
    write_text(dir / "c.jsonl",
               "{\"id\": \"raft\", \"title\": \"Raft\", \"text\": \"A consensus algorithm.\"}\n"
               "\n"
               "{\"id\": 7, \"text\": \"Seven.\", \"metadata\": {\"source\": \"x\"}}\n");
    Diagnostics errors;
    const auto corpus = load(dir / "c.jsonl", errors);
    REQUIRE(errors.empty());
    REQUIRE(corpus->documents.size() == 2);
    CHECK(corpus->documents[0].title == "Raft");
    CHECK(corpus->documents[1].id == "7");
    CHECK(corpus->documents[1].title == "7");
    CHECK(corpus->documents[1].source == "c.jsonl:3");
  }
  SECTION("every bad line is reported at once") {
    write_text(dir / "c.jsonl",
               "{\"id\": \"a\", \"text\": \"fine\"}\n"
               "not json\n"
               "{\"id\": \"b\", \"txt\": \"typo\"}\n"
               "{\"id\": \"a\", \"text\": \"again\"}\n"
               "{\"id\": \"\", \"text\": \"empty id\", \"title\": 3}\n"
               "{\"id\": \"c\", \"text\": \"\\u00e9t\\u00e9\"}\n"
               "{\"id\": \"d\", \"text\": \"bad \xff byte\"}\n");
    Diagnostics errors;
    CHECK_FALSE(load(dir / "c.jsonl", errors));
    const std::string all = errors.to_string();
    INFO(all);
    CHECK(all.find("c.jsonl:2: expected a JSON object") != std::string::npos);
    CHECK(all.find("c.jsonl:3: txt: unknown key; expected one of id, title, text or metadata (did "
                   "you mean \"text\"?)") != std::string::npos);
    CHECK(all.find("c.jsonl:3: text: missing") != std::string::npos);
    CHECK(all.find("c.jsonl:4: id: duplicate id \"a\" (first on line 1)") != std::string::npos);
    CHECK(all.find("c.jsonl:5: id: expected a non-empty string or an integer") !=
          std::string::npos);
    CHECK(all.find("c.jsonl:5: title: expected a string") != std::string::npos);
    CHECK(all.find("c.jsonl:6") == std::string::npos);  // escaped UTF-8 is fine
    CHECK(all.find("c.jsonl:7: invalid UTF-8 at byte 25 of the line") != std::string::npos);
    CHECK(errors.size() == 7);
  }
  SECTION("an empty file") {
    write_text(dir / "c.jsonl", "\n\n");
    Diagnostics errors;
    CHECK_FALSE(load(dir / "c.jsonl", errors));
    CHECK(errors.to_string() == "c.jsonl: the corpus file holds no documents\n");
  }
}

TEST_CASE("corpus paths that are neither a folder of documents nor JSONL", "[retrieve][corpus]") {
  TempDir dir;
  Diagnostics errors;
  CHECK_FALSE(load(dir / "nowhere", errors));
  CHECK(errors.to_string() == "nowhere: no such corpus file or folder\n");
  write_text(dir / "c.csv", "id,text\n");
  Diagnostics csv;
  CHECK_FALSE(load(dir / "c.csv", csv));
  CHECK(csv.to_string().find("expected a folder of .md/.txt files or a .jsonl file") !=
        std::string::npos);
  write_text(dir / "empty/readme.rst", "x");
  Diagnostics empty;
  CHECK_FALSE(load(dir / "empty", empty));
  CHECK(empty.to_string() == "empty: the corpus folder holds no .md, .markdown or .txt files\n");
  write_text(dir / "dup/a.md", "x");
  write_text(dir / "dup/a.txt", "y");
  Diagnostics dup;
  CHECK_FALSE(load(dir / "dup", dup));
  CHECK(dup.to_string().find("dup/a.txt: document id \"a\" is also the id of dup/a.md") !=
        std::string::npos);
  write_text(dir / "bin/a.md", "line one\nline \xc3\x28 two\n");
  Diagnostics bin;
  CHECK_FALSE(load(dir / "bin", bin));
  CHECK(bin.to_string() ==
        "bin/a.md:2: invalid UTF-8 (byte 14 of the file); corpora must be UTF-8\n");
}
