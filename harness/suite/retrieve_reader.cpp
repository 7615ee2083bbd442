// A variant's `retrieve:`: the rag strategy's corpus, chunking, k, method, query, template and
// embeddings, every problem reported with its line.
#include <algorithm>
#include <array>
#include <filesystem>
#include <system_error>
#include <vector>

#include "common/files.hpp"
#include "common/text.hpp"
#include "suite/passage_template.hpp"
#include "suite/suite_sections.hpp"

namespace tb {
namespace {

constexpr std::array<std::string_view, 7> kRetrieveKeys = {
    "corpus", "chunk", "k", "method", "query", "template", "embeddings"};
constexpr std::array<std::string_view, 2> kChunkKeys = {"tokens", "overlap"};
constexpr std::array<std::string_view, 3> kMethods = {"bm25", "embeddings", "hybrid"};
constexpr std::array<std::string_view, 3> kQueries = {"last-user", "first-user", "all-user"};
constexpr std::array<std::string_view, 5> kTemplateKeys = {"position", "text", "passage",
                                                           "separator", "none"};
constexpr std::array<std::string_view, 2> kPositions = {"system", "user"};
constexpr std::array<std::string_view, 3> kEmbeddingsKeys = {"endpoint", "model", "dimensions"};

// A string among `choices`, with a did-you-mean when it is not.
std::optional<std::string> choice(FieldReader& r, const FieldReader::At& parent,
                                  const std::string& key,
                                  std::span<const std::string_view> choices) {
  auto value = r.string(parent, key, false);
  if (!value) return std::nullopt;
  if (std::find(choices.begin(), choices.end(), *value) != choices.end()) return value;
  std::string message = "expected one of " + join_choices(choices) + "; got " + dquote(*value);
  if (auto hint = did_you_mean(*value, choices))
    message += " (did you mean " + dquote(*hint) + "?)";
  r.error(parent.child(key), message);
  return std::nullopt;
}

void read_corpus(FieldReader& r, const FieldReader::At& at, const Suite& suite,
                 RetrieveSpec& spec) {
  const auto corpus = r.string(at, "corpus", true);
  if (!corpus) return;
  spec.corpus_display = display_path(suite, *corpus);
  spec.corpus = resolve_relative(suite.file, *corpus);
  std::error_code ec;
  if (std::filesystem::exists(spec.corpus, ec)) return;
  std::string message = "no such corpus file or folder: " + spec.corpus_display;
  // A typo in the last part of the path: name what is there.
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(spec.corpus.parent_path(), ec))
    names.push_back(entry.path().filename().string());
  const std::vector<std::string_view> views(names.begin(), names.end());
  if (auto hint = did_you_mean(spec.corpus.filename().string(), views))
    message += " (did you mean " + dquote(*hint) + "?)";
  else
    message +=
        " (a folder of .md/.txt files or a .jsonl file of {\"id\", \"title\", \"text\"} lines)";
  r.error(at.child("corpus"), message);
}

void read_chunk(FieldReader& r, const FieldReader::At& at, RetrieveSpec& spec) {
  const auto c = at.child("chunk");
  if (!r.expect_mapping(c, kChunkKeys)) return;
  if (auto tokens = r.integer(c, "tokens", 1, 100000))
    spec.chunk_tokens = static_cast<int>(*tokens);
  if (auto overlap = r.integer(c, "overlap", 0, 100000))
    spec.chunk_overlap = static_cast<int>(*overlap);
  if (spec.chunk_overlap >= spec.chunk_tokens)
    r.error(c.value.contains("overlap") ? c.child("overlap") : c,
            "overlap must be smaller than tokens (" + std::to_string(spec.chunk_overlap) +
                " >= " + std::to_string(spec.chunk_tokens) + ")");
}

void read_query(FieldReader& r, const FieldReader::At& at, RetrieveSpec& spec) {
  const auto q = at.child("query");
  if (q.value.is_number_integer()) {
    const auto index = r.integer(at, "query", -1000, 1000);
    if (index) {
      spec.query.pick = QuerySpec::Pick::message;
      spec.query.message = static_cast<int>(*index);
    }
    return;
  }
  if (!q.value.is_string()) {
    r.error(q, std::string("expected last-user, first-user, all-user or a message index (0 the "
                           "first, -1 the last); got ") +
                   json_type_name(q.value));
    return;
  }
  if (const auto pick = choice(r, at, "query", kQueries))
    spec.query.pick = *pick == "last-user"    ? QuerySpec::Pick::last_user
                      : *pick == "first-user" ? QuerySpec::Pick::first_user
                                              : QuerySpec::Pick::all_user;
}

void read_template(FieldReader& r, const FieldReader::At& at, RetrieveSpec& spec) {
  const auto t = at.child("template");
  PassageTemplate& tmpl = spec.passage_template;
  auto text_field = [&](const FieldReader::At& parent, const std::string& key, std::string& out,
                        std::optional<bool> block) {
    auto value = r.string(parent, key, false);
    if (!value) return;
    if (block) {
      if (auto problem = invalid_template(*value, *block)) {
        r.error(parent.value.is_object() ? parent.child(key) : parent, *problem);
        return;
      }
    }
    out = *value;
  };
  if (t.value.is_string()) {  // the block's text alone
    if (auto problem = invalid_template(t.value.get<std::string>(), true))
      r.error(t, *problem);
    else
      tmpl.text = t.value.get<std::string>();
    return;
  }
  if (!r.expect_mapping(t, kTemplateKeys)) return;
  if (const auto position = choice(r, t, "position", kPositions))
    tmpl.position =
        *position == "user" ? PassageTemplate::Position::user : PassageTemplate::Position::system;
  text_field(t, "text", tmpl.text, true);
  text_field(t, "passage", tmpl.passage, false);
  text_field(t, "separator", tmpl.separator, std::nullopt);
  text_field(t, "none", tmpl.none, std::nullopt);
}

void read_embeddings(FieldReader& r, const FieldReader::At& at,
                     const std::map<std::string, Endpoint>& endpoints, Suite& suite,
                     const Variant& variant, RetrieveSpec& spec) {
  const auto e = at.child("embeddings");
  if (!spec.needs_embeddings()) {
    r.error(e, "not used by method bm25; set method: embeddings or hybrid, or remove embeddings");
    return;
  }
  if (!r.expect_mapping(e, kEmbeddingsKeys)) return;
  spec.embeddings_model = r.string(e, "model", true).value_or("");
  if (auto dimensions = r.integer(e, "dimensions", 1, 4096))
    spec.embeddings_dimensions = static_cast<int>(*dimensions);
  const auto name = r.string(e, "endpoint", false);
  spec.embeddings_endpoint = name.value_or(variant.endpoint);
  if (spec.embeddings_endpoint.empty()) return;  // the variant's endpoint was already wrong
  const auto it = endpoints.find(spec.embeddings_endpoint);
  if (it == endpoints.end()) {
    std::vector<std::string_view> names;
    for (const auto& [n, ep] : endpoints) names.push_back(n);
    std::string message = "unknown endpoint " + dquote(spec.embeddings_endpoint) +
                          "; expected one of " + join_choices(names);
    if (auto hint = did_you_mean(spec.embeddings_endpoint, names))
      message += " (did you mean " + dquote(*hint) + "?)";
    r.error(e.child("endpoint"), message);
    return;
  }
  suite.endpoints[spec.embeddings_endpoint] = it->second;
}

}  // namespace

void read_variant_retrieve(FieldReader& r, const FieldReader::At& v,
                           const std::map<std::string, Endpoint>& endpoints, Suite& suite,
                           Variant& variant) {
  const auto at = v.child("retrieve");
  if (!r.expect_mapping(at, kRetrieveKeys)) return;
  RetrieveSpec spec;
  spec.line = r.doc().line_of(at.pointer);
  read_corpus(r, at, suite, spec);
  if (at.value.contains("chunk")) read_chunk(r, at, spec);
  if (auto k = r.integer(at, "k", 1, 1000)) spec.k = static_cast<int>(*k);
  if (const auto method = choice(r, at, "method", kMethods)) spec.method = *method;
  if (at.value.contains("query")) read_query(r, at, spec);
  if (at.value.contains("template")) read_template(r, at, spec);
  if (at.value.contains("embeddings"))
    read_embeddings(r, at, endpoints, suite, variant, spec);
  else if (spec.needs_embeddings())
    r.error(at, "method " + spec.method +
                    " needs embeddings: {model: MODEL} (e.g. text-embedding-3-small; endpoint: "
                    "defaults to the variant's)");
  variant.retrieve = std::move(spec);
}

}  // namespace tb
