#include <catch2/catch.hpp>

#include <sqlite3.h>

#include <cmath>
#include <random>

#include "retrieve/retrieval_index.hpp"
#include "test_paths.hpp"

using namespace tb;
using tb::test::TempDir;
using tb::test::write_text;

namespace {

// Six short documents; FTS5's unicode61 tokenizer gives (title + text) token counts of
// 1+5, 1+8, 1+3, 2+5, 2+3, 1+5 = 37 in all.
const char* kTiny =
    R"({"id": "raft", "title": "Raft", "text": "raft is a consensus algorithm"}
{"id": "paxos", "title": "Paxos", "text": "paxos is a consensus protocol older than raft"}
{"id": "gossip", "title": "Gossip", "text": "gossip spreads state"}
{"id": "b-tree", "title": "B-tree", "text": "a balanced tree for disk"}
{"id": "bloom", "title": "Bloom filter", "text": "a probabilistic set"}
{"id": "mutex", "title": "Mutex", "text": "a lock for mutual exclusion"}
)";

Corpus load(const std::filesystem::path& p) {
  Diagnostics errors;
  auto corpus = load_corpus(p, p.string(), errors);
  REQUIRE(errors.empty());
  return std::move(*corpus);
}

IndexSettings settings(int tokens = 300, int overlap = 50) {
  IndexSettings s;
  s.chunking = {tokens, overlap};
  s.tokenizer = EncodingName::cl100k_base;
  return s;
}

RetrievalIndex open(const std::filesystem::path& file, const Corpus& corpus,
                    const IndexSettings& s = settings()) {
  return RetrievalIndex::open(file, corpus, s, {}, TUNEBENCH_VOCAB_DIR);
}

// FTS5's bm25() as documented (k1 = 1.2, b = 0.75, idf = ln((N - n + 0.5) / (n + 0.5))), with
// a phrase's frequency weighted per column and D the row's tokens over all columns.
double bm25(double idf, double weighted_freq, double row_tokens, double avg_tokens) {
  return idf * weighted_freq * 2.2 /
         (weighted_freq + 1.2 * (0.25 + 0.75 * row_tokens / avg_tokens));
}

long long count_rows(const std::filesystem::path& file, const std::string& sql) {
  sqlite3* db = nullptr;
  sqlite3_open(file.string().c_str(), &db);
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr);
  long long n = -1;
  if (sqlite3_step(stmt) == SQLITE_ROW) n = sqlite3_column_int64(stmt, 0);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return n;
}

// (rowid-free) chunk id -> score of FTS5's own bm25(2.0, 1.0) for every row matching `query`.
std::map<std::string, double> reference_bm25(const std::filesystem::path& file,
                                             const std::string& key, const std::string& query) {
  sqlite3* db = nullptr;
  sqlite3_open(file.string().c_str(), &db);
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db, "SELECT id FROM indexes WHERE key = ?", -1, &stmt, nullptr);
  sqlite3_bind_text(stmt, 1, key.c_str(), -1, SQLITE_TRANSIENT);
  REQUIRE(sqlite3_step(stmt) == SQLITE_ROW);
  const std::string n = std::to_string(sqlite3_column_int64(stmt, 0));
  sqlite3_finalize(stmt);
  const std::string sql = "SELECT c.chunk_id, bm25(fts_" + n + ", 2.0, 1.0) FROM fts_" + n +
                          " JOIN chunks_" + n + " c ON c.id = fts_" + n + ".rowid WHERE fts_" + n +
                          " MATCH ?";
  REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK);
  const std::string match = fts5_match_expression(query);
  sqlite3_bind_text(stmt, 1, match.c_str(), -1, SQLITE_TRANSIENT);
  std::map<std::string, double> scores;
  while (sqlite3_step(stmt) == SQLITE_ROW)
    scores[reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0))] =
        -sqlite3_column_double(stmt, 1);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return scores;
}

}  // namespace

