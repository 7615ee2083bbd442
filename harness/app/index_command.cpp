// tunebench index CORPUS: builds (or finds) the retrieval index of a corpus, optionally embeds
// its chunks, and answers trial queries, so retrieval can be inspected before a run uses it.
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "analysis/price_catalog.hpp"
#include "app/commands.hpp"
#include "app/exit_codes.hpp"
#include "common/clock.hpp"
#include "common/secrets.hpp"
#include "common/text.hpp"
#include "mock/mock_server.hpp"
#include "net/url.hpp"
#include "run/index_embedder.hpp"
#include "retrieve/retrieval_index.hpp"
#include "run/progress.hpp"
#include "store/store_error.hpp"

namespace tb {
namespace {

struct IndexArgs {
  std::string corpus;
  std::string db = "tunebench.db";
  int chunk_tokens = 300;
  int overlap = 50;
  std::string model;
  std::string encoding;
  std::vector<std::string> embeddings;  // ENDPOINT MODEL
  int dimensions = 0;
  int max_attempts = 4;
  std::string api_key_env;
  std::vector<std::string> queries;
  int k = 3;
  std::string method = "bm25";
  bool quiet = false;
  std::string vocab_dir;
};

// One updating line on a terminal, a line every few seconds when piped, nothing when quiet.
class StepProgress {
 public:
  // Piped, the first line comes after a few seconds: a quick step prints nothing but its result.
  StepProgress(Progress::Mode mode, std::string label)
      : mode_(mode),
        label_(std::move(label)),
        last_ms_(mode == Progress::Mode::tty ? -1e9 : steady_ms()) {}
  void update(std::size_t done, std::size_t total) {
    if (mode_ == Progress::Mode::quiet) return;
    const double now = steady_ms();
    const bool last = done == total;
    if (!last && now - last_ms_ < (mode_ == Progress::Mode::tty ? 100 : 5000)) return;
    last_ms_ = now;
    const std::string line = label_ + ": " + std::to_string(done) + " of " + std::to_string(total);
    if (mode_ == Progress::Mode::tty) {
      std::fprintf(stderr, "\r%s%s", line.c_str(), last ? "\n" : "");
    } else if (!last) {
      std::fprintf(stderr, "%s\n", line.c_str());
    }
  }

