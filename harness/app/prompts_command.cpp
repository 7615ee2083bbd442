#include <algorithm>
#include <cmath>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analysis/price_catalog.hpp"
#include "analysis/statistics.hpp"
#include "app/commands.hpp"
#include "app/exit_codes.hpp"
#include "common/text.hpp"
#include "common/utf8.hpp"
#include "net/url.hpp"
#include "retrieve/retrieval_index.hpp"
#include "run/embeddings_client.hpp"
#include "run/few_shot_selector.hpp"
#include "run/variant_retriever.hpp"
#include "store/store_error.hpp"
#include "suite/dataset_reader.hpp"
#include "suite/passage_template.hpp"
#include "suite/prompt_renderer.hpp"
#include "suite/suite_loader.hpp"
#include "token/chat_messages.hpp"
#include "token/chat_token_counter.hpp"

namespace tb {
namespace {

struct PromptsArgs {
  std::string suite;
  bool json = false;
  std::string vocab_dir;
  std::string db = "tunebench.db";
};

// One variant's prompt lengths and what they cost.
struct VariantPrompts {
  const Variant* variant = nullptr;
  std::optional<ChatTokenCounter> counter;  // nullopt: estimated from characters
  std::string counting;                     // "o200k_base" or "estimate (characters/4)"
  std::vector<double> tokens;               // per case
  std::optional<double> input_price;        // USD per 1M input tokens
  double mean = 0, median = 0, p95 = 0;
  // rag: the variant's retrieval, and BM25's standing in for queries whose vector no run has
  // stored yet (no embeddings are requested here).
  std::unique_ptr<VariantRetriever> retriever;
  std::unique_ptr<RetrieveSpec> bm25_spec;
  std::unique_ptr<VariantRetriever> bm25;
  std::unique_ptr<FewShotSelector> few_shot;  // a few-shot variant's examples, as the run picks them
  long long stand_ins = 0;
  double context_sum = 0;
};

// The space a rag variant's vectors are stored under, as a run names it (run/retrieval_setup).
std::string vector_space(const Suite& suite, const RetrieveSpec& spec) {
  EmbeddingsParams params;
  params.model = spec.embeddings_model;
  params.dimensions = spec.embeddings_dimensions;
  EmbeddingsEndpoint endpoint;
  const Endpoint& e = suite.endpoints.at(spec.embeddings_endpoint);
  endpoint.simulated = e.kind == EndpointKind::mock;
  std::string error;
  if (!endpoint.simulated)
    if (auto url = parse_url(e.base_url, error)) endpoint.url = *url;
  return embedding_space(endpoint, params);
}

// Opens (or builds: local work, no request) the index of each rag variant beside the store.
bool open_retrievers(const Suite& suite, const PromptsArgs& args, std::vector<VariantPrompts>& variants) {
  for (auto& vp : variants) {
    const Variant& v = *vp.variant;
    if (!v.retrieve) continue;
    const RetrieveSpec& spec = *v.retrieve;
    Diagnostics errors;
    const auto corpus = load_corpus(spec.corpus, spec.corpus_display, errors);
    if (!corpus) {
      for (const auto& d : errors.items()) std::cerr << "error: " << d.to_string() << "\n";
      return false;
    }
    IndexSettings settings;
    settings.chunking = {spec.chunk_tokens, spec.chunk_overlap};
    settings.tokenizer = encoding_for_model(v.model).value_or(EncodingName::o200k_base);
    auto index = std::make_shared<RetrievalIndex>(
        RetrievalIndex::open(RetrievalIndex::beside_store(args.db), *corpus, settings, {}, args.vocab_dir));
    vp.retriever = std::make_unique<VariantRetriever>(
        spec, index, spec.needs_embeddings() ? vector_space(suite, spec) : std::string());
    if (spec.needs_embeddings()) {
      vp.bm25_spec = std::make_unique<RetrieveSpec>(spec);
      vp.bm25_spec->method = "bm25";
      vp.bm25 = std::make_unique<VariantRetriever>(*vp.bm25_spec, index, std::string());
    }
  }
  return true;
}

// The messages a variant sends for a case, its passages or worked examples included.
nlohmann::json messages_of(VariantPrompts& vp, const TestCase& test_case) {
  if (vp.few_shot) {
    nlohmann::json messages = render_messages(*vp.variant, test_case);
    insert_examples(messages, vp.few_shot->select(test_case));
    return messages;
  }
  if (!vp.retriever) return render_messages(*vp.variant, test_case);
  auto retrieval = vp.retriever->retrieve(test_case);
  if (retrieval->missing_vector) {
    retrieval = vp.bm25->retrieve(test_case);
    ++vp.stand_ins;
  }
  return render_messages(*vp.variant, test_case, retrieval->block);
}

// Without a tokenizer: characters / 4 plus the chat format's per-message overhead (3 per
// message and 3 to prime the reply), as the runner's rate limiter estimates.
double estimate_tokens(const nlohmann::json& messages) {
  return std::ceil(static_cast<double>(prompt_characters(messages)) / 4.0) +
         3.0 * static_cast<double>(messages.size()) + 3.0;
}

std::optional<double> input_price(const Suite& suite, const Variant& v, const PriceCatalog* catalog) {
  if (v.price) return v.price->input;
  if (auto it = suite.prices.find(v.model); it != suite.prices.end()) return it->second.input;
  if (catalog != nullptr)
    if (auto p = catalog->find(v.model)) return p->input;
  return std::nullopt;
}

std::string money(double usd) {
  const double a = std::fabs(usd);
  const std::string digits = a >= 100 ? with_thousands(std::llround(a)) : fixed(a, a >= 1 ? 2 : 4);
  return std::string(usd < 0 ? "-" : "") + "$" + digits;
}

// Columns are measured in UTF-8 characters, so names with accents keep them straight.
std::size_t display_width(const std::string& s) {
  return utf8_length(s);
}

std::string pad(const std::string& s, std::size_t width, bool left) {
  const std::size_t chars = display_width(s);
  const std::string fill(width > chars ? width - chars : 0, ' ');
  return left ? s + fill : fill + s;
}

int prompts(const PromptsArgs& args) {
  Diagnostics errors;
  const auto suite = load_suite(args.suite, errors);
  if (!suite) {
    for (const auto& d : errors.items()) std::cerr << "error: " << d.to_string() << "\n";
    return kExitUsage;
  }

  std::vector<VariantPrompts> variants;
  for (const Variant& v : suite->variants) {
    VariantPrompts vp;
    vp.variant = &v;
    std::string why;
    try {
      vp.counter = ChatTokenCounter::for_model(v.model, args.vocab_dir);
      if (!vp.counter) why = "no tokenizer is known for model " + dquote(v.model);
    } catch (const TokenizerError& e) {
      why = e.what();
    }
    if (vp.counter) {
      vp.counting = std::string(to_string(vp.counter->encoding().name()));
    } else {
      vp.counting = "estimate";
      std::cerr << "note: variant " << v.id << ": " << why
                << "; its prompt tokens are estimated as characters/4 plus 3 per message\n";
    }
    variants.push_back(std::move(vp));
  }

  try {
    if (!open_retrievers(*suite, args, variants)) return kExitUsage;
    for (auto& vp : variants)
      if (vp.variant->few_shot)
        vp.few_shot = std::make_unique<FewShotSelector>(*vp.variant->few_shot, args.vocab_dir);
  } catch (const TokenizerError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return kExitUsage;
  } catch (const StoreError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return kExitRuntime;
  }

  // Stream the dataset once; every variant renders every case.
  DatasetReader reader(suite->dataset_file, suite->dataset_display);
  Diagnostic error;
  if (!reader.open(error)) {
    std::cerr << "error: " << error.to_string() << "\n";
    return kExitUsage;
  }
  long long cases = 0;
  TestCase test_case;
  while (!suite->limit || cases < *suite->limit) {
    const auto status = reader.next(test_case, error);
    if (status == DatasetReader::Status::end) break;
    if (status == DatasetReader::Status::error) {
      std::cerr << "error: " << error.to_string() << "\n";
      return kExitUsage;
    }
    ++cases;
    for (auto& vp : variants) {
      const nlohmann::json messages = messages_of(vp, test_case);
      const double tokens = vp.counter ? static_cast<double>(count_chat_messages(*vp.counter, messages))
                                       : estimate_tokens(messages);
      vp.tokens.push_back(tokens);
      if (vp.retriever || vp.few_shot) {
        const nlohmann::json plain = render_messages(*vp.variant, test_case);
        vp.context_sum += tokens - (vp.counter ? static_cast<double>(count_chat_messages(*vp.counter, plain))
                                               : estimate_tokens(plain));
      }
    }
  }
  if (cases == 0) {
    std::cerr << "error: " << suite->dataset_display << ": the dataset has no cases\n";
    return kExitUsage;
  }

  const auto catalog_path = suite->price_catalog.empty() ? PriceCatalog::default_path() : suite->price_catalog;
  Diagnostics catalog_errors;
  const auto catalog = PriceCatalog::load(catalog_path, catalog_errors);
  if (!catalog)
    for (const auto& d : catalog_errors.items())
      std::cerr << "note: " << d.to_string() << " (prices from the suite only)\n";

  const VariantPrompts* baseline = nullptr;
  for (auto& vp : variants) {
    vp.mean = mean(vp.tokens);
    vp.median = percentile(vp.tokens, 50);
    vp.p95 = percentile(vp.tokens, 95);
    vp.input_price = input_price(*suite, *vp.variant, catalog ? &*catalog : nullptr);
    if (vp.variant->id == suite->baseline) baseline = &vp;
  }
  if (baseline == nullptr) baseline = &variants.front();
  const double volume = static_cast<double>(suite->decide.monthly_requests);
  const auto monthly = [&](const VariantPrompts& vp) -> std::optional<double> {
    if (!vp.input_price) return std::nullopt;
    return vp.mean * volume * *vp.input_price / 1e6;
  };

  if (args.json) {
    nlohmann::json out = {{"suite", suite->name},
                          {"dataset", suite->dataset_display},
                          {"cases", cases},
                          {"baseline", baseline->variant->id},
                          {"monthly_requests", suite->decide.monthly_requests},
                          {"variants", nlohmann::json::array()}};
    for (const auto& vp : variants) {
      const bool is_base = &vp == baseline;
      nlohmann::json v = {{"id", vp.variant->id},
                          {"model", vp.variant->model},
                          {"kind", to_string(vp.variant->kind)},
                          {"counting", vp.counting},
                          {"cases", vp.tokens.size()},
                          {"mean", vp.mean},
                          {"median", vp.median},
                          {"p95", vp.p95},
                          {"savings_tokens", baseline->mean - vp.mean},
                          {"savings_pct", baseline->mean > 0 ? (1 - vp.mean / baseline->mean) * 100 : 0.0},
                          {"baseline", is_base}};
      const auto cost = monthly(vp), base_cost = monthly(*baseline);
      v["input_price_per_1m"] = vp.input_price ? nlohmann::json(*vp.input_price) : nlohmann::json();
      v["input_cost_per_month"] = cost ? nlohmann::json(*cost) : nlohmann::json();
      v["input_cost_difference_per_month"] =
          cost && base_cost ? nlohmann::json(*cost - *base_cost) : nlohmann::json();
      if (vp.retriever)
        v["retrieval"] = {{"method", vp.variant->retrieve->method},
                          {"k", vp.variant->retrieve->k},
                          {"context_mean", vp.context_sum / static_cast<double>(std::max<std::size_t>(1, vp.tokens.size()))},
                          {"bm25_stand_ins", vp.stand_ins}};
      if (vp.few_shot)
        v["few_shot"] = {{"k", vp.variant->few_shot->k},
                         {"examples_mean", vp.context_sum / static_cast<double>(std::max<std::size_t>(1, vp.tokens.size()))}};
      out["variants"].push_back(std::move(v));
    }
    std::cout << out.dump(2) << "\n";
    return kExitOk;
  }

  std::cout << "prompts of suite " << suite->name << ": " << cases << " case" << (cases == 1 ? "" : "s")
            << " from " << suite->dataset_display << " x " << variants.size()
            << " variants (rendered locally; no model was called)\n";
  std::vector<std::vector<std::string>> rows = {{"variant", "model", "tokenizer", "cases", "mean", "median",
                                                 "p95", "saved", "saved %", "input/month", "vs baseline"}};
  for (const auto& vp : variants) {
    const bool is_base = &vp == baseline;
    const auto cost = monthly(vp), base_cost = monthly(*baseline);
    rows.push_back({vp.variant->id + (is_base ? "*" : ""), vp.variant->model, vp.counting,
                    std::to_string(vp.tokens.size()), fixed(vp.mean, 1), fixed(vp.median, 1), fixed(vp.p95, 1),
                    is_base ? "-" : fixed(baseline->mean - vp.mean, 1),
                    is_base || baseline->mean <= 0 ? "-" : fixed((1 - vp.mean / baseline->mean) * 100, 1) + "%",
                    cost ? money(*cost) : "no price",
                    is_base ? "-" : (cost && base_cost ? money(*cost - *base_cost) : "no price")});
  }
  std::vector<std::size_t> widths(rows.front().size(), 0);
  for (const auto& row : rows)
    for (std::size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], display_width(row[c]));
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t c = 0; c < row.size(); ++c) {
      if (c > 0) line += "  ";
      line += pad(row[c], widths[c], /*left=*/c < 3);
    }
    std::cout << std::string(trim(line)) << "\n";
  }
  std::cout << "(* baseline; tokens = prompt tokens per request as the API bills usage.prompt_tokens; saved = "
               "mean tokens fewer than the baseline; input/month = input tokens only, at "
            << with_thousands(suite->decide.monthly_requests) << " requests a month)\n";
  for (const auto& vp : variants) {
    const double context_mean = vp.context_sum / static_cast<double>(std::max<std::size_t>(1, vp.tokens.size()));
    if (vp.few_shot)
      std::cout << vp.variant->id << ": " << vp.variant->few_shot->k << " worked examples per request from "
                << vp.variant->few_shot->display << ", " << fixed(context_mean, 1) << " tokens of them on average\n";
    // The API bills a response_format schema and tool definitions as prompt tokens in a format
    // OpenAI does not publish: not counted here, and the table says so rather than guess.
    if (vp.variant->response_format.is_object() || !vp.variant->tools.is_null())
      std::cout << vp.variant->id << ": the " << (vp.variant->tools.is_null() ? "response_format schema" : "tool definition")
                << " it sends is billed as prompt tokens too and is not in this count (a run stores the API's usage)\n";
    if (!vp.retriever) continue;
    const RetrieveSpec& spec = *vp.variant->retrieve;
    std::cout << vp.variant->id << ": " << spec.k << " passages per request (" << spec.method << ") from "
              << spec.corpus_display << ", "
              << fixed(vp.context_sum / static_cast<double>(std::max<std::size_t>(1, vp.tokens.size())), 1)
              << " tokens of them on average (index in " << RetrievalIndex::beside_store(args.db).string() << ")";
    if (vp.stand_ins > 0)
      std::cout << "; " << vp.stand_ins << " of " << vp.tokens.size()
                << " queries have no stored vector yet (a run embeds them): BM25's passages stand in for those";
    std::cout << "\n";
  }
  return kExitOk;
}

}  // namespace