TEST_CASE("the BM25 ranking gives FTS5's bm25() scores to the last bit", "[retrieve][index]") {
  // Random documents over a small vocabulary (some words accented, some joined by a dash that
  // FTS5 splits), so that words repeat within and across chunks and titles.
  TempDir dir;
  std::mt19937 rng(7);
  const std::vector<std::string> vocabulary = {
      "raft",   "paxos",  "leader", "log",   "tree", "disk",  "page",  "cache",   "lock",
      "thread", "queue",  "café",   "naïve", "über", "x-ray", "index", "query",   "term",
      "zebra",  "quorum", "the",    "of",    "a",    "and",   "retry", "backoff", "token"};
  std::uniform_int_distribution<std::size_t> word(0, vocabulary.size() - 1);
  std::string jsonl;
  for (int d = 0; d < 60; ++d) {
    std::string title = vocabulary[word(rng)] + " " + vocabulary[word(rng)];
    std::string text;
    const int length = 5 + static_cast<int>(rng() % 120);
    for (int w = 0; w < length; ++w) text += vocabulary[word(rng)] + (w % 9 == 8 ? ". " : " ");
    jsonl += R"({"id": "d)" + std::to_string(d) + R"(", "title": ")" + title + R"(", "text": ")" +
             text + "\"}\n";
  }
  write_text(dir / "c.jsonl", jsonl);
  const auto file = dir / "r.db";
  auto index = open(file, load(dir / "c.jsonl"), settings(40, 10));
  REQUIRE(index.info().chunks > 60);
  const std::vector<std::string> queries = {"raft leader",     "zebra",          "the of a and",
                                            "CAFÉ naïve über", "x-ray tree",     "— retry",
                                            "quorum — token",  "cache — é lock", "missingword",
                                            "raft raft raft",  "page cache disk"};
  for (const auto& query : queries) {
    INFO("query: " << query);
    const auto reference = reference_bm25(file, index.info().key, query);
    const auto found = index.search_bm25(query, 10000);
    REQUIRE(found.size() == reference.size());
    for (std::size_t i = 0; i < found.size(); ++i) {
      INFO("chunk " << found[i].chunk_id);
      CHECK(found[i].score == reference.at(found[i].chunk_id));  // exactly
      if (i > 0) CHECK(found[i - 1].score >= found[i].score);
    }
    // A second time the row lengths and the idfs come from memory: still the same.
    const auto again = index.search_bm25(query, 10000);
    REQUIRE(again.size() == found.size());
    for (std::size_t i = 0; i < again.size(); ++i) CHECK(again[i].score == found[i].score);
  }
}

TEST_CASE("the FTS5 match expression takes words literally", "[retrieve][index]") {
  CHECK(fts5_match_expression("What is Raft?") == R"("what" OR "is" OR "raft")");
  CHECK(fts5_match_expression("raft RAFT raft") == R"("raft")");
  // FTS5 syntax in a question is text, not operators: no error, no NEAR, no column filter.
  CHECK(fts5_match_expression(R"(NEAR(a b) title:x "quoted* ^c AND d-e)") ==
        R"("near" OR "a" OR "b" OR "title" OR "x" OR "quoted" OR "c" OR "and" OR "d" OR "e")");
  CHECK(fts5_match_expression("é café") == R"("é" OR "café")");
  CHECK(fts5_match_expression("?!  --").empty());
  std::string many;
  for (int i = 0; i < 100; ++i) many += "w" + std::to_string(i) + " ";
  const std::string limited = fts5_match_expression(many);
  CHECK(std::count(limited.begin(), limited.end(), '"') == 2 * 64);
}

