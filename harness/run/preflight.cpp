#include "run/preflight.hpp"

#include <algorithm>
#include <future>
#include <map>
#include <set>

#include "analysis/price_catalog.hpp"
#include "common/hash.hpp"
#include "common/secrets.hpp"
#include "common/text.hpp"
#include "net/url.hpp"
#include "run/training_file.hpp"
#include "score/check.hpp"
#include "suite/dataset_reader.hpp"

namespace tb {
namespace {

// The position of the first control character (below 0x20, or DEL), if any.
std::optional<std::size_t> control_character(std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7F) return i;
  }
  return std::nullopt;
}

std::string hex_byte(char c) {
  static constexpr char kHex[] = "0123456789abcdef";
  const auto b = static_cast<unsigned char>(c);
  return std::string("0x") + kHex[b >> 4] + kHex[b & 15];
}

// Explicit ids name a case across runs (compare, gates, shards), so two lines may not share one.
// Kept as 64-bit digests with their lines, sorted once at the end: 16 bytes per case, freed
// before the run starts, instead of a set of strings.
void check_unique_ids(std::vector<std::pair<std::uint64_t, int>>& ids, const Suite& suite,
                      Diagnostics& errors) {
  std::sort(ids.begin(), ids.end());
  std::size_t reported = 0;
  for (std::size_t i = 1; i < ids.size() && reported < 20; ++i) {
    if (ids[i].first != ids[i - 1].first) continue;
    errors.add({suite.dataset_display, ids[i].second, "id",
                "the same id as line " + std::to_string(ids[i - 1].second) +
                    "; ids name cases across runs, so each must be unique"});
    ++reported;
  }
}

// Each distinct gold id a dataset names, with the first line naming it.
using GoldIds = std::map<std::string, int>;

// What the dataset pass yields besides its diagnostics.
struct DatasetFacts {
  long long cases = 0;            // after `limit`
  long long shard_cases = 0;      // of those, the shard's (all without a shard)
  std::string fingerprint;        // over every case
  std::string shard_fingerprint;  // over the shard's cases
  GoldIds gold;                   // for check_gold, once the corpora are read
};

bool check_dataset(const Suite& suite, const std::optional<Shard>& shard, DatasetFacts& facts,
                   Diagnostics& errors) {
  DatasetReader reader(suite.dataset_file, suite.dataset_display);
  Diagnostic error;
  if (!reader.open(error)) {
    errors.add(error);
    return false;
  }
  long long cases = 0;
  std::size_t problems = 0;
  TestCase c;
  const CheckContext context{suite.dataset_file};
  Sha256 digest;
  Sha256 shard_digest;
  std::vector<std::pair<std::uint64_t, int>> explicit_ids;
  while (!suite.limit || cases < *suite.limit) {
    const auto status = reader.next(c, error);
    if (status == DatasetReader::Status::end) break;
    if (status == DatasetReader::Status::error) {
      errors.add(error);
      if (++problems >= 20) {
        errors.add({suite.dataset_display, 0, "", "stopped after 20 problems"});
        break;
      }
      continue;
    }
    if (c.checks.is_array()) {
      for (std::size_t i = 0; i < c.checks.size(); ++i) {
        std::string message;
        const auto check = make_check(c.checks[i], context, message);
        if (check && check->judge() != nullptr)
          message = "a judge check needs an endpoint, so it belongs in the suite's expect.checks";
        if (!check || check->judge() != nullptr) {
          errors.add({suite.dataset_display, c.line, "checks[" + std::to_string(i) + "]", message});
          ++problems;
        }
      }
    }
    if (c.explicit_id) explicit_ids.emplace_back(fnv1a64(c.id), c.line);
    for (const auto& g : c.gold) facts.gold.try_emplace(g, c.line);
    digest.update(c.content_hash);
    ++cases;
    if (!shard || in_shard(*shard, c.id)) {
      shard_digest.update(c.content_hash);
      ++facts.shard_cases;
    }
  }
  const std::size_t before = errors.size();
  check_unique_ids(explicit_ids, suite, errors);
  if (problems > 0 || errors.size() != before) return false;
  facts.cases = cases;
  facts.fingerprint = digest.hex_digest();
  facts.shard_fingerprint = shard_digest.hex_digest();
  if (cases == 0) {
    errors.add({suite.dataset_display, 0, "", "the dataset has no cases"});
    return false;
  }
  return true;
}

