#include "run/retrieval_setup.hpp"

#include <iostream>
#include <tuple>

#include <nlohmann/json.hpp>

#include "common/diagnostic.hpp"
#include "common/secrets.hpp"
#include "common/text.hpp"
#include "run/index_embedder.hpp"
#include "suite/dataset_reader.hpp"
#include "suite/passage_template.hpp"

namespace tb {
namespace {

using json = nlohmann::json;

// Queries embedded per call: each call looks its texts up and stores what arrived, so memory
// stays flat on a large dataset.
constexpr std::size_t kQueryBlock = 4096;

EmbeddingsEndpoint embeddings_endpoint(const Suite& suite, const ResolvedRetrieval& rr,
                                       const std::map<std::string, Url>& urls) {
  const Endpoint& e = *rr.embeddings_endpoint;
  EmbeddingsEndpoint out;
  out.simulated = e.kind == EndpointKind::mock;
  out.name = out.simulated ? "mock" : Secrets::redact(e.base_url);
  out.url = urls.at(e.name);
  out.headers.emplace_back("content-type", "application/json");
  if (!rr.embeddings_api_key.empty())
    out.headers.emplace_back(e.api_key_header, e.api_key_header == "authorization"
                                                   ? "Bearer " + rr.embeddings_api_key
                                                   : rr.embeddings_api_key);
  for (const auto& [k, v] : e.headers) out.headers.emplace_back(k, v);
  out.rpm = e.rpm;
  out.tpm = e.tpm;
  out.timeout_s = suite.run.timeout_s;
  out.connect_timeout_s = suite.run.connect_timeout_s;
  out.insecure = e.insecure;
  return out;
}

json template_json(const PassageTemplate& t) {
  return {{"position", t.position == PassageTemplate::Position::user ? "user" : "system"},
          {"text", t.text},
          {"passage", t.passage},
          {"separator", t.separator},
          {"none", t.none}};
}

// The settings a result's passages depend on, all known before an index is opened: a resume
// compares them (before anything is built or sent), reports show them.
json settings_json(const RetrieveSpec& spec, const ResolvedRetrieval& rr,
                   const std::string& space) {
  json j = {{"corpus", spec.corpus_display},
            {"corpus_hash", rr.corpus->content_hash},
            {"documents", rr.corpus->documents.size()},
            {"chunk", {{"tokens", spec.chunk_tokens}, {"overlap", spec.chunk_overlap}}},
            {"tokenizer", std::string(to_string(rr.tokenizer))},
            {"k", spec.k},
            {"method", spec.method},
            {"query", spec.query.text()},
            {"template", template_json(spec.passage_template)}};
  if (spec.needs_embeddings()) {
    j["embeddings"] = {{"endpoint", spec.embeddings_endpoint},
                       {"model", spec.embeddings_model},
                       {"space", Secrets::redact(space)}};
    if (spec.embeddings_dimensions) j["embeddings"]["dimensions"] = *spec.embeddings_dimensions;
  }
  return j;
}

// Every case's query for this variant, embedded where no vector is stored yet.
EmbeddingsOutcome embed_queries(const Suite& suite, const RetrieveSpec& spec, RetrievalIndex& index,
                                const EmbeddingsEndpoint& endpoint,
                                const EmbeddingsOptions& options, std::size_t& queries) {
  EmbeddingsOutcome total;
  DatasetReader reader(suite.dataset_file, suite.dataset_display);
  Diagnostic error;
  if (!reader.open(error)) throw RetrievalSetupError(error.to_string());
  std::vector<std::string> block;
  auto flush = [&] {
    const auto o = embed_into_index(index, endpoint, options, block);
    total.requests += o.requests;
    total.retries += o.retries;
    total.tokens += o.tokens;
    total.embedded += o.embedded;
    block.clear();
    if (!o.ok) throw RetrievalSetupError(Secrets::redact(o.error));
  };
  TestCase c;
  long long cases = 0;
  while ((!suite.limit || cases < *suite.limit) &&
         reader.next(c, error) == DatasetReader::Status::ok) {
    ++cases;
    std::string query = retrieval_query(spec.query, c.messages);
    if (query.empty()) continue;  // nothing to search for: the case gets no passages
    ++queries;
    block.push_back(std::move(query));
    if (block.size() == kQueryBlock) flush();
  }
  if (!block.empty()) flush();
  return total;
}

EmbeddingsOptions embeddings_options(const Suite& suite, const RetrieveSpec& spec) {
  EmbeddingsOptions options;
  options.params.model = spec.embeddings_model;
  options.params.dimensions = spec.embeddings_dimensions;
  options.max_attempts = suite.run.max_attempts;
  return options;
}

}  // namespace

std::vector<std::string> describe_retrieval(const Suite& suite, const Preflight& preflight,
                                            const std::map<std::string, Url>& urls) {
  std::vector<std::string> out(preflight.variants.size());
  for (std::size_t i = 0; i < preflight.variants.size(); ++i) {
    const ResolvedVariant& rv = preflight.variants[i];
    if (!rv.retrieval) continue;
    const RetrieveSpec& spec = *rv.variant->retrieve;
    std::string space;
    if (spec.needs_embeddings())
      space = embedding_space(embeddings_endpoint(suite, *rv.retrieval, urls),
                              embeddings_options(suite, spec).params);
    out[i] = Secrets::redact(settings_json(spec, *rv.retrieval, space).dump());
  }
  return out;
}

RetrievalSetup prepare_retrieval(const Suite& suite, const Preflight& preflight,
                                 const std::filesystem::path& db_path,
                                 const std::map<std::string, Url>& urls, bool quiet) {
  RetrievalSetup setup;
  setup.retrievers.resize(preflight.variants.size());
  setup.info.resize(preflight.variants.size());
  const auto file = RetrievalIndex::beside_store(db_path);
  // One index per corpus, chunking and tokenizer, shared by the variants that agree on them.
  std::map<std::tuple<std::filesystem::path, int, int, EncodingName>,
           std::shared_ptr<RetrievalIndex>>
      indexes;
  for (std::size_t i = 0; i < preflight.variants.size(); ++i) {
    const ResolvedVariant& rv = preflight.variants[i];
    if (!rv.retrieval) continue;
    const Variant& v = *rv.variant;
    const RetrieveSpec& spec = *v.retrieve;
    const ResolvedRetrieval& rr = *rv.retrieval;
    const std::string label = "retrieval (" + v.id + "): ";
    IndexSettings settings;
    settings.chunking = {spec.chunk_tokens, spec.chunk_overlap};
    settings.tokenizer = rr.tokenizer;
    auto& index = indexes[{spec.corpus, spec.chunk_tokens, spec.chunk_overlap, rr.tokenizer}];
    if (!index) {
      index = std::make_shared<RetrievalIndex>(RetrievalIndex::open(file, *rr.corpus, settings));
      const IndexInfo& info = index->info();
      if (!quiet) {
        std::cerr << label << "index of " << spec.corpus_display << " ";
        if (info.reused)
          std::cerr << "reused: " << info.chunks << " chunks, unchanged since it was built "
                    << info.built_at;
        else
          std::cerr << "built in " << fixed(info.build_ms / 1000, 2) << " s: " << info.documents
                    << " documents, " << info.chunks << " chunks, "
                    << with_thousands(info.chunk_tokens) << " tokens (" << to_string(rr.tokenizer)
                    << ", chunks of " << spec.chunk_tokens << " overlapping " << spec.chunk_overlap
                    << ") -> " << file.string();
        std::cerr << "\n";
      }
    }
    std::string space;
    VariantRetrievalInfo& info = setup.info[i];
    if (spec.needs_embeddings()) {
      const EmbeddingsEndpoint endpoint = embeddings_endpoint(suite, rr, urls);
      const EmbeddingsOptions options = embeddings_options(suite, spec);
      space = embedding_space(endpoint, options.params);
      const auto chunks = embed_chunks(*index, endpoint, options);
      setup.embeddings_requests += chunks.requests;
      if (!chunks.ok) throw RetrievalSetupError(Secrets::redact(chunks.error));
      std::size_t queries = 0;
      const EmbeddingsOutcome asked =
          embed_queries(suite, spec, *index, endpoint, options, queries);
      setup.embeddings_requests += asked.requests;
      const auto coverage = index->embedding_coverage(space);
      info.index_embedding_tokens = coverage.tokens;
      info.index_cost_usd = static_cast<double>(coverage.tokens) * rr.embeddings_price.input / 1e6;
      info.query_price = rr.embeddings_price.input;
      if (!quiet) {
        const std::string who = spec.embeddings_model + " at " + endpoint.name +
                                (endpoint.simulated ? " (simulated)" : "");
        const long long requests = chunks.requests + asked.requests;
        if (requests == 0)
          std::cerr << label << "embeddings reused: " << coverage.chunks << " chunks and "
                    << queries << " queries already have vectors from " << who << "; 0 requests\n";
        else
          std::cerr << label << "embeddings by " << who << ": " << requests << (requests == 1 ? " request (" : " requests (")
                    << chunks.embedded << (chunks.embedded == 1 ? " chunk, " : " chunks, ") << asked.embedded
                    << (asked.embedded == 1 ? " query), " : " queries), ")
                    << with_thousands(chunks.tokens + asked.tokens) << " tokens\n";
      }
    }
    setup.retrievers[i] = std::make_unique<VariantRetriever>(spec, index, space);
  }
  return setup;
}

}  // namespace tb
