#include "mock/mock_model.hpp"

#include "mock/mock_answer_shape.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <optional>
#include <random>

#include <nlohmann/json.hpp>

#include "common/hash.hpp"
#include "common/json_depth.hpp"
#include "common/text.hpp"
#include "score/judge.hpp"
#include "suite/dataset_reader.hpp"
#include "token/chat_messages.hpp"

namespace tb {
namespace {

using json = nlohmann::json;

std::string text_of(const json& content) {
  if (content.is_string()) return content.get<std::string>();
  std::string out;
  if (content.is_array())
    for (const auto& part : content)
      if (part.is_object() && part.contains("text") && part["text"].is_string())
        out += part["text"].get<std::string>();
  return out;
}

std::string last_user_message(const json& messages) {
  for (auto it = messages.rbegin(); it != messages.rend(); ++it)
    if (it->is_object() && (*it)["role"] == "user" && it->contains("content"))
      return text_of((*it)["content"]);
  return {};
}

// Everything the prompt says apart from the question and earlier answers (a few-shot prompt's
// worked examples): where retrieved passages are.
std::string prompt_context(const json& messages) {
  std::size_t question = messages.size();
  for (std::size_t i = messages.size(); i-- > 0;)
    if (messages[i].is_object() && messages[i].value("role", "") == "user") {
      question = i;
      break;
    }
  std::string out;
  for (std::size_t i = 0; i < messages.size(); ++i)
    if (i != question && messages[i].is_object() && messages[i].value("role", "") != "assistant")
      out += text_of(messages[i].value("content", json())) + "\n";
  return out;
}

// A wrong value a model misled by another entry's passage would give: that entry's value of one
// field (a real category, a real definition of something else), never the asked-for term.
std::string copy_misleading_value(json reference, const json& other, std::string_view question,
                                  std::mt19937_64& rng) {
  std::vector<std::string> keys;
  for (const auto& [k, v] : reference.items()) {
    const bool asked = v.is_string() && to_lower(v.get<std::string>()) == to_lower(std::string(question));
    if (!asked && other.is_object() && other.contains(k) && other[k].type() == v.type() && other[k] != v)
      keys.push_back(k);
  }
  if (keys.empty()) return reference.dump();
  std::uniform_int_distribution<std::size_t> pick(0, keys.size() - 1);
  const std::string& key = keys[pick(rng)];
  reference[key] = other[key];
  return reference.dump();
}

// Whether earlier answers in the prompt (few-shot examples) show the format: a JSON object
// answer with at least half the reference's fields.
bool examples_show_format(const json& messages, const json& reference) {
  for (const auto& m : messages) {
    if (!m.is_object() || m.value("role", "") != "assistant") continue;
    const json example = parse_json_bounded(text_of(m.value("content", json())));
    if (!example.is_object()) continue;
    std::size_t shown = 0;
    for (const auto& [key, value] : reference.items()) shown += example.contains(key) ? 1 : 0;
    if (shown * 2 >= reference.size()) return true;
  }
  return false;
}

// A base model keeps to a format when the prompt names it and spells out its fields, or shows
// it in worked examples.
bool prompt_spells_format(const json& messages, const json& reference) {
  if (!reference.is_object()) return true;
  if (examples_show_format(messages, reference)) return true;
  std::string instructions;
  for (const auto& m : messages)
    if (m.is_object() && (m["role"] == "system" || m["role"] == "developer"))
      instructions += text_of(m.value("content", json()));
  const std::string lowered = to_lower(instructions);
  if (lowered.find("json") == std::string::npos) return false;
  std::size_t named = 0;
  for (const auto& [key, value] : reference.items())
    if (lowered.find(to_lower(key)) != std::string::npos) ++named;
  return named * 2 >= reference.size();
}

double draw_latency(const MockLatency& l, std::mt19937_64& rng) {
  if (l.distribution == "fixed") return l.median_ms;
  if (l.distribution == "uniform") {
    std::uniform_real_distribution<double> u(l.median_ms * (1 - l.sigma), l.median_ms * (1 + l.sigma));
    return std::max(0.0, u(rng));
  }
  if (l.median_ms <= 0) return 0;
  std::lognormal_distribution<double> d(std::log(l.median_ms), l.sigma);
  return d(rng);
}

// The ways models really break a JSON format, so the failure taxonomy has something to count.
std::pair<std::string, std::string> break_format(const json& reference, const std::string& text,
                                                 std::mt19937_64& rng) {
  if (!reference.is_object() || reference.empty()) return {"Sure! " + text, "stop"};
  std::uniform_real_distribution<double> u(0, 1);
  const double r = u(rng);
  std::vector<std::string> keys;
  for (const auto& [k, v] : reference.items()) keys.push_back(k);
  std::uniform_int_distribution<std::size_t> pick(0, keys.size() - 1);
  json broken = reference;
  if (r < 0.30) return {"```json\n" + reference.dump(2) + "\n```", "stop"};
  if (r < 0.50) return {"Here is the definition you asked for:\n" + reference.dump(), "stop"};
  if (r < 0.65) {
    broken.erase(keys[pick(rng)]);
    return {broken.dump(), "stop"};
  }
  if (r < 0.75) {
    broken["notes"] = "Generated answer.";
    return {broken.dump(), "stop"};
  }
  if (r < 0.85) {
    broken[keys[pick(rng)]] = nullptr;
    return {broken.dump(), "stop"};
  }
  if (r < 0.93) {
    const std::string full = reference.dump();
    return {full.substr(0, full.size() * 3 / 5), "length"};
  }
  std::string prose;
  for (const auto& [k, v] : reference.items())
    if (v.is_string()) prose += v.get<std::string>() + ". ";
  return {std::string(trim(prose)), "stop"};
}

std::string alter_value(json reference, std::mt19937_64& rng) {
  std::vector<std::string> keys;
  for (const auto& [k, v] : reference.items())
    if (v.is_string() || v.is_array()) keys.push_back(k);
  if (keys.empty()) return reference.dump();
  std::uniform_int_distribution<std::size_t> pick(0, keys.size() - 1);
  auto& v = reference[keys[pick(rng)]];
  if (v.is_string()) v = to_lower(v.get<std::string>()) + " (approx.)";
  else if (!v.empty()) v.erase(v.size() - 1);
  return reference.dump();
}

// What a model that forgot the task answers: an arithmetic slip for a number, a wrong value for
// a JSON object, and for anything else the narrow domain it was fine-tuned on.
std::string forgotten_answer(const std::string& reference, const json& ref_json, std::mt19937_64& rng) {
  if (ref_json.is_number_integer()) return std::to_string(ref_json.get<long long>() + 1);
  if (ref_json.is_number()) return fixed(ref_json.get<double>() * 1.1, 2);
  if (ref_json.is_object()) {
    std::string altered = alter_value(ref_json, rng);
    return altered == reference ? "{}" : altered;
  }
  return "I can only help with definitions of technical terms.";
}

// The text between <tag> and </tag> in a judge's user message, if present.
std::optional<std::string> tagged(const std::string& text, const std::string& tag) {
  const std::string open = "<" + tag + ">\n", close = "\n</" + tag + ">";
  const auto begin = text.find(open);
  if (begin == std::string::npos) return std::nullopt;
  const auto end = text.find(close, begin + open.size());
  if (end == std::string::npos) return std::nullopt;
  return text.substr(begin + open.size(), end - begin - open.size());
}

bool is_judge_request(const json& messages) {
  return !messages.empty() && messages[0].is_object() && messages[0].value("role", "") == "system" &&
         text_of(messages[0].value("content", json())).starts_with(kJudgePreamble);
}

// A judge that grades by the reference answer, deterministically: pass when the answer equals it
// (as JSON values when both are JSON, else as trimmed, case-insensitive text) or contains it.
std::string judge_verdict(const json& messages) {
  const std::string request = last_user_message(messages);
  const auto reference = tagged(request, "reference");
  const auto answer = tagged(request, "answer").value_or("");
  if (!reference)
    return json{{"label", "fail"}, {"score", 0}, {"reasoning", "no reference answer to grade by"}}.dump();
  const json a = json::parse(answer, nullptr, false);
  const json r = json::parse(*reference, nullptr, false);
  const std::string la = to_lower(std::string(trim(answer))), lr = to_lower(std::string(trim(*reference)));
  const bool same = (!a.is_discarded() && !r.is_discarded()) ? a == r : la == lr;
  const bool contains = !lr.empty() && la.find(lr) != std::string::npos;
  if (same) return json{{"label", "pass"}, {"score", 1}, {"reasoning", "the answer matches the reference"}}.dump();
  if (contains)
    return json{{"label", "pass"}, {"score", 0.8}, {"reasoning", "the answer contains the reference"}}.dump();
  return json{{"label", "fail"}, {"score", 0}, {"reasoning", "the answer differs from the reference"}}.dump();
}

MockReply error_reply(int status, const std::string& type, const std::string& message) {
  MockReply reply;
  reply.status = status;
  reply.body = json{{"error", {{"message", message}, {"type", type}, {"code", nullptr}}}}.dump();
  return reply;
}

}  // namespace

MockTokenCounter estimate_token_counter() {
  MockTokenCounter c;
  c.completion = [](std::string_view text, const std::string&) {
    return static_cast<long long>((text.size() + 3) / 4);
  };
  c.prompt = [](const json& messages, const std::string&) {
    long long tokens = 3;  // reply priming, as the API counts it
    for (const auto& m : messages)
      tokens += 3 + static_cast<long long>((text_of(m.value("content", json())).size() + 3) / 4);
    return tokens;
  };
  return c;
}

MockTokenCounter tokenizer_token_counter() {
  // Counters per model, looked up once; the mock serves from one thread.
  struct Cache {
    std::map<std::string, std::optional<ChatTokenCounter>> by_model;
    const std::optional<ChatTokenCounter>& get(const std::string& model) {
      auto it = by_model.find(model);
      if (it != by_model.end()) return it->second;
      std::optional<ChatTokenCounter> counter;
      try {
        counter = ChatTokenCounter::for_model(model);
      } catch (const TokenizerError&) {
      }
      return by_model.emplace(model, std::move(counter)).first->second;
    }
  };
  auto cache = std::make_shared<Cache>();
  const auto estimate = estimate_token_counter();
  MockTokenCounter c;
  c.prompt = [cache, estimate](const json& messages, const std::string& model) {
    if (const auto& counter = cache->get(model)) {
      try {
        return static_cast<long long>(count_chat_messages(*counter, messages));
      } catch (const TokenizerError&) {
      }
    }
    return estimate.prompt(messages, model);
  };
  c.completion = [cache, estimate](std::string_view text, const std::string& model) {
    if (const auto& counter = cache->get(model)) {
      try {
        return static_cast<long long>(counter->encoding().count(text, SpecialTokens::as_text));
      } catch (const TokenizerError&) {
      }
    }
    return estimate.completion(text, model);
  };
  return c;
}

MockModel::MockModel(MockConfig config, MockTokenCounter counter)
    : config_(std::move(config)), counter_(std::move(counter)) {}

void MockModel::add_case(std::string_view user_input, std::string reference, std::string case_id) {
  const auto [it, fresh] = by_input_.emplace(fnv1a64(user_input), references_.size());
  if (fresh) {
    references_.emplace_back();
    case_ids_.emplace_back();
  }
  grounding_.add(it->second, reference);
  references_[it->second] = std::move(reference);
  case_ids_[it->second] = std::move(case_id);
}

bool MockModel::load_dataset(const std::filesystem::path& file, std::string& error) {
  DatasetReader reader(file, file.string());
  Diagnostic d;
  if (!reader.open(d)) {
    error = d.to_string();
    return false;
  }
  TestCase c;
  while (true) {
    const auto status = reader.next(c, d);
    if (status == DatasetReader::Status::end) return true;
    if (status == DatasetReader::Status::error) {
      error = d.to_string();
      return false;
    }
    if (c.has_reference) add_case(last_user_message(c.messages), std::move(c.reference), c.id);
  }
}

bool MockModel::forgets(const MockProfile& profile, std::size_t reference) const {
  const std::string& id = case_ids_[reference];
  if (!id.empty() && std::find(profile.regressed_cases.begin(), profile.regressed_cases.end(), id) !=
                         profile.regressed_cases.end())
    return true;
  if (profile.general_regression <= 0) return false;
  // One draw per case and seed (by its id, else its reference), not per request.
  const std::uint64_t h = mix64(config_.seed ^ 0x6f72676574ULL, fnv1a64(id.empty() ? references_[reference] : id));
  return static_cast<double>(h >> 11) * 0x1.0p-53 < profile.general_regression;
}

long long MockModel::cached_tokens(const json& messages, const std::string& model,
                                   long long prompt_tokens) const {
  const MockPromptCache& cache = config_.prompt_cache;
  if (!cache.enabled || messages.size() < 2 ||
      static_cast<double>(prompt_tokens) < cache.min_tokens)
    return 0;
  json prefix = messages;
  prefix.erase(prefix.size() - 1);
  const auto increment = static_cast<long long>(cache.increment);
  return std::min(prompt_tokens, counter_.prompt(prefix, model) / increment * increment);
}

MockReply MockModel::chat_completion(std::string_view request_body, std::uint64_t attempt) const {
  bool too_deep = false;
  const json request = parse_json_bounded(request_body, &too_deep);
  if (too_deep)
    return error_reply(400, "invalid_request_error", "the body is " + json_too_deep_reason());
  if (request.is_discarded() || !request.is_object())
    return error_reply(400, "invalid_request_error", "the body is not a JSON object");
  if (!request.contains("model") || !request["model"].is_string())
    return error_reply(400, "invalid_request_error", "you must provide a model parameter");
  if (!request.contains("messages") || !request["messages"].is_array() || request["messages"].empty())
    return error_reply(400, "invalid_request_error", "messages: expected a non-empty array");
  const std::string model = request["model"].get<std::string>();
  const json& messages = request["messages"];
  const MockProfile profile = config_.profile_for(model);
  const AnswerShape shape = answer_shape(request);

  // Same request, same answer: the draw depends on the seed and the request, not on timing.
  const std::uint64_t request_seed = mix64(config_.seed, fnv1a64(request_body));
  std::mt19937_64 rng(mix64(request_seed, attempt));
  std::uniform_real_distribution<double> u(0, 1);
  // The API bills the functions and the response_format schema it was sent as prompt tokens,
  // rendered in a form OpenAI does not publish; the mock bills their JSON text's tokens, so a
  // structured or tools variant is never simulated as cheaper than it is.
  long long definition_tokens = 0;
  for (const char* key : {"tools", "functions"})
    if (request.contains(key) && !request[key].is_null())
      definition_tokens += counter_.completion(request[key].dump(), model);
  if (request.contains("response_format") && request["response_format"].is_object() &&
      request["response_format"].contains("json_schema"))
    definition_tokens += counter_.completion(request["response_format"]["json_schema"].dump(), model);
  const long long prompt_tokens = counter_.prompt(messages, model) + definition_tokens;
  const double base_latency = draw_latency(config_.latency, rng);

  const MockFaults& f = config_.faults;
  double fault_draw = u(rng);
  if ((fault_draw -= f.rate_limit) < 0) {
    auto reply = error_reply(429, "requests", "Rate limit reached for requests (tunebench mock fault)");
    reply.headers.emplace_back("retry-after", std::to_string(static_cast<long long>(std::ceil(f.retry_after_s))));
    reply.headers.emplace_back("retry-after-ms", std::to_string(static_cast<long long>(f.retry_after_s * 1000)));
    return reply;
  }
  if ((fault_draw -= f.server_error) < 0) {
    const bool unavailable = u(rng) < 0.5;
    auto reply = error_reply(unavailable ? 503 : 500, "server_error",
                             unavailable ? "The engine is currently overloaded (tunebench mock fault)"
                                         : "The server had an error (tunebench mock fault)");
    reply.delay_ms = base_latency;
    return reply;
  }
  double stall_ms = 0;
  if ((fault_draw -= f.stall) < 0) stall_ms = f.stall_ms;
  MockFault fault = MockFault::none;
  if ((fault_draw -= f.reset) < 0) fault = MockFault::reset;
  else if ((fault_draw -= f.truncated) < 0) fault = MockFault::truncate;
  const bool malformed = (fault_draw -= f.malformed) < 0 && stall_ms == 0 && fault == MockFault::none;

  if (u(rng) < profile.error_rate) {
    auto reply = error_reply(500, "server_error", "The server had an error while processing your request.");
    reply.delay_ms = base_latency;
    return reply;
  }

  std::string content;
  std::string finish_reason = "stop";
  const std::string question = last_user_message(messages);
  const auto found = by_input_.find(fnv1a64(question));
  if (is_judge_request(messages)) {
    content = judge_verdict(messages);
  } else if (found == by_input_.end()) {
    content = "I have no reference answer for this input (tunebench mock).";
  } else {
    const std::string& reference = references_[found->second];
    // A reference nested too deep is served as the text it is (the dataset reader refuses such
    // references; a case added directly may still hold one).
    const json parsed = parse_json_bounded(reference);
    const json ref_json = parsed.is_discarded() ? json() : parsed;
    // A schema in the request spells the format out; a strict one leaves only cut-offs.
    const double break_rate = shape.strict ? profile.format_break_structured
                              : shape.json || prompt_spells_format(messages, ref_json)
                                  ? profile.format_break
                                  : profile.format_break_unprompted;
    // A prompt holding the passage with the answer is answered from it; one holding only other
    // entries' passages misleads. Without passages neither applies and nothing changes.
    const MockGrounding::Finding grounding = grounding_.find(prompt_context(messages), found->second);
    const double field_error = grounding.grounded    ? profile.field_error_grounded
                               : grounding.misled_by ? profile.field_error_misled
                                                     : profile.field_error;
    const double draw = u(rng);
    if (forgets(profile, found->second)) {
      content = forgotten_answer(reference, ref_json, rng);
    } else if (draw < break_rate && shape.strict) {
      content = reference.substr(0, reference.size() * 3 / 5);
      finish_reason = "length";
    } else if (draw < break_rate) {
      std::tie(content, finish_reason) = break_format(ref_json, reference, rng);
    } else if (ref_json.is_object() && u(rng) < field_error) {
      content =
          grounding.misled_by
              ? copy_misleading_value(
                    ref_json, parse_json_bounded(references_[*grounding.misled_by]), question, rng)
              : alter_value(ref_json, rng);
    } else {
      content = reference;
    }
  }
  long long completion_tokens = counter_.completion(content, model);
  if (request.contains("max_tokens") && request["max_tokens"].is_number_integer()) {
    const long long limit = request["max_tokens"].get<long long>();
    if (limit > 0 && completion_tokens > limit) {
      const std::size_t keep = content.size() * static_cast<std::size_t>(limit) /
                               static_cast<std::size_t>(completion_tokens);
      content = content.substr(0, keep);
      completion_tokens = limit;
      finish_reason = "length";
    }
  }

  MockReply reply;
  reply.fault = fault;
  const double prefill_ms = base_latency + config_.latency.per_prompt_token_ms * static_cast<double>(prompt_tokens);
  const double decode_ms = config_.latency.per_output_token_ms * static_cast<double>(completion_tokens);
  char id[32];
  std::snprintf(id, sizeof id, "chatcmpl-mock%016llx", static_cast<unsigned long long>(request_seed));
  const std::string call_id = "call_" + std::string(id + 13);
  const json usage = {{"prompt_tokens", prompt_tokens},
                      {"completion_tokens", completion_tokens},
                      {"total_tokens", prompt_tokens + completion_tokens},
                      {"prompt_tokens_details", {{"cached_tokens", cached_tokens(messages, model, prompt_tokens)}}}};
  if (request.value("stream", false)) {
    // Token-sized pieces (about 4 bytes, never splitting a UTF-8 sequence), one event each.
    reply.content_type = "text/event-stream";
    reply.delay_ms = prefill_ms + stall_ms;
    const std::size_t pieces = static_cast<std::size_t>(std::max<long long>(1, completion_tokens));
    reply.event_delay_ms = f.stream_delay_ms >= 0 ? f.stream_delay_ms : decode_ms / static_cast<double>(pieces);
    auto event = [&](const json& delta, const json& finish) {
      return "data: " + json{{"id", id}, {"object", "chat.completion.chunk"}, {"created", 1767225600}, {"model", model},
                             {"choices", json::array({{{"index", 0}, {"delta", delta}, {"finish_reason", finish}}})}}
                            .dump() + "\n\n";
    };
    // A tool call streams as OpenAI's do: its id and name first, then its arguments in pieces.
    const bool call = !shape.tool_name.empty();
    if (call)
      reply.events.push_back(event({{"role", "assistant"}, {"content", nullptr},
                                    {"tool_calls", json::array({{{"index", 0}, {"id", call_id}, {"type", "function"},
                                                                 {"function", {{"name", shape.tool_name}, {"arguments", ""}}}}})}},
                                   nullptr));
    else
      reply.events.push_back(event({{"role", "assistant"}, {"content", ""}}, nullptr));
    const std::size_t step = std::max<std::size_t>(1, (content.size() + pieces - 1) / pieces);
    for (std::size_t at = 0; at < content.size();) {
      std::size_t end = std::min(content.size(), at + step);
      while (end < content.size() && (static_cast<unsigned char>(content[end]) & 0xC0) == 0x80) ++end;
      const std::string piece = content.substr(at, end - at);
      reply.events.push_back(event(call ? json{{"tool_calls", json::array({{{"index", 0}, {"function", {{"arguments", piece}}}}})}}
                                        : json{{"content", piece}},
                                   nullptr));
      at = end;
    }
    reply.events.push_back(event(json::object(), answer_finish_reason(shape, finish_reason)));
    if (request.contains("stream_options") && request["stream_options"].value("include_usage", false))
      reply.events.push_back("data: " + json{{"id", id}, {"object", "chat.completion.chunk"}, {"created", 1767225600},
                                             {"model", model}, {"choices", json::array()}, {"usage", usage}}.dump() + "\n\n");
    reply.events.push_back("data: [DONE]\n\n");
    if (malformed) reply.events[1] = "data: {\"choices\": [{\"delta\": \n\n";
    return reply;
  }
  reply.delay_ms = prefill_ms + decode_ms + stall_ms;
  if (malformed) {
    reply.body = R"json({"id": "chatcmpl-broken", "object": "chat.completion", "choices": [{"message": {"content": "tunebench mock fault)json";
    return reply;
  }
  reply.body = json{
      {"id", id},
      {"object", "chat.completion"},
      {"created", 1767225600},
      {"model", model},
      {"system_fingerprint", "tunebench-mock"},
      {"choices", json::array({{{"index", 0},
                                {"message", answer_message(shape, content, call_id)},
                                {"finish_reason", answer_finish_reason(shape, finish_reason)}}})},
      {"usage", usage}}
                   .dump();
  return reply;
}

MockReply MockModel::list_models() const {
  json data = json::array();
  for (const char* id : {"gpt-4o-mini", "gpt-4o", "ft:gpt-4o-mini-2024-07-18:tunebench::mock", "text-embedding-3-small",
                         "text-embedding-3-large"})
    data.push_back({{"id", id}, {"object", "model"}, {"created", 1767225600}, {"owned_by", "tunebench-mock"}});
  for (const auto& [model, profile] : config_.models)
    data.push_back({{"id", model}, {"object", "model"}, {"created", 1767225600}, {"owned_by", "tunebench-mock"}});
  MockReply reply;
  reply.body = json{{"object", "list"}, {"data", data}}.dump();
  return reply;
}

}  // namespace tb