// The suite as far as it decides what a shard's results are: its source, its schema, what each
// variant sends and what it costs, and every case. Prices are in it because shards priced from
// different catalogs could not be added up.
std::string suite_fingerprint(const Suite& suite, const Preflight& preflight,
                              const std::string& dataset_fingerprint) {
  nlohmann::json variants = nlohmann::json::array();
  for (const auto& rv : preflight.variants) {
    const Variant& v = *rv.variant;
    variants.push_back({{"id", v.id},
                        {"model", v.model},
                        {"system", v.system.value_or("")},
                        {"price",
                         {rv.price.input, rv.price.cached_input, rv.price.output,
                          rv.price.training.value_or(-1)}}});
  }
  const nlohmann::json whole = {{"suite", suite.source},
                                {"schema", suite.expect.schema},
                                {"variants", variants},
                                {"cases", preflight.suite_cases},
                                {"dataset", dataset_fingerprint}};
  return sha256_hex(whole.dump());
}

void resolve_variants(const Suite& suite, Preflight& out, Diagnostics& errors);

// A gold id names a corpus document ("idempotency") or one of its chunks ("idempotency#0"); one
// that no rag variant's corpus holds is a typo that would make every measure of its case 0.
void check_gold(const Suite& suite, const Preflight& out, const GoldIds& gold,
                Diagnostics& errors) {
  std::vector<const Corpus*> corpora;
  std::string names;
  for (const auto& rv : out.variants)
    if (rv.retrieval && rv.retrieval->corpus &&
        std::find(corpora.begin(), corpora.end(), rv.retrieval->corpus.get()) == corpora.end()) {
      corpora.push_back(rv.retrieval->corpus.get());
      names += (names.empty() ? "" : ", ") + rv.variant->retrieve->corpus_display;
    }
  if (corpora.empty()) return;
  std::size_t reported = 0;
  for (const auto& [id, line] : gold) {
    const std::string document = id.substr(0, id.rfind('#'));
    // Named, not the structured binding itself: clang 14 cannot capture a binding in a lambda.
    const std::string& gold_id = id;
    const bool known = std::any_of(corpora.begin(), corpora.end(), [&](const Corpus* c) {
      return c->find(gold_id) != nullptr || c->find(document) != nullptr;
    });
    if (known) continue;
    std::string message = "no document " + dquote(id) + " in " + names;
    std::vector<std::string_view> ids;
    for (const Corpus* c : corpora)
      for (const auto& d : c->documents) ids.push_back(d.id);
    if (auto hint = did_you_mean(document, ids))
      message += " (did you mean " + dquote(*hint) + "?)";
    errors.add({suite.dataset_display, line, "gold", message});
    if (++reported == 20) break;
  }
}

}  // namespace

bool run_preflight(const Suite& suite, Preflight& out, Diagnostics& errors,
                   const std::optional<Shard>& shard) {
  out = Preflight{};
  out.shard = shard;
  // The dataset is read on a thread of its own while the tokenizers load (tens of milliseconds
  // each on a large suite); its problems are still reported first.
  Diagnostics dataset_errors;
  DatasetFacts facts;
  auto read = std::async(std::launch::async,
                         [&] { return check_dataset(suite, shard, facts, dataset_errors); });
  Diagnostics other_errors;
  resolve_variants(suite, out, other_errors);
  const bool dataset_ok = read.get();
  check_gold(suite, out, facts.gold, dataset_errors);
  for (const auto& d : dataset_errors.items()) errors.add(d);
  for (const auto& d : other_errors.items()) errors.add(d);
  if (!dataset_ok || !errors.empty()) return false;
  out.cases = facts.shard_cases;
  out.dataset_fingerprint = facts.shard_fingerprint;
  out.suite_cases = facts.cases;
  out.dataset_content_fingerprint = facts.fingerprint;
  out.suite_fingerprint = suite_fingerprint(suite, out, facts.fingerprint);
  return true;
}

