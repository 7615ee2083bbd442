#include <catch2/catch.hpp>

#include "e2e/cli.hpp"
#include "e2e/mock_process.hpp"
#include "test_paths.hpp"

using namespace tb;

namespace {

void write_corpus(const test::TempDir& dir) {
  test::write_text(dir / "glossary/raft.md",
                   "# Raft\nA consensus algorithm that elects a leader and replicates a log.\n");
  test::write_text(dir / "glossary/paxos.md",
                   "# Paxos\nA family of consensus protocols for unreliable networks.\n");
  test::write_text(dir / "glossary/b-tree.md",
                   "# B-tree\nA self-balancing tree whose nodes hold many sorted keys.\n");
  test::write_text(dir / "glossary/mutex.txt",
                   "A lock that admits one thread at a time into a critical section.\n");
}

bool has(const std::string& output, const std::string& text) {
  return output.find(text) != std::string::npos;
}

}  // namespace

TEST_CASE("tunebench index builds once, reuses, and rebuilds when the corpus changes",
          "[e2e][index]") {
  test::TempDir dir;
  write_corpus(dir);
  const std::string cwd = dir.path().string();
  const auto first =
      test::tunebench("index glossary --encoding cl100k_base -q 'Who elects a leader?'", cwd);
  INFO(first.output);
  REQUIRE(first.exit_code == 0);
  CHECK(has(first.output, "corpus glossary: 4 documents"));
  CHECK(has(first.output, "index built in "));
  CHECK(has(first.output, "4 chunks"));
  CHECK(has(first.output, "-> tunebench.retrieval.db"));
  // "a" is in other chunks too, with an idf of nearly nothing: raft first, the rest far behind.
  CHECK(has(first.output,
            "query \"Who elects a leader?\" (bm25, k=3): 3 passages\n  1. raft#0  score "));
  CHECK(std::filesystem::exists(dir / "tunebench.retrieval.db"));

  const auto second = test::tunebench("index glossary --encoding cl100k_base", cwd);
  INFO(second.output);
  REQUIRE(second.exit_code == 0);
  CHECK(has(second.output, "index reused from tunebench.retrieval.db: 4 chunks"));
  CHECK(has(second.output, "the corpus has not changed since"));
  // Other chunking is another index.
  CHECK(
      has(test::tunebench("index glossary --encoding cl100k_base --chunk-tokens 8 --overlap 2", cwd)
              .output,
          "index built in "));

  // Touching a file without changing it changes nothing; changing its text rebuilds.
  test::write_text(dir / "glossary/raft.md",
                   "# Raft\nA consensus algorithm that elects a leader and replicates a log.\n");
  CHECK(has(test::tunebench("index glossary --encoding cl100k_base", cwd).output, "index reused"));
  test::write_text(dir / "glossary/raft.md",
                   "# Raft\nA consensus algorithm with terms, a leader and a log.\n");
  const auto changed = test::tunebench("index glossary --encoding cl100k_base -q 'terms'", cwd);
  INFO(changed.output);
  REQUIRE(changed.exit_code == 0);
  CHECK(has(changed.output, "index built in "));
  CHECK(has(changed.output, "dropped 1 index of an earlier version of this corpus"));
  CHECK(has(changed.output, "1. raft#0"));
  // --db puts the side file beside another store.
  CHECK(has(test::tunebench("index glossary --db runs/x.db --quiet", cwd).output,
            "-> runs/x.retrieval.db"));
}

TEST_CASE("tunebench index embeds chunks once through the mock's /v1/embeddings", "[e2e][index]") {
  test::TempDir dir;
  write_corpus(dir);
  const std::string cwd = dir.path().string();
  const auto first = test::tunebench(
      "index glossary --embeddings mock text-embedding-3-small --dimensions 256 --method hybrid -q "
      "'consensus leader'",
      cwd);
  INFO(first.output);
  REQUIRE(first.exit_code == 0);
  CHECK(has(first.output,
            "embeddings: 4 chunks embedded by text-embedding-3-small at mock (simulated) in 1 "
            "request, "));
  CHECK(has(first.output, "tokens, $0.0000"));  // priced from the catalog, at $0.02 per 1M
  CHECK(has(first.output, "query \"consensus leader\" (hybrid, k=3): 3 passages\n  1. raft#0"));
  const auto second = test::tunebench(
      "index glossary --embeddings mock text-embedding-3-small --dimensions 256 --method "
      "embeddings -q 'consensus leader'",
      cwd);
  INFO(second.output);
  REQUIRE(second.exit_code == 0);
  CHECK(has(second.output,
            "embeddings reused: all 4 chunks have vectors from text-embedding-3-small at mock"));
  CHECK(has(second.output, "1. raft#0"));
}

