// The rag strategy through the real CLI against the mock: a variant with retrieve: runs end to
// end, its index and vectors are reused by the next run (no /v1/embeddings request at all, as
// the server counts them), a changed corpus is indexed anew, and mistakes stop the run with
// their file:line before anything is sent.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "e2e/cli.hpp"
#include "e2e/csv_reader.hpp"
#include "e2e/mock_process.hpp"
#include "e2e/sqlite_query.hpp"
#include "test_paths.hpp"

using namespace tb;
using test::tunebench;

namespace {

const std::string kSource = TUNEBENCH_SOURCE_DIR;

struct Entry {
  const char* id;
  const char* term;
  const char* definition;
  const char* category;
};

constexpr Entry kGlossary[] = {
    {"raft", "Raft",
     "A consensus algorithm that elects a leader and replicates a log to followers.",
     "distributed-systems"},
    {"paxos", "Paxos", "A family of consensus protocols that agree on one value despite failures.",
     "distributed-systems"},
    {"b-tree", "B-tree", "A balanced search tree whose wide nodes keep disk reads per lookup low.",
     "databases"},
    {"mutex", "mutex", "A lock that lets one thread at a time into a critical section of code.",
     "operating-systems"},
    {"bloom-filter", "Bloom filter",
     "A bit array with several hashes that answers maybe or no to membership.", "databases"},
    {"tls-handshake", "TLS handshake",
     "The exchange that authenticates a server and agrees on session keys.", "security"},
};

std::string reference(const Entry& e) {
  return nlohmann::json({{"term", e.term}, {"definition", e.definition}, {"category", e.category}})
      .dump();
}

// A glossary folder and a dataset of four of its terms, each naming its entry as gold.
void write_rag_files(const test::TempDir& dir) {
  for (const Entry& e : kGlossary)
    test::write_text(dir / ("glossary/" + std::string(e.id) + ".md"),
                     "# " + std::string(e.term) + "\n\n" + e.definition +
                         "\n\n- Category: " + e.category + "\n");
  std::string lines;
  for (const int i : {0, 2, 3, 4}) {
    const Entry& e = kGlossary[i];
    lines += nlohmann::json({{"messages",
                              {{{"role", "user"}, {"content", e.term}},
                               {{"role", "assistant"}, {"content", reference(e)}}}},
                             {"gold", {e.id}}})
                 .dump() +
             "\n";
  }
  test::write_text(dir / "d.jsonl", lines);
}

const char* kSuite = R"(name: rag-e2e
dataset: d.jsonl
expect:
  format: json
  checks:
    - {type: field-equals, path: /term}
    - {type: context-recall, required: false}
variants:
  - {id: prompted, endpoint: mock, model: gpt-4o-mini, system_text: "Define the term as JSON with term, definition and category."}
  - id: rag
    endpoint: mock
    model: gpt-4o-mini
    system_text: "Define the term as JSON with term, definition and category."
    retrieve:
      corpus: glossary
      k: 2
      method: hybrid
      embeddings: {model: text-embedding-3-small, dimensions: 64}
run: {concurrency: 4}
)";

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE(
    "a rag variant runs end to end; its index and vectors are reused, a changed corpus re-indexed",
    "[e2e][rag]") {
  test::TempDir dir;
  write_rag_files(dir);
  test::write_text(dir / "s.yaml", kSuite);
  const std::string cwd = dir.path().string();
  const auto db = dir / "t.db";

  const auto first = tunebench("run s.yaml --db t.db --out out", cwd);
  INFO(first.output);
  REQUIRE(first.exit_code == 0);
  CHECK(has(first.output, "retrieval (rag): index of glossary built in "));
  CHECK(has(first.output, "6 documents, 6 chunks"));
  CHECK(has(first.output, "-> t.retrieval.db"));
  // The six chunks in one batch, the four queries in another.
  CHECK(has(first.output,
            "retrieval (rag): embeddings by text-embedding-3-small at mock (simulated): 2 requests "
            "(6 chunks, 4 queries)"));
  CHECK(has(first.output, "embeddings requests: 2\n"));
  CHECK(has(first.output, "recall@k"));
  CHECK(has(first.output, "rag: hybrid, k=2 from glossary (6 documents): recall@2 "));

  // Each rag result holds its k passages, best first; its prompt split adds up to the whole.
  CHECK(test::count(db, "select count(*) from retrievals") == 8);
  CHECK(test::count(db, "select count(*) from retrievals where rank=1") == 4);
  CHECK(test::count(db,
                    "select count(*) from results where variant_id='rag' and retrieval_ms >= 0 and"
                    " instruction_tokens + context_tokens + case_tokens = local_prompt_tokens and"
                    " context_tokens > 0") == 4);
  CHECK(test::count(
            db,
            "select count(*) from results where variant_id='prompted' and context_tokens = 0 and"
            " retrieval_ms is null") == 4);
  // Embedding a query costs and counts in the request's cost; the corpus's cost is the variant's.
  CHECK(
      test::count(db,
                  "select count(*) from results where variant_id='rag' and embedding_tokens > 0 and"
                  " embedding_cost_usd > 0 and cost_usd > embedding_cost_usd") == 4);
  CHECK(test::count(db,
                    "select index_embedding_tokens > 0 and index_cost_usd > 0 from variants where "
                    "id='rag'") == 1);
  CHECK(has(test::query(db, "select retrieve_json from variants where id='rag'"),
            "\"method\":\"hybrid\""));
  CHECK(test::query(db, "select gold_json from cases where case_index=1") == "[\"b-tree\"]");
  // context-recall judges the rag results only.
  CHECK(test::count(db, "select count(*) from check_outcomes where name='context-recall'") == 4);
  const std::string retrieved = test::query(
      db,
      "select group_concat(chunk_id, ' ') from (select t.chunk_id from retrievals t join results r"
      " on r.id=t.result_id order by r.case_index, t.rank)");

  const auto csv = test::read_csv(test::read_text(dir / "out/run-1.csv"));
  REQUIRE(csv.size() == 9);
  const auto& header = csv[0];
  const auto column = [&](const std::string& name) {
    return static_cast<std::size_t>(std::find(header.begin(), header.end(), name) - header.begin());
  };
  REQUIRE(column("retrieved") < header.size());
  REQUIRE(column("context_tokens") < header.size());
  for (std::size_t row = 1; row < csv.size(); ++row) {
    const bool rag = csv[row][column("variant")] == "rag";
    CHECK(csv[row][column("retrieved")].empty() == !rag);
    CHECK((csv[row][column("context_tokens")] == "0") == !rag);
  }
  const std::string html = test::read_text(dir / "out/run-1.html");
  CHECK(has(html, "<h2>Retrieval</h2>"));
  CHECK(has(html, "<h2>Prompt composition</h2>"));
  CHECK(has(html, "retrieved context</span>"));

  // Again: the index is reused and no embeddings request is sent (the chat answers come from
  // the response cache); the passages are the same.
  const auto second = tunebench("run s.yaml --db t.db --no-report", cwd);
  INFO(second.output);
  REQUIRE(second.exit_code == 0);
  CHECK(has(second.output,
            "retrieval (rag): index of glossary reused: 6 chunks, unchanged since it was built "));
  CHECK(has(second.output,
            "retrieval (rag): embeddings reused: 6 chunks and 4 queries already have vectors from "
            "text-embedding-3-small at mock (simulated); 0 requests"));
  CHECK(has(second.output, "embeddings requests: 0\n"));
  CHECK(test::query(db,
                    "select group_concat(chunk_id, ' ') from (select t.chunk_id from retrievals t "
                    "join results r"
                    " on r.id=t.result_id where r.run_id=1 order by r.case_index, t.rank)") ==
        retrieved);
  CHECK(test::count(db,
                    "select count(*) from retrievals t join results r on r.id=t.result_id where "
                    "r.run_id=2") == 8);

  // A touched but unchanged file changes nothing; a changed text is indexed anew and only its
  // chunk is embedded again. A resume of a run made on the old corpus is refused before
  // anything is built or sent.
  test::write_text(dir / "glossary/raft.md", test::read_text(dir / "glossary/raft.md"));
  CHECK(has(tunebench("run s.yaml --db t.db --no-report", cwd).output, "embeddings requests: 0\n"));
  test::write_text(dir / "glossary/raft.md",
                   "# Raft\n\nA consensus algorithm with terms, a leader and a replicated log.\n\n"
                   "- Category: distributed-systems\n");
  const auto resume = tunebench("run s.yaml --db t.db --no-report --resume 1", cwd);
  CHECK(resume.exit_code == 2);
  CHECK(has(resume.output, "variant rag retrieves differently from when run 1 started"));
  CHECK_FALSE(has(resume.output, "retrieval (rag): index"));
  const auto changed = tunebench("run s.yaml --db t.db --no-report", cwd);
  INFO(changed.output);
  REQUIRE(changed.exit_code == 0);
  CHECK(has(changed.output, "retrieval (rag): index of glossary built in "));
  CHECK(has(changed.output, ": 1 request (1 chunk, 0 queries)"));
}