namespace {

// The API key of a real endpoint from its environment variable ("" for the mock and keyless
// local servers); problems are reported once per endpoint however many use it.
std::string endpoint_key(const Suite& suite, const Endpoint& endpoint, Diagnostics& errors,
                         std::set<std::string>& reported) {
  if (endpoint.kind == EndpointKind::mock || endpoint.api_key_env.empty()) return {};
  std::string key = Secrets::from_env(endpoint.api_key_env);
  if (!reported.insert(endpoint.api_key_env).second) return key;  // once per variable
  // The suite's own URLs were checked as it was read; the built-in openai endpoint's comes from
  // OPENAI_BASE_URL.
  if (std::string url_error; !parse_url(endpoint.base_url, url_error))
    errors.add({suite.display_file, 0, "endpoints." + endpoint.name + ".base_url",
                url_error.starts_with("credentials")
                    ? url_error
                    : url_error + "; got " + dquote(endpoint.base_url)});
  // A key pasted with its trailing newline would split the request's headers, and a key
  // with any control character could not be recognised in every form a server echoes it.
  if (const auto at = control_character(key))
    errors.add({suite.display_file, 0, "endpoints." + endpoint.name + ".api_key_env",
                "the value of " + endpoint.api_key_env + " contains a control character (byte " +
                    hex_byte(key[*at]) + " at position " + std::to_string(*at + 1) +
                    "; a line break or NUL pasted with the key?); export the key alone"});
  if (key.empty() && !endpoint.base_url.starts_with("http://127.") &&
      !endpoint.base_url.starts_with("http://localhost"))
    errors.add({suite.display_file, 0, "endpoints." + endpoint.name + ".api_key_env",
                "the environment variable " + endpoint.api_key_env +
                    " is not set; export it with your API key (it is never stored)"});
  return key;
}

// A rag variant's corpus (read once per path), the tokenizer its chunks are counted with, and
// its embeddings endpoint, key and price.
ResolvedRetrieval resolve_retrieval(
    const Suite& suite, const Variant& v, const ResolvedVariant& r, const PriceCatalog* catalog,
    std::map<std::filesystem::path, std::shared_ptr<const Corpus>>& corpora, Preflight& out,
    Diagnostics& errors, std::set<std::string>& reported) {
  const RetrieveSpec& spec = *v.retrieve;
  ResolvedRetrieval rr;
  const std::string field = "variants." + v.id + ".retrieve";
  if (const auto it = corpora.find(spec.corpus); it != corpora.end()) {
    rr.corpus = it->second;
  } else {
    if (auto corpus = load_corpus(spec.corpus, spec.corpus_display, errors))
      rr.corpus = std::make_shared<const Corpus>(std::move(*corpus));
    corpora[spec.corpus] = rr.corpus;  // null after errors: reported once
  }
  if (const auto name = encoding_for_model(v.model)) {
    rr.tokenizer = *name;
  } else if (out.tokenizer_note.empty()) {
    out.tokenizer_note = "no tokenizer known for model \"" + v.model + "\": variant " + v.id +
                         " counts its chunk tokens with o200k_base";
  }
  try {
    Encoding::load(rr.tokenizer);
  } catch (const TokenizerError& e) {
    errors.add(
        {suite.display_file, spec.line, field,
         "chunks are counted with " + std::string(to_string(rr.tokenizer)) + ": " + e.what()});
  }
  if (!spec.needs_embeddings()) return rr;
  rr.embeddings_endpoint = &suite.endpoints.at(spec.embeddings_endpoint);
  rr.embeddings_api_key = spec.embeddings_endpoint == v.endpoint
                              ? r.api_key
                              : endpoint_key(suite, *rr.embeddings_endpoint, errors, reported);
  if (auto it = suite.prices.find(spec.embeddings_model); it != suite.prices.end()) {
    rr.embeddings_price = it->second;
  } else if (auto p = catalog ? catalog->find(spec.embeddings_model) : std::nullopt) {
    rr.embeddings_price = *p;
  } else if (catalog) {
    errors.add({suite.display_file, 0, field + ".embeddings.model",
                "no price for embedding model \"" + spec.embeddings_model +
                    "\" in the price catalog; add it to the suite as prices: {\"" +
                    spec.embeddings_model + "\": {input: USD_PER_1M, output: 0}}"});
  }
  return rr;
}

// The judges of expect.checks: their endpoint must be the suite's, their model priced.
void resolve_judges(const Suite& suite, const std::optional<PriceCatalog>& catalog, Preflight& out,
                    Diagnostics& errors, std::set<std::string>& reported) {
  for (std::size_t i = 0; i < suite.expect.checks.size(); ++i) {
    const JudgeSpec* spec = suite.expect.checks[i]->judge();
    if (spec == nullptr) continue;
    const std::string where = "expect.checks[" + std::to_string(i) + "]";
    if (spec->endpoint.empty() && suite.endpoints.size() != 1) {
      errors.add({suite.display_file, 0, where + ".endpoint",
                  "missing; the suite has " + std::to_string(suite.endpoints.size()) +
                      " endpoints, so name the one the judge is asked at"});
      continue;
    }
    const auto endpoint =
        spec->endpoint.empty() ? suite.endpoints.begin() : suite.endpoints.find(spec->endpoint);
    if (endpoint == suite.endpoints.end()) {
      errors.add({suite.display_file, 0, where + ".endpoint",
                  "the judge's endpoint " + dquote(spec->endpoint) +
                      " is not among the suite's endpoints"});
      continue;
    }
    ResolvedJudge j;
    j.spec = spec;
    j.endpoint = &endpoint->second;
    if (auto it = suite.prices.find(spec->model); it != suite.prices.end()) {
      j.price = it->second;
    } else if (auto p = catalog ? catalog->find(spec->model) : std::nullopt) {
      j.price = *p;
    } else if (catalog) {
      errors.add({suite.display_file, 0, where + ".model",
                  "no price for the judge's model \"" + spec->model +
                      "\"; add it to the suite as prices: {\"" + spec->model +
                      "\": {input: USD_PER_1M, output: USD_PER_1M}}"});
    }
    if (j.endpoint->kind == EndpointKind::mock) out.simulated = true;
    j.api_key = endpoint_key(suite, *j.endpoint, errors, reported);
    out.judges.push_back(std::move(j));
  }
}

// Prices, API keys and tokenizers of the suite's variants.
void resolve_variants(const Suite& suite, Preflight& out, Diagnostics& errors) {
  std::map<std::filesystem::path, std::shared_ptr<const Corpus>> corpora;
  const auto catalog_path =
      suite.price_catalog.empty() ? PriceCatalog::default_path() : suite.price_catalog;
  const auto catalog = PriceCatalog::load(catalog_path, errors);
  if (catalog)
    out.price_catalog = catalog_path.filename().string() + " (" + catalog->updated() + ")";
  std::set<std::string> reported_keys;  // a missing key is said once per endpoint
  std::map<std::string, std::pair<std::string, std::string>>
      shutting_down;  // model -> variants, why
  for (const auto& v : suite.variants) {
    ResolvedVariant r;
    r.variant = &v;
    r.endpoint = &suite.endpoints.at(v.endpoint);
    if (v.price) {
      r.price = *v.price;
    } else if (r.endpoint->price) {
      r.price = *r.endpoint->price;
    } else if (auto it = suite.prices.find(v.model); it != suite.prices.end()) {
      r.price = it->second;
    } else if (auto p = catalog ? catalog->find(v.model) : std::nullopt) {
      r.price = *p;
    } else if (catalog) {
      errors.add({suite.display_file, 0, "variants." + v.id + ".model",
                  "no price for model \"" + v.model + "\" in " + catalog_path.string() +
                      "; add it to the suite as prices: {\"" + v.model +
                      "\": {input: USD_PER_1M, output: USD_PER_1M}} or give the variant a price: "
                      "{input, output}"});
    }
    if (r.endpoint->kind == EndpointKind::mock) out.simulated = true;
    r.api_key = endpoint_key(suite, *r.endpoint, errors, reported_keys);
    if (const auto life = catalog ? catalog->lifecycle(v.model) : std::nullopt) {
      const auto status = lifecycle_status(*life, today_utc(), v.model.starts_with("ft:"));
      if (status.kind != LifecycleStatus::Kind::active) {
        auto& [variants, text] = shutting_down[v.model];
        variants += (variants.empty() ? "" : ", ") + v.id;
        text = status.text;
      }
    }
    try {
      r.token_counter = ChatTokenCounter::for_model(v.model);
      if (!r.token_counter && out.tokenizer_note.empty())
        out.tokenizer_note = "no tokenizer known for model \"" + v.model +
                             "\": its prompts are counted by the API's usage only";
    } catch (const TokenizerError& e) {
      if (out.tokenizer_note.empty())
        out.tokenizer_note = std::string(e.what()) +
                             "; local token counts are skipped and the API's usage counts are used";
    }
    r.training = resolve_training(suite, v, r.token_counter ? &*r.token_counter : nullptr,
                                  catalog ? &*catalog : nullptr, errors);
    if (v.retrieve) {
      r.retrieval = resolve_retrieval(suite, v, r, catalog ? &*catalog : nullptr, corpora, out,
                                      errors, reported_keys);
      if (r.retrieval->embeddings_endpoint &&
          r.retrieval->embeddings_endpoint->kind == EndpointKind::mock)
        out.simulated = true;
    }
    out.variants.push_back(r);
  }
  // One line per model, however many variants use it.
  for (const auto& [model, said] : shutting_down)
    out.warnings.push_back(model + " (" +
                           (said.first.find(',') == std::string::npos ? "variant " : "variants ") +
                           said.first + ") " + said.second);
  resolve_judges(suite, catalog, out, errors, reported_keys);
}

}  // namespace

}  // namespace tb
