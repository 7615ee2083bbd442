#pragma once
#include <memory>
#include <string>
#include <vector>

#include "analysis/model_price.hpp"
#include "score/judge.hpp"
#include "common/diagnostic.hpp"
#include "retrieve/corpus.hpp"
#include "run/shard.hpp"
#include "suite/suite.hpp"
#include "token/chat_token_counter.hpp"
#include "token/encoding.hpp"

namespace tb {

// What a rag variant retrieves from and with, resolved before anything is sent.
struct ResolvedRetrieval {
  std::shared_ptr<const Corpus> corpus;  // loaded and checked; shared by variants naming it
  EncodingName tokenizer = EncodingName::o200k_base;  // the model's: chunks are counted with it
  const Endpoint* embeddings_endpoint = nullptr;      // when the method needs vectors
  std::string embeddings_api_key;                     // never stored or printed
  ModelPrice embeddings_price;                        // input: USD per 1M tokens embedded
};

// A variant with everything it needs to send requests: its price and its API key.
struct ResolvedVariant {
  const Variant* variant = nullptr;
  const Endpoint* endpoint = nullptr;
  ModelPrice price;
  std::string api_key;  // never stored or printed
  // Counts prompts locally as the API bills them; empty for unknown models or without the
  // tokenizer's vocabulary (then only the API's usage counts are stored).
  std::optional<ChatTokenCounter> token_counter;
  std::optional<ResolvedRetrieval> retrieval;  // rag variants
  // The variant's training with tokens and epochs known (run/training_file.hpp).
  std::optional<Training> training;
};

// A model-graded check's judge: where it is asked, at what price, with which key.
struct ResolvedJudge {
  const JudgeSpec* spec = nullptr;
  const Endpoint* endpoint = nullptr;
  ModelPrice price;
  std::string api_key;  // never stored or printed
};

struct Preflight {
  long long cases = 0;  // after `limit`; of this run's shard when it runs one
  // SHA-256 over the content hashes of those cases, in order: a resume compares it with the
  // stored run's to know that the answers it keeps belong to the same cases.
  std::string dataset_fingerprint;
  std::optional<Shard> shard;
  long long suite_cases = 0;  // every shard's (after `limit`)
  // The same over every shard's cases: what the in-process mock answers from, so its cached
  // answers are keyed by the dataset's content, not by the file's name or time (ablate's sample
  // is a new file each time, with the same lines for the same seed).
  std::string dataset_content_fingerprint;
  // SHA-256 over the suite, its schema, its variants' prompts and prices and the content hashes
  // of every case, whatever the shard: the shards of one suite have the same, and `merge`
  // refuses runs whose fingerprints differ (another suite, dataset, prompt or price catalog).
  std::string suite_fingerprint;
  std::vector<ResolvedVariant> variants;
  std::vector<ResolvedJudge> judges;  // one per `type: judge` check of expect.checks
  std::string price_catalog;  // "datasets/prices.json (2026-11-01)"
  bool simulated = false;     // some variant is answered by the mock
  std::string tokenizer_note;  // why local token counts are missing, when they are
  // Not errors, said before anything is sent: models within 60 days of their shutdown or past it.
  std::vector<std::string> warnings;
};

// Everything that can be known to be wrong before the first request: the whole dataset (every
// line parsed, per-case checks compiled, gold passages found in a rag variant's corpus), a
// price for every model (embedding models included), an API key for every real endpoint, every
// corpus (each problem with its file:line). Returns false with diagnostics; nothing has been
// sent or stored then. With a shard, `cases` and `dataset_fingerprint` are of that shard's cases
// (the whole dataset is still checked).
bool run_preflight(const Suite& suite, Preflight& out, Diagnostics& errors,
                   const std::optional<Shard>& shard = std::nullopt);

}  // namespace tb
