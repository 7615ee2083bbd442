#pragma once
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "analysis/decide_spec.hpp"
#include "analysis/gate_spec.hpp"
#include "analysis/model_price.hpp"
#include "net/http_types.hpp"
#include "score/json_schema.hpp"

namespace tb {

class Check;

enum class VariantKind { prompted, fine_tuned, rag, as_is, few_shot, structured, tools };
enum class EndpointKind { openai, mock };

std::string_view to_string(VariantKind kind);
std::string_view to_string(EndpointKind kind);

struct Endpoint {
  std::string name;
  EndpointKind kind = EndpointKind::openai;
  std::string base_url;     // e.g. https://api.openai.com/v1; for a mock, filled in at start
  std::string api_key_env;  // the variable's name; the key itself never enters the suite
  // "authorization" sends "Bearer KEY" (OpenAI, vLLM, ...); any other name sends the bare key
  // in that header (Azure OpenAI: api-key).
  std::string api_key_header = "authorization";
  double rpm = 0;           // 0 = unlimited
  double tpm = 0;
  bool insecure = false;    // skip TLS verification (loudly)
  std::map<std::string, std::string> headers;
  nlohmann::json mock;      // settings of the built-in mock (kind: mock)
  // For every variant on the endpoint without its own price (a self-hosted server's GPU hour).
  std::optional<ModelPrice> price;
};

struct Training {
  long long tokens = 0;  // tokens in the training file (per epoch)
  // 0: auto, the API's default for the file's examples as `dataset check` computes it (3 when
  // only tokens are given: OpenAI's default for 34 to 8,333 examples).
  int epochs = 0;
  std::optional<double> cost_usd;  // when known from the provider's bill
  // training.file: the fine-tuning file itself, counted at preflight as `dataset check` counts
  // it (resolved against the suite's folder; display as written).
  std::filesystem::path file;
  std::string file_display;
};

// Where a rag variant's passages go and how they read (`retrieve.template`). Placeholders are
// written {{name}}: the block's text holds {{passages}}; each passage is written with
// {{n}} (its rank from 1), {{id}} (chunk id), {{document}}, {{title}}, {{text}}, {{score}}.
struct PassageTemplate {
  enum class Position { system, user };
  // system: appended to the system message (a new one first when there is none); user: a user
  // message of its own just before the question.
  Position position = Position::system;
  std::string text =
      "Reference passages retrieved for this request, numbered. Use them where they answer it; "
      "they may also be about something else.\n\n{{passages}}";
  std::string passage = "[{{n}}] {{title}}\n{{text}}";
  std::string separator = "\n\n";
  std::string none = "(no passage matched)";  // {{passages}} when nothing was retrieved
};

// Which text of a case is the retrieval query (`retrieve.query`).
struct QuerySpec {
  enum class Pick { last_user, first_user, all_user, message };
  Pick pick = Pick::last_user;
  int message = 0;  // Pick::message: index into the case's messages, negative from the end
  std::string text() const;  // as written in a suite: last-user, first-user, all-user, or the index
};

// A rag variant's retrieval (`retrieve:`): what is searched, how, and where passages go.
struct RetrieveSpec {
  std::filesystem::path corpus;  // resolved against the suite's folder
  std::string corpus_display;    // as the user wrote it, relative to the suite's folder
  int line = 0;                  // of retrieve: in the suite, for errors found before the run
  int chunk_tokens = 300;        // counted with the variant model's tokenizer
  int chunk_overlap = 50;
  int k = 3;
  std::string method = "bm25";  // bm25, embeddings or hybrid (reciprocal rank fusion)
  QuerySpec query;
  PassageTemplate passage_template;
  // When the method needs vectors: the endpoint that embeds (a suite endpoint; default the
  // variant's), its model and, optionally, the vector size asked for.
  std::string embeddings_endpoint;
  std::string embeddings_model;
  std::optional<int> embeddings_dimensions;