TEST_CASE("BM25 through FTS5 ranks a tiny corpus as computed by hand", "[retrieve][index]") {
  TempDir dir;
  write_text(dir / "tiny.jsonl", kTiny);
  auto index = open(dir / "r.db", load(dir / "tiny.jsonl"));
  CHECK(index.info().chunks == 6);
  const double avg = 37.0 / 6;

  SECTION("one word in two documents: the one with it in the title (counted twice) wins") {
    const auto found = index.search_bm25("raft", 5);
    REQUIRE(found.size() == 2);
    const double idf = std::log(4.5 / 2.5);
    CHECK(found[0].chunk_id == "raft#0");
    CHECK(found[0].document_id == "raft");
    CHECK(found[0].title == "Raft");
    CHECK(found[0].text == "raft is a consensus algorithm");
    CHECK(found[0].score == Approx(bm25(idf, 2 + 1, 6, avg)).epsilon(1e-9));
    CHECK(found[1].chunk_id == "paxos#0");
    CHECK(found[1].score == Approx(bm25(idf, 1, 9, avg)).epsilon(1e-9));
  }
  SECTION("two words: scores add up over the words") {
    const auto found = index.search_bm25("Which tree reaches consensus?", 5);
    REQUIRE(found.size() == 3);
    const double tree = std::log(5.5 / 1.5), consensus = std::log(4.5 / 2.5);
    // b-tree: "tree" in title and text; raft (6 tokens) beats paxos (9) on "consensus".
    CHECK(found[0].chunk_id == "b-tree#0");
    CHECK(found[0].score == Approx(bm25(tree, 3, 7, avg)).epsilon(1e-9));
    CHECK(found[1].chunk_id == "raft#0");
    CHECK(found[1].score == Approx(bm25(consensus, 1, 6, avg)).epsilon(1e-9));
    CHECK(found[2].chunk_id == "paxos#0");
    CHECK(found[2].score == Approx(bm25(consensus, 1, 9, avg)).epsilon(1e-9));
  }
  SECTION("k limits; no word in common finds nothing; FTS5 syntax is harmless") {
    CHECK(index.search_bm25("consensus", 1).size() == 1);
    CHECK(index.search_bm25("kubernetes", 5).empty());
    CHECK(index.search_bm25("", 5).empty());
    CHECK(index.search_bm25(R"(raft" OR NEAR(paxos)", 5).size() == 2);
  }
}

TEST_CASE("an index is built once per corpus content and settings", "[retrieve][index]") {
  TempDir dir;
  write_text(dir / "tiny.jsonl", kTiny);
  const auto file = dir / "r.db";
  const Corpus corpus = load(dir / "tiny.jsonl");
  std::size_t progress_calls = 0, last_done = 0;
  {
    auto first = RetrievalIndex::open(
        file, corpus, settings(),
        [&](std::size_t done, std::size_t total) {
          ++progress_calls;
          CHECK(total == 6);
          CHECK(done > last_done);
          last_done = done;
        },
        TUNEBENCH_VOCAB_DIR);
    CHECK_FALSE(first.info().reused);
    CHECK(first.info().documents == 6);
    CHECK(first.info().build_ms > 0);
    CHECK(first.info().key.size() == 64);
  }
  CHECK(progress_calls >= 1);  // per block of documents
  CHECK(last_done == 6);
  const auto again = open(file, load(dir / "tiny.jsonl"));
  CHECK(again.info().reused);
  CHECK(again.info().chunks == 6);
  // Other settings are another index, beside the first.
  const auto other = open(file, corpus, settings(200, 20));
  CHECK_FALSE(other.info().reused);
  CHECK(other.info().key != again.info().key);
  CHECK(count_rows(file, "SELECT COUNT(*) FROM indexes") == 2);

  // A changed corpus is indexed anew and its stale index (same path, same settings) dropped.
  write_text(dir / "tiny.jsonl",
             std::string(kTiny) + R"({"id": "tls", "text": "the tls handshake"})" + "\n");
  auto changed = open(file, load(dir / "tiny.jsonl"));
  CHECK_FALSE(changed.info().reused);
  CHECK(changed.info().documents == 7);
  CHECK(changed.info().dropped == 1);
  CHECK(changed.search_bm25("handshake", 3).at(0).chunk_id == "tls#0");
  CHECK(count_rows(file, "SELECT COUNT(*) FROM indexes") == 2);
  CHECK(count_rows(file, "SELECT COUNT(*) FROM sqlite_master WHERE name LIKE 'chunks_%'") == 2);
  CHECK(open(file, load(dir / "tiny.jsonl")).info().reused);

  CHECK_THROWS_WITH(open(file, corpus, settings(10, 10)),
                    Catch::Contains("overlap: must be smaller than tokens"));
}

TEST_CASE("long documents give several chunks, each searchable on its own", "[retrieve][index]") {
  TempDir dir;
  std::string text;
  for (int i = 0; i < 40; ++i)
    text += "Filler sentence number " + std::to_string(i) + " about nothing much. ";
  text += "The needle sentence mentions zebras exactly once. ";
  for (int i = 0; i < 40; ++i) text += "More filler " + std::to_string(i) + " follows here. ";
  write_text(dir / "c/long.md", "# Long\n" + text);
  auto index = open(dir / "r.db", load(dir / "c"), settings(64, 16));
  CHECK(index.info().chunks > 5);
  const auto found = index.search_bm25("zebras", 5);
  REQUIRE_FALSE(found.empty());
  CHECK(found[0].document_id == "long");
  CHECK(found[0].title == "Long");
  CHECK(found[0].text.find("zebras") != std::string::npos);
  CHECK(found[0].tokens <= 64);
  // With overlap the needle may sit in two neighbouring chunks; never in more.
  CHECK(found.size() <= 2);
}

TEST_CASE("embeddings are stored per space and text, and searched by cosine", "[retrieve][index]") {
  TempDir dir;
  write_text(dir / "tiny.jsonl", kTiny);
  const auto file = dir / "r.db";
  auto index = open(file, load(dir / "tiny.jsonl"));
  const std::string space = "test-space";
  auto missing = index.chunks_without_embedding(space);
  REQUIRE(missing.size() == 6);
  CHECK(missing[0] == "Raft\n\nraft is a consensus algorithm");
  CHECK(missing[0] == RetrievalIndex::embedding_text("Raft", "raft is a consensus algorithm"));

  // Hand-made 3-d vectors: axis 0 = "consensus", axis 1 = "data structures", axis 2 = rest.
  std::vector<std::vector<float>> vectors;
  for (const auto& text : missing) {
    if (text.starts_with("Raft"))
      vectors.push_back({1, 0, 0.1f});
    else if (text.starts_with("Paxos"))
      vectors.push_back({0.9f, 0, 0.3f});
    else if (text.starts_with("B-tree"))
      vectors.push_back({0, 1, 0});
    else if (text.starts_with("Bloom"))
      vectors.push_back({0, 0.8f, 0.6f});
    else
      vectors.push_back({0, 0, 1});
  }
  const std::vector<long long> tokens(6, 10);
  // Two batches, as an embeddings client delivers them.
  index.store_embeddings(space, std::span(missing).first(2), std::span(vectors).first(2),
                         std::span(tokens).first(2));
  CHECK(index.embedding_coverage(space).chunks == 2);
  CHECK(index.chunks_without_embedding(space).size() == 4);
  index.store_embeddings(space, std::span(missing).subspan(2), std::span(vectors).subspan(2),
                         std::span(tokens).subspan(2));
  CHECK(index.chunks_without_embedding(space).empty());
  CHECK(index.chunks_without_embedding("other-space").size() == 6);
  CHECK(index.embedding_coverage(space).chunks == 6);
  CHECK(index.embedding_coverage(space).tokens == 60);
  CHECK(*index.stored_embedding(space, missing[3]) == vectors[3]);
  CHECK_FALSE(index.stored_embedding("other-space", missing[3]));

  const std::vector<float> query = {1, 0.05f, 0};
  const auto found = index.search_embeddings(space, query, 3);
  REQUIRE(found.size() == 3);
  CHECK(found[0].chunk_id == "raft#0");
  CHECK(found[0].score ==
        Approx((1 + 0.0) / (std::sqrt(1.0 + 0.0025) * std::sqrt(1.01))).epsilon(1e-6));
  CHECK(found[1].chunk_id == "paxos#0");
  CHECK(found[2].chunk_id == "b-tree#0");

  // Hybrid: "tree" finds only b-tree lexically; the vector prefers raft, paxos, b-tree.
  const auto hybrid = index.search_hybrid("tree", space, query, 3);
  REQUIRE(hybrid.size() == 3);
  CHECK(hybrid[0].chunk_id == "b-tree#0");  // 1/61 + 1/63 beats 1/61 alone
  CHECK(hybrid[0].score == Approx(1.0 / 61 + 1.0 / 63));
  CHECK(hybrid[1].chunk_id == "raft#0");
  CHECK(hybrid[1].score == Approx(1.0 / 61));
  CHECK(hybrid[2].chunk_id == "paxos#0");

  // Vectors survive the process: a reopened index finds them, and a query vector stored as
  // text is found by its text.
  const std::vector<std::string> query_text = {"what reaches consensus?"};
  const std::vector<std::vector<float>> query_vector = {query};
  const std::vector<long long> query_tokens = {4};
  index.store_embeddings(space, query_text, query_vector, query_tokens);
  auto reopened = open(file, load(dir / "tiny.jsonl"));
  CHECK(reopened.info().reused);
  CHECK(reopened.embedding_coverage(space).chunks == 6);
  CHECK(*reopened.stored_embedding(space, "what reaches consensus?") == query);
  CHECK(reopened.search_embeddings(space, query, 1).at(0).chunk_id == "raft#0");
  CHECK(reopened.search_embeddings("other-space", query, 1).empty());
}

TEST_CASE("the side file sits beside the store", "[retrieve][index]") {
  CHECK(RetrievalIndex::beside_store("tunebench.db") == "tunebench.retrieval.db");
  CHECK(RetrievalIndex::beside_store("/tmp/x/runs.db") == "/tmp/x/runs.retrieval.db");
  CHECK(RetrievalIndex::beside_store("store") == "store.retrieval.db");
  CHECK(parse_retrieval_method("hybrid") == RetrievalMethod::hybrid);
  CHECK_FALSE(parse_retrieval_method("dense"));
  CHECK(to_string(RetrievalMethod::embeddings) == "embeddings");
}

TEST_CASE("a corpus of several blocks is chunked on a second thread and written in order",
          "[retrieve][index]") {
  TempDir dir;
  // ~700 KB: three blocks of documents for the build's second thread.
  std::string jsonl;
  for (int d = 0; d < 700; ++d) {
    std::string text = "Document " + std::to_string(d) + " marker" + std::to_string(d) + ".";
    while (text.size() < 1000)
      text += " Filler words about nothing in particular, repeated for length.";
    jsonl += R"({"id": "doc)" + std::to_string(d) + R"(", "text": ")" + text + "\"}\n";
  }
  write_text(dir / "c.jsonl", jsonl);
  const Corpus corpus = load(dir / "c.jsonl");
  std::vector<std::size_t> progress;
  auto index = RetrievalIndex::open(
      dir / "r.db", corpus, settings(300, 50),
      [&](std::size_t done, std::size_t) { progress.push_back(done); }, TUNEBENCH_VOCAB_DIR);
  CHECK(progress.size() >= 3);
  CHECK(progress.back() == 700);
  // The same chunks as chunking each document in turn, with rows in document order.
  const Chunker chunker(Encoding::load(EncodingName::cl100k_base, TUNEBENCH_VOCAB_DIR), {300, 50});
  std::vector<Chunk> expected;
  for (std::size_t d = 0; d < corpus.documents.size(); ++d)
    chunker.chunk(corpus.documents[d], d, expected);
  CHECK(index.info().chunks == expected.size());
  long long tokens = 0;
  for (const auto& c : expected) tokens += c.tokens;
  CHECK(index.info().chunk_tokens == tokens);
  for (const int d : {0, 233, 466, 699}) {
    const auto found = index.search_bm25("marker" + std::to_string(d), 3);
    REQUIRE(found.size() == 1);
    CHECK(found[0].chunk_id == "doc" + std::to_string(d) + "#0");
  }
  CHECK(count_rows(dir / "r.db",
                   "SELECT COUNT(*) FROM chunks_1 WHERE id != (SELECT COUNT(*) FROM chunks_1 c2 "
                   "WHERE c2.id <= chunks_1.id)") == 0);
}
