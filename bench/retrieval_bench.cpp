// Index build and BM25 query throughput of tb::RetrievalIndex, to set beside
// bench/retrieval_peer.js:
//   retrieval_bench CORPUS.jsonl QUERIES.txt WORK_DIR [VOCAB_DIR]
// Build: load the corpus, chunk it (300 tokens, overlap 50, o200k_base) and write the chunks and
// the FTS5 index into a fresh file; MB/s counts the corpus's title and text bytes (10^6 bytes per
// MB); median of 3 builds. Queries: every query of the file, top 10, median of 3 passes, one
// thread. Writes WORK_DIR/chunks.jsonl (the chunks, for the peer to index the same units) and
// WORK_DIR/tunebench_top10.txt (the chunk ids found per query, one line per query).
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <exception>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "retrieve/retrieval_index.hpp"

namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4 || argc > 5) {
    std::fprintf(stderr, "usage: %s CORPUS.jsonl QUERIES.txt WORK_DIR [VOCAB_DIR]\n", argv[0]);
    return 2;
  }
  const std::filesystem::path work = argv[3];
  const std::filesystem::path vocab = argc > 4 ? argv[4] : "";
  std::vector<std::string> queries;
  {
    std::ifstream in(argv[2]);
    for (std::string line; std::getline(in, line);)
      if (!line.empty()) queries.push_back(line);
  }
  try {
    tb::IndexSettings settings;  // 300 tokens, overlap 50, o200k_base: the suite defaults
    // Warm the tokenizer's rank file, as a run that indexes has loaded it for its prompts anyway.
    const auto encoding = tb::Encoding::load(settings.tokenizer, vocab);
    std::array<double, 3> build{};
    std::optional<tb::Corpus> corpus;
    std::optional<tb::RetrievalIndex> index;
    for (std::size_t i = 0; i < build.size(); ++i) {
      const auto file = work / ("bench-" + std::to_string(i) + ".retrieval.db");
      for (const char* suffix : {"", "-wal", "-shm"})
        std::filesystem::remove(file.string() + suffix);
      const auto start = Clock::now();
      tb::Diagnostics errors;
      corpus = tb::load_corpus(argv[1], argv[1], errors);
      if (!corpus) {
        std::fprintf(stderr, "%s", errors.to_string().c_str());
        return 1;
      }
      index.emplace(tb::RetrievalIndex::open(file, *corpus, settings, {}, vocab));
      build[i] = seconds_since(start);
    }
    std::array<double, 3> sorted_build = build;
    std::sort(sorted_build.begin(), sorted_build.end());
    const double mb = static_cast<double>(corpus->bytes) / 1e6;
    std::printf(
        "index build: %.2f MB (%zu documents -> %zu chunks) in %.3f s = %.1f MB/s (median of 3: "
        "%.3f %.3f %.3f s)\n",
        mb, corpus->documents.size(), index->info().chunks, sorted_build[1], mb / sorted_build[1],
        build[0], build[1], build[2]);

    // The chunks, for the peer: the same units, ids and texts as the index holds.
    {
      tb::Chunker chunker(encoding, settings.chunking);
      std::ofstream out(work / "chunks.jsonl");
      std::vector<tb::Chunk> chunks;
      for (std::size_t d = 0; d < corpus->documents.size(); ++d)
        chunker.chunk(corpus->documents[d], d, chunks);
      for (const auto& c : chunks) {
        const auto& doc = corpus->documents[c.document];
        out << nlohmann::json{{"id", c.id},
                              {"title", doc.title},
                              {"text", doc.text.substr(c.begin, c.end - c.begin)}}
                   .dump()
            << "\n";
      }
    }

    std::array<double, 3> pass{};
    std::vector<std::vector<tb::Passage>> found(queries.size());
    for (double& s : pass) {
      const auto start = Clock::now();
      for (std::size_t q = 0; q < queries.size(); ++q)
        found[q] = index->search_bm25(queries[q], 10);
      s = seconds_since(start);
    }
    std::sort(pass.begin(), pass.end());
    std::printf("bm25 queries: %zu queries, top 10, %.0f queries/s (median of 3 passes: %.3f s)\n",
                queries.size(), static_cast<double>(queries.size()) / pass[1], pass[1]);
    std::ofstream top(work / "tunebench_top10.txt");
    for (const auto& passages : found) {
      for (std::size_t i = 0; i < passages.size(); ++i)
        top << (i ? " " : "") << passages[i].chunk_id;
      top << "\n";
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "retrieval_bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