 private:
  Progress::Mode mode_;
  std::string label_;
  double last_ms_;
};

std::string megabytes(std::size_t bytes) {
  return fixed(static_cast<double>(bytes) / 1e6, 2) + " MB";
}

// The endpoint behind --embeddings: the built-in mock (started here), openai, or a base URL.
struct EmbeddingsSetup {
  EmbeddingsEndpoint endpoint;
  EmbeddingsOptions options;
  std::unique_ptr<MockServer> mock;
};

std::optional<EmbeddingsSetup> embeddings_setup(const IndexArgs& args, std::string& error) {
  EmbeddingsSetup s;
  const std::string& where = args.embeddings[0];
  s.options.params.model = args.embeddings[1];
  if (args.dimensions > 0) s.options.params.dimensions = args.dimensions;
  s.options.max_attempts = args.max_attempts;
  std::string base_url;
  std::string key_env = args.api_key_env;
  if (where == "mock") {
    s.mock = std::make_unique<MockServer>(MockModel(default_mock_config()));
    if (!s.mock->start("127.0.0.1", 0, error)) return std::nullopt;
    base_url = "http://127.0.0.1:" + std::to_string(s.mock->port()) + "/v1";
    s.endpoint.simulated = true;
  } else if (where == "openai") {
    const char* env = std::getenv("OPENAI_BASE_URL");
    base_url = env != nullptr && *env != '\0' ? env : "https://api.openai.com/v1";
    if (key_env.empty()) key_env = "OPENAI_API_KEY";
  } else {
    base_url = where;
  }
  std::string url_error;
  const auto url = parse_url(base_url, url_error);
  if (!url) {
    error = "--embeddings: " + dquote(where) + " is not mock, openai or a base URL: " + url_error;
    return std::nullopt;
  }
  s.endpoint.url = *url;
  s.endpoint.name = where;
  s.endpoint.headers.emplace_back("content-type", "application/json");
  if (!key_env.empty()) {
    const std::string key = Secrets::from_env(key_env);
    if (key.empty()) {
      error = "--embeddings " + where + ": the environment variable " + key_env +
              " holding the API key is not set";
      return std::nullopt;
    }
    s.endpoint.headers.emplace_back("authorization", "Bearer " + key);
  }
  return s;
}

void print_passages(const std::string& query, const std::string& method, int k,
                    const std::vector<Passage>& found) {
  std::cout << "query " << dquote(query) << " (" << method << ", k=" << k << "): "
            << (found.empty() ? "no passage matches" : std::to_string(found.size()) + " passages")
            << "\n";
  for (std::size_t i = 0; i < found.size(); ++i)
    std::cout << "  " << i + 1 << ". " << found[i].chunk_id << "  score "
              << fixed(found[i].score, 4) << "  " << found[i].tokens << " tokens  "
              << dquote(ellipsize(found[i].title, 60)) << "\n";
}

int run_index(const IndexArgs& args) {
  const auto mode = Progress::detect(args.quiet);
  IndexSettings settings;
  settings.chunking = {args.chunk_tokens, args.overlap};
  if (const auto problem = invalid_chunking(settings.chunking)) {
    std::cerr << "error: " << (problem->starts_with("tokens") ? "--chunk-" : "--") << *problem
              << "\n";
    return kExitUsage;
  }
  if (!args.model.empty()) {
    const auto name = encoding_for_model(args.model);
    if (!name) {
      std::cerr << "error: --model: no known tokenizer for " << dquote(args.model)
                << "; pass --encoding cl100k_base|o200k_base\n";
      return kExitUsage;
    }
    settings.tokenizer = *name;
  } else if (!args.encoding.empty()) {
    settings.tokenizer = *parse_encoding_name(args.encoding);  // CLI11 checked the choice
  }
  const RetrievalMethod method = *parse_retrieval_method(args.method);  // CLI11 checked the choice
  if (method != RetrievalMethod::bm25 && args.embeddings.empty()) {
    std::cerr << "error: --method " << args.method << " needs --embeddings ENDPOINT MODEL\n";
    return kExitUsage;
  }

  Diagnostics errors;
  const auto corpus = load_corpus(args.corpus, args.corpus, errors);
  if (!corpus) {
    for (const auto& d : errors.items()) std::cerr << "error: " << d.to_string() << "\n";
    return kExitUsage;
  }
  std::optional<EmbeddingsSetup> embeddings;
  if (!args.embeddings.empty()) {
    std::string error;
    embeddings = embeddings_setup(args, error);
    if (!embeddings) {
      std::cerr << "error: " << Secrets::redact(error) << "\n";
      return kExitUsage;
    }
  }

  const auto file = RetrievalIndex::beside_store(args.db);
  std::cout << "corpus " << args.corpus << ": " << corpus->documents.size() << " documents, "
            << megabytes(corpus->bytes) << "; chunks of " << settings.chunking.tokens
            << " tokens, overlap " << settings.chunking.overlap << " ("
            << to_string(settings.tokenizer) << ")\n";
  std::optional<RetrievalIndex> index;
  try {
    StepProgress progress(mode, "indexing documents");
    index.emplace(RetrievalIndex::open(
        file, *corpus, settings,
        [&](std::size_t done, std::size_t total) { progress.update(done, total); },
        args.vocab_dir));
  } catch (const TokenizerError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return kExitUsage;
  }
  const IndexInfo& info = index->info();
  if (info.reused) {
    std::cout << "index reused from " << file.string() << ": " << info.chunks << " chunks ("
              << with_thousands(info.chunk_tokens) << " tokens), built " << info.built_at << " in "
              << fixed(info.build_ms / 1000, 2) << " s; the corpus has not changed since\n";
  } else {
    const double seconds = info.build_ms / 1000;
    // A rate is worth stating for a corpus large enough to measure one.
    const std::string rate =
        info.bytes >= 1000000 && seconds > 0
            ? " (" + fixed(static_cast<double>(info.bytes) / 1e6 / seconds, 1) + " MB/s)"
            : "";
    std::cout << "index built in " << fixed(seconds, 2) << " s" << rate << ": " << info.chunks
              << " chunks, " << with_thousands(info.chunk_tokens) << " tokens -> " << file.string()
              << "\n";
    if (info.dropped > 0)
      std::cout << "dropped " << info.dropped << " index of an earlier version of this corpus\n";
  }

  std::string space;
  if (embeddings) {
    space = embedding_space(embeddings->endpoint, embeddings->options.params);
    StepProgress progress(mode, "embedding chunks");
    const auto outcome =
        embed_chunks(*index, embeddings->endpoint, embeddings->options,
                     [&](std::size_t done, std::size_t total) { progress.update(done, total); });
    const auto coverage = index->embedding_coverage(space);
    std::string cost =
        "cost unknown: " + embeddings->options.params.model + " is not in the price catalog";
    Diagnostics price_errors;
    if (const auto catalog = PriceCatalog::load(PriceCatalog::default_path(), price_errors))
      if (const auto price = catalog->find(embeddings->options.params.model))
        cost = "$" +
               fixed(static_cast<double>(outcome.requests > 0 ? outcome.tokens : coverage.tokens) *
                         price->input / 1e6,
                     6);
    const std::string who = embeddings->options.params.model + " at " + embeddings->endpoint.name +
                            (embeddings->endpoint.simulated ? " (simulated)" : "");
    if (!outcome.ok) {
      std::cerr << "error: " << Secrets::redact(outcome.error) << "\n";
      std::cerr << "(" << coverage.chunks << " of " << info.chunks
                << " chunks have vectors; running the command again embeds the rest)\n";
      return kExitRuntime;
    }
    if (outcome.requests == 0)
      std::cout << "embeddings reused: all " << coverage.chunks << " chunks have vectors from "
                << who << "; embedding them took " << with_thousands(coverage.tokens) << " tokens ("
                << cost << ")\n";
    else
      std::cout << "embeddings: " << outcome.embedded << " chunks embedded by " << who << " in "
                << outcome.requests << (outcome.requests == 1 ? " request" : " requests")
                << (outcome.retries > 0 ? " (" + std::to_string(outcome.retries) + " retries)" : "")
                << ", " << with_thousands(outcome.tokens) << " tokens, " << cost << "\n";
  }

  for (const std::string& query : args.queries) {
    std::vector<Passage> found;
    const auto k = static_cast<std::size_t>(args.k);
    if (method == RetrievalMethod::bm25) {
      found = index->search_bm25(query, k);
    } else {
      const std::vector<std::string> texts = {query};
      const auto outcome =
          embed_into_index(*index, embeddings->endpoint, embeddings->options, texts);
      if (!outcome.ok) {
        std::cerr << "error: " << Secrets::redact(outcome.error) << "\n";
        return kExitRuntime;
      }
      const auto vector = index->stored_embedding(space, query);
      found = method == RetrievalMethod::embeddings
                  ? index->search_embeddings(space, *vector, k)
                  : index->search_hybrid(query, space, *vector, k);
    }
    print_passages(query, args.method, args.k, found);
  }
  return kExitOk;
}

}  // namespace

void add_index_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<IndexArgs>();
  auto* cmd = app.add_subcommand(
      "index", "Build (or reuse) the retrieval index of a corpus for rag variants");
  cmd->add_option("corpus", args->corpus,
                  "A folder of .md/.txt files or a .jsonl file of {\"id\", \"title\", \"text\"}")
      ->required();
  cmd->add_option("--db", args->db,
                  "The store; the index goes beside it (tunebench.db -> tunebench.retrieval.db)")
      ->capture_default_str();
  cmd->add_option("--chunk-tokens", args->chunk_tokens, "Tokens per chunk")->capture_default_str();
  cmd->add_option("--overlap", args->overlap, "Tokens a chunk shares with the one before it")
      ->capture_default_str();
  auto* model = cmd->add_option(
      "--model", args->model,
      "Count chunk tokens with this model's tokenizer (the model the passages go to)");
  auto* encoding = cmd->add_option("--encoding", args->encoding,
                                   "cl100k_base or o200k_base (default o200k_base)")
                       ->check(CLI::IsMember({"cl100k_base", "o200k_base"}));
  encoding->excludes(model);
  cmd->add_option("--embeddings", args->embeddings,
                  "Also embed the chunks: ENDPOINT (mock, openai or a base URL such as "
                  "http://127.0.0.1:8080/v1) "
                  "and MODEL (e.g. text-embedding-3-small)")
      ->expected(2);
  cmd->add_option("--dimensions", args->dimensions,
                  "Ask the embedding model for vectors of this size")
      ->check(CLI::Range(1, 4096));
  cmd->add_option("--max-attempts", args->max_attempts,
                  "Tries per embeddings request (retries with backoff)")
      ->capture_default_str()
      ->check(CLI::Range(1, 100));
  cmd->add_option(
      "--api-key-env", args->api_key_env,
      "Environment variable holding the embeddings endpoint's key (openai: OPENAI_API_KEY)");
  cmd->add_option("--query,-q", args->queries,
                  "Retrieve for this text and print the passages found (repeatable)");
  cmd->add_option("--k", args->k, "Passages per query")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  cmd->add_option("--method", args->method, "bm25, embeddings or hybrid (reciprocal rank fusion)")
      ->capture_default_str()
      ->check(CLI::IsMember({"bm25", "embeddings", "hybrid"}));
  cmd->add_flag("--quiet", args->quiet, "No progress on standard error");
  cmd->add_option("--vocab-dir", args->vocab_dir, "Folder holding the tokenizer's .tiktoken files");
  cmd->footer(
      "An index is kept per corpus content, chunking and tokenizer, and reused until the corpus "
      "changes;\n"
      "vectors per embedding model and endpoint, computed once per distinct text.\n"
      "Exit 2 for a bad corpus (with file:line), options or a missing key; 3 when embedding "
      "fails.\n"
      "Example: tunebench index datasets/corpora/tech-terms --embeddings mock "
      "text-embedding-3-small -q 'B-tree'");
  cmd->callback([args, &exit_code] {
    try {
      exit_code = run_index(*args);
    } catch (const StoreError& e) {
      std::cerr << "error: " << Secrets::redact(e.what()) << "\n";
      exit_code = kExitRuntime;
    }
  });
}

}  // namespace tb
