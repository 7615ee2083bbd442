#include <catch2/catch.hpp>

#include <chrono>

#include "mock/mock_server.hpp"
#include "run/index_embedder.hpp"
#include "test_paths.hpp"

using namespace tb;
using tb::test::TempDir;
using tb::test::write_text;

namespace {

struct Fixture {
  explicit Fixture(MockConfig config = default_mock_config())
      : server(MockModel(config, estimate_token_counter())) {
    std::string error;
    REQUIRE(server.start("127.0.0.1", 0, error));
    std::string url_error;
    endpoint.name = "mock";
    endpoint.simulated = true;
    endpoint.url =
        *parse_url("http://127.0.0.1:" + std::to_string(server.port()) + "/v1", url_error);
    endpoint.headers.emplace_back("content-type", "application/json");
    options.params.model = "text-embedding-3-small";
    options.params.dimensions = 128;
    options.batch_inputs = 4;
    write_text(dir / "c/raft.md",
               "# Raft\nA consensus algorithm that elects a leader and replicates a log.");
    write_text(dir / "c/paxos.md",
               "# Paxos\nA family of consensus protocols for unreliable networks.");
    write_text(dir / "c/b-tree.md",
               "# B-tree\nA self-balancing tree whose nodes hold many sorted keys.");
    write_text(dir / "c/bloom.md",
               "# Bloom filter\nA probabilistic set membership structure with false positives.");
    write_text(dir / "c/mutex.md", "# Mutex\nA lock that admits one thread at a time.");
    write_text(dir / "c/tls.md",
               "# TLS handshake\nClient and server agree on keys before sending data.");
  }

  RetrievalIndex open() {
    Diagnostics errors;
    const auto corpus = load_corpus(dir / "c", "c", errors);
    REQUIRE(corpus);
    IndexSettings s;
    s.tokenizer = EncodingName::cl100k_base;
    return RetrievalIndex::open(dir / "r.db", *corpus, s, {}, TUNEBENCH_VOCAB_DIR);
  }

  TempDir dir;
  MockServer server;
  EmbeddingsEndpoint endpoint;
  EmbeddingsOptions options;
};

}  // namespace

TEST_CASE("chunks are embedded once, in batches, over HTTP", "[retrieve][embeddings]") {
  Fixture f;
  auto index = f.open();
  std::size_t last_done = 0, total = 0;
  const auto first =
      embed_chunks(index, f.endpoint, f.options, [&](std::size_t done, std::size_t all) {
        last_done = done;
        total = all;
      });
  REQUIRE(first.ok);
  CHECK(first.embedded == 6);
  CHECK(first.requests == 2);  // batches of 4 + 2
  CHECK(first.tokens > 0);
  CHECK(last_done == 6);
  CHECK(total == 6);
  CHECK(f.server.counters().embeddings == 2);
  const std::string space = embedding_space(f.endpoint, f.options.params);
  CHECK(space == "mock text-embedding-3-small dimensions=128");
  CHECK(index.embedding_coverage(space).chunks == 6);
  CHECK(index.embedding_coverage(space).tokens == first.tokens);

  // Everything stored: the second call (and a reopened index) sends nothing.
  CHECK(embed_chunks(index, f.endpoint, f.options).requests == 0);
  auto reopened = f.open();
  CHECK(reopened.info().reused);
  const auto again = embed_chunks(reopened, f.endpoint, f.options);
  CHECK(again.ok);
  CHECK(again.requests == 0);
  CHECK(f.server.counters().embeddings == 2);

  // A query is embedded once, then found by its text; the mock's vectors make "consensus
  // leader" closest to Raft.
  const std::vector<std::string> queries = {"consensus leader", "consensus leader"};
  const auto q = embed_into_index(reopened, f.endpoint, f.options, queries);
  CHECK(q.requests == 1);
  CHECK(q.embedded == 1);
  CHECK(embed_into_index(reopened, f.endpoint, f.options, queries).requests == 0);
  const auto vector = reopened.stored_embedding(space, "consensus leader");
  REQUIRE(vector);
  const auto found = reopened.search_embeddings(space, *vector, 2);
  REQUIRE(found.size() == 2);
  CHECK(found[0].chunk_id == "raft#0");
  CHECK(found[1].chunk_id == "paxos#0");
  const auto hybrid = reopened.search_hybrid("consensus leader", space, *vector, 2);
  CHECK(hybrid.at(0).chunk_id == "raft#0");
}

TEST_CASE("embedding retries throttled batches and reports what failed for good",
          "[retrieve][embeddings]") {
  SECTION("429s with a short retry-after are retried until they pass") {
    MockConfig config = default_mock_config();
    config.faults.rate_limit = 0.5;
    config.faults.retry_after_s = 0.005;
    Fixture f(config);
    f.options.batch_inputs = 1;
    f.options.max_attempts = 20;
    f.options.backoff_base_ms = 2;
    auto index = f.open();
    const auto outcome = embed_chunks(index, f.endpoint, f.options);
    REQUIRE(outcome.ok);
    CHECK(outcome.embedded == 6);
    CHECK(outcome.retries > 0);
    CHECK(outcome.requests == 6 + outcome.retries);
  }
  SECTION("a bad request is not retried; batches already in stay stored") {
    Fixture f;
    f.options.params.dimensions = 100000;  // the mock refuses it
    auto index = f.open();
    const auto outcome = embed_chunks(index, f.endpoint, f.options);
    CHECK_FALSE(outcome.ok);
    CHECK(outcome.requests <= 2);
    CHECK(outcome.error.find(
              "embeddings at mock (text-embedding-3-small): bad_request: HTTP 400: dimensions") !=
          std::string::npos);
  }
  SECTION("a 429 asking for an hour ends the embedding at once, saying so") {
    MockConfig config = default_mock_config();
    config.faults.rate_limit = 1;
    config.faults.retry_after_s = 3600;
    Fixture f(config);
    f.options.batch_inputs = 1;
    f.options.concurrency = 1;
    auto index = f.open();
    const auto start = std::chrono::steady_clock::now();
    const auto outcome = embed_chunks(index, f.endpoint, f.options);
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(10));
    CHECK_FALSE(outcome.ok);
    CHECK(outcome.requests == 1);
    CHECK(outcome.error.find("rate_limit: HTTP 429: ") != std::string::npos);
    CHECK(outcome.error.find("; the server asked to wait 3600 s before a retry, more than "
                             "run.max_retry_wait_s (60 s)") != std::string::npos);
  }
  SECTION("nobody listening: a network error after the attempts") {
    Fixture f;
    f.options.max_attempts = 1;
    f.server.stop();
    auto index = f.open();
    const auto outcome = embed_chunks(index, f.endpoint, f.options);
    CHECK_FALSE(outcome.ok);
    CHECK(outcome.error.find("network") != std::string::npos);
  }
}