TEST_CASE("tunebench index embeds through a separate OpenAI-compatible server, and only once",
          "[e2e][index]") {
  test::TempDir dir;
  write_corpus(dir);
  test::MockProcess mock(dir / "mock.log");
  REQUIRE(mock.port() > 0);
  const std::string url = "http://127.0.0.1:" + std::to_string(mock.port()) + "/v1";
  const std::string args = "index glossary --quiet --embeddings " + url +
                           " text-embedding-3-large --dimensions 64 -q raft --method embeddings";
  const auto first = test::tunebench(args, dir.path().string());
  INFO(first.output);
  REQUIRE(first.exit_code == 0);
  CHECK(has(first.output, "embeddings: 4 chunks embedded by text-embedding-3-large at " + url +
                              " in 1 request"));
  const auto second = test::tunebench(args + " -q paxos", dir.path().string());
  INFO(second.output);
  REQUIRE(second.exit_code == 0);
  CHECK(has(second.output, "embeddings reused"));
  CHECK(has(second.output, "1. paxos#0"));
  REQUIRE(mock.stop() == 0);
  // Four chunks in one batch, "raft" once, "paxos" once; the stored vectors answer the rest.
  CHECK(has(test::read_text(dir / "mock.log"), " 3 embeddings, "));
}

TEST_CASE("tunebench index refuses bad input before anything is built or sent", "[e2e][index]") {
  test::TempDir dir;
  const std::string cwd = dir.path().string();
  test::write_text(dir / "bad.jsonl",
                   "{\"id\": \"a\", \"text\": \"fine\"}\n{\"id\": \"b\", \"txt\": \"typo\"}\n");
  const auto bad = test::tunebench("index bad.jsonl", cwd);
  CHECK(bad.exit_code == 2);
  CHECK(has(bad.output,
            "error: bad.jsonl:2: txt: unknown key; expected one of id, title, text or metadata "
            "(did you mean \"text\"?)"));
  CHECK(has(bad.output, "error: bad.jsonl:2: text: missing"));
  CHECK_FALSE(std::filesystem::exists(dir / "tunebench.retrieval.db"));

  const auto missing = test::tunebench("index nowhere", cwd);
  CHECK(missing.exit_code == 2);
  CHECK(has(missing.output, "error: nowhere: no such corpus file or folder"));

  write_corpus(dir);
  const auto overlap = test::tunebench("index glossary --chunk-tokens 10 --overlap 10", cwd);
  CHECK(overlap.exit_code == 2);
  CHECK(has(overlap.output, "error: --overlap: must be smaller than tokens (10 >= 10)"));
  CHECK(has(test::tunebench("index glossary --chunk-tokens 0", cwd).output,
            "error: --chunk-tokens: expected a whole number"));
  const auto method = test::tunebench("index glossary --method hybrid -q x", cwd);
  CHECK(method.exit_code == 2);
  CHECK(has(method.output, "error: --method hybrid needs --embeddings ENDPOINT MODEL"));
  const auto key = test::tunebench("index glossary --embeddings openai text-embedding-3-small", cwd,
                                   "env -u OPENAI_API_KEY");
  CHECK(key.exit_code == 2);
  CHECK(has(key.output, "the environment variable OPENAI_API_KEY holding the API key is not set"));
  const auto url =
      test::tunebench("index glossary --embeddings ftp://x text-embedding-3-small", cwd);
  CHECK(url.exit_code == 2);
  CHECK(has(url.output, "--embeddings: \"ftp://x\" is not mock, openai or a base URL"));
  CHECK_FALSE(std::filesystem::exists(dir / "tunebench.retrieval.db"));
  // Nobody listening: a runtime failure, after the index itself was built.
  const auto down = test::tunebench(
      "index glossary --quiet --max-attempts 1 --embeddings http://127.0.0.1:9/v1 m", cwd);
  CHECK(down.exit_code == 3);
  CHECK(has(down.output, "error: embeddings at http://127.0.0.1:9/v1 (m): network"));
  CHECK(has(down.output, "0 of 4 chunks have vectors; running the command again embeds the rest"));
}
