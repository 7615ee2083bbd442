#include "provider/embeddings.hpp"

#include <nlohmann/json.hpp>

#include "common/json_tape.hpp"
#include "common/json_writer.hpp"
#include "common/secrets.hpp"
#include "common/text.hpp"
#include "provider/chat_response.hpp"

namespace tb {

std::string build_embeddings_body(const EmbeddingsParams& params,
                                  std::span<const std::string> inputs) {
  std::string out = "{\"model\":";
  append_json_string(out, params.model);
  out += ",\"input\":[";
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    if (i > 0) out += ',';
    append_json_string(out, inputs[i]);
  }
  out += "],\"encoding_format\":\"float\"";
  if (params.dimensions) out += ",\"dimensions\":" + std::to_string(*params.dimensions);
  out += '}';
  return out;
}

EmbeddingsResponse parse_embeddings_response(int http_status, std::string_view raw,
                                             std::size_t inputs) {
  EmbeddingsResponse out;
  if (http_status < 200 || http_status >= 300) {
    // Errors look the same on every OpenAI endpoint: classify them as a chat answer's.
    ChatResponse error = parse_chat_response(http_status, raw);
    out.error = error.error;
    out.error_message = std::move(error.error_message);
    return out;
  }
  auto bad = [&](std::string why) {
    out.error = ErrorClass::bad_response;
    out.error_message = Secrets::redact(std::move(why));
    out.vectors.clear();
    return out;
  };
  const auto tape = JsonTape::parse(raw);
  if (!tape) return bad("the body is not JSON: " + dquote(ellipsize(raw, 120)));
  const JsonTape& t = *tape;
  const auto data = t.is(0, JsonTape::Kind::object) ? t.member(0, "data") : std::nullopt;
  if (!data || !t.is(*data, JsonTape::Kind::array))
    return bad("expected an embeddings list with \"data\"");
  if (t[*data].size != inputs)
    return bad("expected " + std::to_string(inputs) + " embeddings, got " +
               std::to_string(t[*data].size));
  out.vectors.resize(inputs);
  std::size_t dimensions = 0;
  const std::size_t end = t.next(*data);
  for (std::size_t item = *data + 1, position = 0; item < end; item = t.next(item), ++position) {
    std::size_t i = position;
    if (const auto index = t.member(item, "index")) {
      const double n = t.is_number(*index) ? t.number(*index) : -1;
      if (n < 0 || n >= static_cast<double>(inputs) ||
          n != static_cast<double>(static_cast<std::size_t>(n)))
        return bad("data[" + std::to_string(position) + "].index: expected a whole number below " +
                   std::to_string(inputs));
      i = static_cast<std::size_t>(n);
    }
    if (!out.vectors[i].empty())
      return bad("data[" + std::to_string(position) + "].index repeats an earlier one");
    const auto embedding = t.member(item, "embedding");
    if (!embedding || !t.is(*embedding, JsonTape::Kind::array) || t[*embedding].size == 0)
      return bad("data[" + std::to_string(position) + "].embedding: expected an array of numbers");
    auto& vector = out.vectors[i];
    vector.reserve(t[*embedding].size);
    const std::size_t vend = t.next(*embedding);
    for (std::size_t v = *embedding + 1; v < vend; ++v) {
      if (!t.is_number(v))
        return bad("data[" + std::to_string(position) +
                   "].embedding: expected an array of numbers");
      vector.push_back(static_cast<float>(t.number(v)));
    }
    if (dimensions == 0) dimensions = vector.size();
    if (vector.size() != dimensions)
      return bad("embeddings of different sizes in one answer (" + std::to_string(dimensions) +
                 " and " + std::to_string(vector.size()) + ")");
  }
  if (const auto model = t.member(0, "model"); model && t.is(*model, JsonTape::Kind::string))
    out.model = std::string(t.string(*model));
  if (const auto usage = t.member(0, "usage")) {
    if (const auto tokens = t.member(*usage, "prompt_tokens"); tokens && t.is_number(*tokens))
      out.prompt_tokens = static_cast<long long>(t.number(*tokens));
  }
  return out;
}

}  // namespace tb