void add_prompts_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<PromptsArgs>();
  auto* cmd = app.add_subcommand(
      "prompts", "Prompt tokens per variant of a suite and the savings against the baseline, without calling a model");
  cmd->add_option("suite", args->suite, "Suite file (YAML or JSON)")->required();
  cmd->add_flag("--json", args->json, "Print the numbers as JSON");
  cmd->add_option("--db", args->db,
                  "The store whose side file holds rag variants' indexes (built here when missing)")
      ->capture_default_str();
  cmd->add_option("--vocab-dir", args->vocab_dir,
                  "Folder holding the tokenizer's rank files (default: $TIKTOKEN_CACHE_DIR, then "
                  "~/.local/share/tunebench/vocab)");
  cmd->footer(
      "Renders every variant's messages for every case (the suite's limit applies) and counts them as the\n"
      "API bills usage.prompt_tokens. Prints per variant: mean, median and p95 prompt tokens, the savings\n"
      "against the baseline (tokens and %), and the input cost per month at decide.monthly_requests.\n"
      "A model without a known tokenizer (or missing rank files) is estimated from characters/4, with a note.\n"
      "rag variants retrieve their passages locally (no request; BM25 stands in for queries not embedded yet).\n"
      "Example: tunebench prompts suites/demo.yaml");
  cmd->callback([args, &exit_code] { exit_code = prompts(*args); });
}

}  // namespace tb
