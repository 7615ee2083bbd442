#pragma once
// Internal to suite/: one reader per section of a suite file. Each adds what it reads to the
// Suite and reports every problem through the FieldReader; the loader calls them in order.
#include <map>
#include <optional>
#include <string>

#include "suite/field_reader.hpp"
#include "suite/model_sweep.hpp"
#include "suite/suite.hpp"

namespace tb {

// `endpoints:` plus the built-in `mock` and `openai`; the result holds every endpoint a variant
// may name (the suite keeps only those its variants use).
std::map<std::string, Endpoint> read_endpoints(FieldReader& r, const FieldReader::At& root);

// `expect:`: the format, schema or TypeScript type, and the suite's checks (compiled).
void read_expect(FieldReader& r, const FieldReader::At& root, Suite& suite);

// `variants:` and `baseline:` (after `run:`, whose defaults the variants inherit).
void read_variants(FieldReader& r, const FieldReader::At& root,
                   const std::map<std::string, Endpoint>& endpoints, Suite& suite);

// A variant's `retrieve:`, read after its endpoint: the corpus (which must exist), chunking, k,
// method, query, template and, for methods that need vectors, the embeddings endpoint and model.
void read_variant_retrieve(FieldReader& r, const FieldReader::At& v,
                           const std::map<std::string, Endpoint>& endpoints, Suite& suite,
                           Variant& variant);

// A variant's few_shot:, structured: and tools: (after expect:, whose schema the last two send).
void read_variant_strategies(FieldReader& r, const FieldReader::At& v, const Suite& suite,
                             Variant& variant);

// A variant's `models:` or `checkpoints:` (suite/model_sweep.hpp): nullopt when it has neither;
// empty after an error (reported).
std::optional<std::vector<SweepModel>> read_variant_sweep(FieldReader& r, const FieldReader::At& v,
                                                          const Suite& suite);

// `gate:` (after the variants, whose ids its thresholds name).
void read_gates(FieldReader& r, const FieldReader::At& root, Suite& suite);

// A `{input, output, cached_input, training}` price, per model or per variant.
std::optional<ModelPrice> read_price(FieldReader& r, const FieldReader::At& at);

// Paths in messages keep the user's view: relative to the suite's folder as written.
std::string display_path(const Suite& suite, const std::string& relative);

}  // namespace tb