TEST_CASE("a second run of a rag suite sends the embeddings server no request at all",
          "[e2e][rag]") {
  test::TempDir dir;
  test::MockProcess mock(dir / "mock.log");
  REQUIRE(mock.port() > 0);
  test::write_text(dir / "s.yaml",
                   "name: rag-external\ndataset: " + kSource +
                       "/datasets/tech_terms_eval.jsonl\nlimit: 6\n"
                       "expect: {format: json}\n"
                       "variants:\n"
                       "  - id: rag\n    model: gpt-4o-mini\n    system: " +
                       kSource +
                       "/suites/prompts/tech_terms_full.txt\n"
                       "    retrieve: {corpus: " +
                       kSource +
                       "/datasets/corpora/tech-terms, k: 3, method: embeddings,"
                       " embeddings: {model: text-embedding-3-small}}\n"
                       "endpoints:\n  local: {kind: openai, base_url: \"http://127.0.0.1:" +
                       std::to_string(mock.port()) + "/v1\"}\n");
  const std::string cwd = dir.path().string();
  const auto first = tunebench("run s.yaml --db t.db --no-report --quiet", cwd);
  INFO(first.output);
  REQUIRE(first.exit_code == 0);
  // 204 chunks in two batches of at most 128, six queries in one.
  CHECK(has(first.output, "embeddings requests: 3\n"));
  CHECK(has(first.output, "recall@3"));
  const auto second = tunebench("run s.yaml --db t.db --no-report --quiet", cwd);
  INFO(second.output);
  REQUIRE(second.exit_code == 0);
  CHECK(has(second.output, "embeddings requests: 0\n"));
  CHECK(has(second.output, "answered from the cache: 6"));
  REQUIRE(mock.stop() == 0);
  // What the server counted over both runs: the first run's requests, none from the second.
  const std::string log = test::read_text(dir / "mock.log");
  INFO(log);
  CHECK(has(log, "(6 chat completions, 3 embeddings, "));
}