  bool needs_embeddings() const { return method != "bm25"; }
};

// One worked example of a few-shot variant: a training file line's input turns (its system
// message left out: the variant's prompt is the instructions) and its answer.
struct FewShotExample {
  std::string id;          // the line's "id", else the hash of its input messages (as a case's)
  int line = 0;            // in the training file
  std::string question;    // the last user message: what `similar` ranks and the text compared
  nlohmann::json turns;    // user (and other non-system) turns, then {"role":"assistant",...}
};

// `few_shot: {from: FILE, k: 3, select: random | similar, seed: S}`: k examples from a training
// file inserted as user/assistant turns before the case, never the case itself.
struct FewShotSpec {
  enum class Select { random, similar };
  std::filesystem::path file;  // resolved against the suite's folder
  std::string display;         // as the user wrote it
  int k = 3;
  Select select = Select::random;
  long long seed = 0;
  std::shared_ptr<const std::vector<FewShotExample>> examples;  // read at load, shared by copies
};

// `tools:` function calling: the expected format is the parameters of one function the model is
// made to call; its arguments are the answer.
struct ToolsSpec {
  std::string name;         // the function's name
  std::string description;  // what it tells the model
  bool strict = true;       // parameters as a strict schema (suite/strict_schema.hpp)
};

// A variant expanded from `models:` or `checkpoints:` (suite/model_sweep.hpp): the variant as
// the suite writes it, and what its list or checkpoints file says of this model.
struct SweepOrigin {
  std::string of;                 // the id in the suite; this variant's id is of@label
  std::optional<long long> step;  // training step, when known
  std::optional<double> loss;     // training loss at that step, when known
};

struct Variant {
  std::string id;
  VariantKind kind = VariantKind::as_is;
  std::string endpoint;
  std::string model;
  std::filesystem::path system_file;   // resolved against the suite's folder
  std::optional<std::string> system;   // the system prompt text (from file or inline)
  std::optional<double> temperature;
  std::optional<int> max_tokens;
  std::optional<long long> seed;
  nlohmann::json response_format;      // passed through when set
  nlohmann::json extra_body;           // merged into the request body
  bool stream = false;
  std::optional<Training> training;
  std::optional<ModelPrice> price;     // overrides the catalog for this variant
  std::optional<RetrieveSpec> retrieve;  // set exactly for rag variants
  std::optional<FewShotSpec> few_shot;
  // `structured: true`: response_format is a strict json_schema built from the expected format.
  bool structured = false;
  std::optional<ToolsSpec> tools_spec;
  nlohmann::json tools;        // the request's tools and tool_choice (built from tools_spec)
  nlohmann::json tool_choice;
  std::optional<SweepOrigin> sweep;  // set on the variants a sweep expanded into
};

struct Expect {
  std::string format = "text";                    // "json" or "text"
  std::filesystem::path schema_file;              // resolved; empty when inline or none
  nlohmann::json schema;                          // null when none
  std::optional<CompiledSchema> compiled_schema;  // for the failure taxonomy
  std::filesystem::path typescript_file;          // when the format is given as TypeScript
  std::string typescript_type;
  std::vector<std::shared_ptr<const Check>> checks;  // compiled, in suite order
  nlohmann::json check_specs = nlohmann::json::array();
};

struct RunOptions {
  int concurrency = 32;
  int repeats = 1;
  double timeout_s = 60;
  double connect_timeout_s = 10;
  int max_attempts = 4;
  std::optional<double> deadline_s;  // whole-run deadline: stop dispatching after this long
  double grace_s = 30;               // on Ctrl-C: how long requests in flight may finish
  int max_consecutive_errors = 50;   // error budget: stop when this many fail in a row
  // The longest wait a server may ask for (Retry-After and the like) before a retry; a longer one
  // ends the job as rate_limit instead of holding it (and Ctrl-C) for an hour.
  double max_retry_wait_s = 60;
  // The most of one response body held in memory (SSE events included): see net/http_types.hpp.
  std::size_t max_response_bytes = kDefaultMaxResponseBytes;
  std::optional<double> temperature;
  std::optional<int> max_tokens;
  std::optional<long long> seed;
};


struct Suite {
  std::filesystem::path file;
  std::string display_file;
  std::string name;
  std::string description;
  std::filesystem::path dataset_file;
  std::string dataset_display;
  std::optional<long long> limit;  // use only the first N cases
  Expect expect;
  std::string baseline;
  std::vector<Variant> variants;
  std::map<std::string, Endpoint> endpoints;  // only those the variants use
  RunOptions run;
  Decide decide;
  Gates gates;
  std::map<std::string, ModelPrice> prices;  // per-model overrides of the catalog
  std::filesystem::path price_catalog;       // empty = the built-in catalog
  nlohmann::json source;                      // the suite as loaded, for the store

  const Variant* find_variant(std::string_view id) const;
};

}  // namespace tb