TEST_CASE("rag mistakes stop the run with their file:line before anything is sent", "[e2e][rag]") {
  test::TempDir dir;
  write_rag_files(dir);
  const std::string cwd = dir.path().string();

  test::write_text(dir / "kind.yaml",
                   "name: k\ndataset: d.jsonl\nvariants:\n"
                   "  - id: r\n    endpoint: mock\n    model: gpt-4o-mini\n    kind: rag\n");
  auto r = tunebench("run kind.yaml --db t.db", cwd);
  CHECK(r.exit_code == 2);
  CHECK(has(r.output,
            "error: kind.yaml:7: variants[0].kind: kind rag needs retrieve: {corpus: "
            "FOLDER_OR_JSONL, k: N}"));

  test::write_text(dir / "typo.yaml",
                   "name: k\ndataset: d.jsonl\nvariants:\n"
                   "  - id: r\n    endpoint: mock\n    model: gpt-4o-mini\n"
                   "    retrieve: {corpus: glossary, methd: bm25}\n");
  r = tunebench("run typo.yaml --db t.db", cwd);
  CHECK(r.exit_code == 2);
  CHECK(has(
      r.output,
      "error: typo.yaml:7: variants[0].retrieve.methd: unknown key (did you mean \"method\"?)"));

  // The corpus's own mistakes name its file and line.
  test::write_text(dir / "corpus.jsonl",
                   "{\"id\": \"raft\", \"text\": \"ok\"}\n{\"id\": \"paxos\"}\n");
  test::write_text(
      dir / "jsonl.yaml",
      "name: k\ndataset: d.jsonl\nvariants:\n"
      "  - {id: r, endpoint: mock, model: gpt-4o-mini, retrieve: {corpus: corpus.jsonl}}\n");
  r = tunebench("run jsonl.yaml --db t.db", cwd);
  CHECK(r.exit_code == 2);
  CHECK(has(r.output, "error: corpus.jsonl:2: text: missing"));
  CHECK(has(r.output, "nothing was sent and no run was stored"));

  // A gold passage the corpus does not hold is a typo that would zero its case's recall.
  std::string lines = test::read_text(dir / "d.jsonl");
  lines.replace(lines.find("[\"b-tree\"]"), 10, "[\"btree\"]");
  test::write_text(dir / "d.jsonl", lines);
  test::write_text(
      dir / "gold.yaml",
      "name: k\ndataset: d.jsonl\nvariants:\n"
      "  - {id: r, endpoint: mock, model: gpt-4o-mini, retrieve: {corpus: glossary}}\n");
  r = tunebench("run gold.yaml --db t.db", cwd);
  CHECK(r.exit_code == 2);
  CHECK(
      has(r.output,
          "error: d.jsonl:2: gold: no document \"btree\" in glossary (did you mean \"b-tree\"?)"));

  // An embedding model without a price is never counted as free.
  test::write_text(dir / "price.yaml",
                   "name: k\ndataset: d.jsonl\nvariants:\n"
                   "  - {id: r, endpoint: mock, model: gpt-4o-mini, retrieve: {corpus: glossary,"
                   " method: embeddings, embeddings: {model: my-embedder}}}\n");
  r = tunebench("run price.yaml --db t.db", cwd);
  CHECK(r.exit_code == 2);
  CHECK(has(r.output, "no price for embedding model \"my-embedder\""));
  CHECK_FALSE(std::filesystem::exists(dir / "t.db"));
  CHECK_FALSE(std::filesystem::exists(dir / "t.retrieval.db"));
}

TEST_CASE("an embeddings endpoint that fails stops the run (exit 3) before it is stored",
          "[e2e][rag]") {
  test::TempDir dir;
  write_rag_files(dir);
  test::write_text(dir / "down.yaml",
                   "name: down\ndataset: d.jsonl\nvariants:\n"
                   "  - {id: r, endpoint: mock, model: gpt-4o-mini, retrieve: {corpus: glossary, "
                   "method: embeddings,"
                   " embeddings: {model: text-embedding-3-small, endpoint: down}}}\n"
                   "endpoints:\n  mock: {kind: mock}\n  down: {kind: openai, base_url: "
                   "\"http://127.0.0.1:9/v1\"}\n"
                   "run: {max_attempts: 1}\n");
  const auto r = tunebench("run down.yaml --db t.db --no-report", dir.path().string());
  INFO(r.output);
  CHECK(r.exit_code == 3);
  CHECK(has(r.output,
            "error: embeddings at http://127.0.0.1:9/v1 (text-embedding-3-small): network"));
  CHECK(test::count(dir / "t.db", "select count(*) from runs") == 0);
}
