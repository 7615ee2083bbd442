// A job's lifecycle in the Runner: prepared (body, token count, cost estimate, cache key) on
// the preparer's thread, then on the network thread answered from the cache or sent within the
// endpoint's pacing, retried while the error is worth retrying (backoff, the server's wait
// hint), and scored into the result the writer stores.
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <cmath>
#include <random>

#include "analysis/cost.hpp"
#include "common/clock.hpp"
#include "common/hash.hpp"
#include "common/secrets.hpp"
#include "common/text.hpp"
#include "provider/chat_request.hpp"
#include "provider/chat_stream.hpp"
#include "run/few_shot_selector.hpp"
#include "run/retry_policy.hpp"
#include "run/runner_impl.hpp"
#include "score/scorer.hpp"
#include "suite/passage_template.hpp"
#include "suite/prompt_renderer.hpp"

namespace tb {

namespace asio = boost::asio;

namespace {

// Tokens a request will count against a TPM budget, before the answer says: characters / 4
// plus the per-message overhead, and the completion it may produce.
double estimate_tokens(const nlohmann::json& messages, std::size_t prompt_chars,
                       std::optional<int> max_tokens) {
  return static_cast<double>(prompt_chars) / 4.0 + 4.0 * static_cast<double>(messages.size()) + 3 +
         static_cast<double>(max_tokens.value_or(0));
}

// The answer's tokens as the variant's tokenizer counts them, else characters / 4 (the mock's
// estimate): what a result is costed from when the server's usage cannot be believed.
long long local_completion_tokens(const std::optional<ChatTokenCounter>& counter,
                                  std::string_view output) {
  if (counter) {
    try {
      return static_cast<long long>(counter->encoding().count(output, SpecialTokens::as_text));
    } catch (const TokenizerError&) {  // not UTF-8: the estimate below
    }
  }
  return static_cast<long long>((output.size() + 3) / 4);
}

}  // namespace

// Runs on the preparer's thread: reads only what no other thread writes while jobs run (the
// suite, the preflight, the endpoints' URLs) and the token counts memoised here.
PreparedJob Runner::prepare(Job job) {
  const ResolvedVariant& rv = preflight_.variants[job.variant];
  const Variant& variant = *rv.variant;
  const TestCase& test_case = job.planned->test_case;
  nlohmann::json rendered;
  const nlohmann::json& plain = rendered_messages(variant, test_case, rendered);
  // A rag variant's passages go into the messages where its template says; `plain` stays the
  // prompt without them, for the split of its tokens.
  // A few-shot variant's examples go before the case; like passages they are context that
  // changes with the case, apart from the fixed instructions.
  PreparedJob p;
  nlohmann::json with_passages;
  const bool few_shot = few_shot_.size() > job.variant && few_shot_[job.variant];
  if (few_shot || retrieval_.retrievers[job.variant]) with_passages = plain;
  if (few_shot) insert_examples(with_passages, few_shot_[job.variant]->select(test_case));
  if (const auto& retriever = retrieval_.retrievers[job.variant]) {
    p.retrieval = retriever->retrieve(test_case);
    insert_passage_block(variant.retrieve->passage_template, p.retrieval->block, with_passages);
  }
  const bool extended = few_shot || p.retrieval;
  const nlohmann::json& messages = extended ? with_passages : plain;

  ChatParams params;
  params.model = variant.model;
  params.temperature = variant.temperature;
  params.max_tokens = variant.max_tokens;
  params.seed = variant.seed;
  params.response_format = variant.response_format;
  // Function calling: the variant's function, else what the dataset line offers.
  const nlohmann::json& line_tools = test_case.tool_fields;
  auto line_field = [&](const char* key) {
    return line_tools.is_object() && line_tools.contains(key) ? line_tools[key] : nlohmann::json();
  };
  if (!variant.tools.is_null()) {
    params.tools = variant.tools;
    params.tool_choice = variant.tool_choice;
    // One call, one answer: strict functions cannot be called in parallel anyway.
    params.parallel_tool_calls = false;
  } else {
    params.tools = line_field("tools");
    params.functions = line_field("functions");
    params.parallel_tool_calls = line_field("parallel_tool_calls");
  }
  params.extra_body = variant.extra_body;
  params.stream = variant.stream;

  p.body = build_chat_body(params, messages);
  p.prompt_chars = static_cast<long long>(prompt_characters(messages));
  if (rv.token_counter) {
    try {
      // The variant's own system prompt is the same in every job: counted once.
      const bool fixed_system =
          variant.system && !plain.empty() && plain[0].value("role", "") == "system";
      const PromptSplit split =
          prompt_splitter_.split(*rv.token_counter, job.variant, test_case.index, fixed_system,
                                 plain, extended ? &with_passages : nullptr);
      p.local_prompt_tokens = split.total();
      p.instruction_tokens = split.instructions;
      p.context_tokens = split.context;
      p.case_tokens = split.case_tokens;
    } catch (const TokenizerError&) {
      p.local_prompt_tokens = -1;  // invalid UTF-8: the API will say what it counts
    }
  }
  p.estimated_tokens =
      p.local_prompt_tokens >= 0
          ? static_cast<double>(p.local_prompt_tokens + variant.max_tokens.value_or(0))
          : estimate_tokens(messages, static_cast<std::size_t>(p.prompt_chars), variant.max_tokens);
  p.estimated_cost = request_cost(rv.price, static_cast<long long>(p.estimated_tokens), 0,
                                  variant.max_tokens.value_or(256));
  if (options_.cache_read || options_.cache_write) {
    const Url& url = urls_.at(variant.endpoint);
    p.cache_key = cache_key(cache_origins_.at(variant.endpoint), url.target("/chat/completions"),
                            p.body, job.repeat);
  }
  p.job = std::move(job);
  return p;
}

std::string Runner::cache_key(const std::string& origin, const std::string& target,
                              const std::string& body, int repeat) {
  return sha256_hex(origin + target + "\n" + body + "\n#" + std::to_string(repeat));
}

asio::awaitable<std::optional<ResultRecord>> Runner::execute(PreparedJob& prepared,
                                                             asio::steady_timer& timer) {
  const Job& job = prepared.job;
  const ResolvedVariant& rv = preflight_.variants[job.variant];
  const Variant& variant = *rv.variant;
  const TestCase& test_case = job.planned->test_case;

  HttpRequest request;
  request.url = urls_.at(variant.endpoint);
  request.target = request.url.target("/chat/completions");
  request.body = std::move(prepared.body);
  request.headers.emplace_back("content-type", "application/json");
  if (!rv.api_key.empty()) {
    const auto& header = rv.endpoint->api_key_header;
    request.headers.emplace_back(header,
                                 header == "authorization" ? "Bearer " + rv.api_key : rv.api_key);
  }
  for (const auto& [k, v] : rv.endpoint->headers) request.headers.emplace_back(k, v);
  request.timeout_s = suite_.run.timeout_s;
  request.connect_timeout_s = suite_.run.connect_timeout_s;
  request.max_response_bytes = suite_.run.max_response_bytes;
  request.insecure = rv.endpoint->insecure;

  ResultRecord r;
  r.run_id = run_id_;
  r.variant_id = variant.id;
  r.case_index = static_cast<long long>(test_case.index);
  r.repeat = job.repeat;
  r.prompt_chars = prepared.prompt_chars;
  r.local_prompt_tokens = prepared.local_prompt_tokens;
  r.instruction_tokens = prepared.instruction_tokens;
  r.context_tokens = prepared.context_tokens;
  r.case_tokens = prepared.case_tokens;
  if (const auto& retrieval = prepared.retrieval) {
    // Retrieval happened before the request whatever the answer: recorded on errors too.
    r.retrieval_ms = retrieval->search_ms;
    r.embedding_tokens = retrieval->query_tokens;
    r.embedding_cost_usd = static_cast<double>(retrieval->query_tokens) *
                           retrieval_.info[job.variant].query_price / 1e6;
    r.cost_usd = r.embedding_cost_usd;
    for (const Passage& passage : retrieval->passages)
      r.retrieved.push_back({passage.chunk_id, passage.document_id, passage.score, passage.tokens});
  }
  const double estimated_tokens = prepared.estimated_tokens;
  const double estimated_cost = prepared.estimated_cost;

  const std::string& key = prepared.cache_key;
  std::optional<Attempt> answer;
  if (options_.cache_read) {
    if (auto hit = store_.cache_lookup(key)) {
      answer = replay(*hit, variant.stream);
      r.cached = true;
      r.attempts = 0;
    }
  }
  if (!answer) {
    if (over_budget(estimated_cost)) {
      stop("the next request could take the spend past --max-cost $" +
               std::to_string(*options_.max_cost_usd),
           true);
      co_return std::nullopt;
    }
    in_flight_cost_ += estimated_cost;
    auto& limiter = limiters_.at(variant.endpoint);
    bool abandoned = false;
    for (int attempt = 1;; ++attempt) {
      r.attempts = attempt;
      // The endpoint's pacing (rpm, tpm, a pause after a 429 with a wait hint).
      while (!limiter.try_acquire(estimated_tokens)) {
        if (!co_await wait_unless_stopped(timer, limiter.wait_ms(estimated_tokens))) break;
      }
      if (stopping_) {  // stopped while this job waited for its turn: nothing new is sent
        abandoned = true;
        break;
      }
      if (!gate_.try_enter()) co_await gate_.enter();
      if (stopping_) {
        gate_.leave(false);
        abandoned = true;
        break;
      }
      Attempt a = co_await send_once(request, variant.stream);
      const bool throttled = a.parsed.error == ErrorClass::rate_limit;
      gate_.leave(throttled);
      if (a.parsed.usage.believable())
        limiter.correct_tokens(
            static_cast<double>(a.parsed.usage.prompt_tokens + a.parsed.usage.completion_tokens) -
            estimated_tokens);
      answer = std::move(a);
      const ErrorClass error = answer->parsed.error;
      if (error == ErrorClass::none || !is_retryable(error)) break;
      // A server asking for a longer wait than run.max_retry_wait_s ends the job now, as a
      // rate_limit that says what it asked: an hour's Retry-After must not hold a worker (and
      // the run, and Ctrl-C) for an hour.
      const auto hint = server_wait_ms(answer->response);
      if (hint && *hint > suite_.run.max_retry_wait_s * 1000) {
        answer->parsed.error = ErrorClass::rate_limit;
        std::string& message = answer->parsed.error_message;
        message +=
            (message.empty() ? "" : "; ") + wait_refused_note(*hint, suite_.run.max_retry_wait_s);
        break;
      }
      if (attempt >= suite_.run.max_attempts) break;
      if (stopping_) {
        abandoned = true;
        break;
      }
      ++retries_;
      double wait = backoff_ms(attempt, std::uniform_real_distribution<double>(0, 1)(rng_));
      if (hint) {
        wait = std::max(wait, *hint);
        if (throttled) limiter.pause_for(*hint);
      }
      if (!co_await wait_unless_stopped(timer, wait)) {
        abandoned = true;
        break;
      }
    }
    in_flight_cost_ -= estimated_cost;
    // Stopped before its retries were done, or cut off at the end of the grace period: not a
    // final result, so a resume sends it again.
    const bool cut_off = stopping_ && stop_resumable_ && answer &&
                         (answer->parsed.error == ErrorClass::network ||
                          answer->parsed.error == ErrorClass::timeout);
    if (abandoned || cut_off || !answer) co_return std::nullopt;
  }

  // The request and the answer's body are stored, not copied: nothing reads them after this.
  r.request_json = std::move(request.body);
  r.response_body = std::move(answer->response.body);
  Secrets::redact_in_place(r.response_body);
  const Attempt& a = *answer;
  r.http_status = a.response.status;
  r.created_at = utc_now_iso8601();
  r.latency_ms = a.latency_ms;
  r.ttft_ms = a.ttft_ms;
  r.itl_ms = a.itl_ms;
  r.output_tps = a.output_tps;
  r.error_class = std::string(to_string(a.parsed.error));
  if (a.parsed.error != ErrorClass::none) {
    r.status = "error";
    r.error_message = a.parsed.error_message;
    r.failure_kind = "error";  // no answer to classify
    co_return r;
  }
  // Errors are never cached: a re-run must try them again.
  if (!r.cached && options_.cache_write)
    writer_->add_cache(
        {key, a.response.status, r.response_body, a.latency_ms, a.ttft_ms, a.itl_ms, a.output_tps});
  r.status = "ok";
  // An answer that calls a function is its call's arguments: the expected format is the
  // function's parameters, scored by the same checks as a content answer.
  r.output = answer_text(a.parsed);
  if (!a.parsed.tool_calls.empty()) r.tool_calls = tool_calls_json(a.parsed.tool_calls);
  r.finish_reason = a.parsed.finish_reason;
  const Usage& usage = a.parsed.usage;
  long long completion_tokens = 0;
  if (usage.believable()) {
    r.prompt_tokens = usage.prompt_tokens;
    r.completion_tokens = completion_tokens = usage.completion_tokens;
    r.cached_tokens = usage.cached_tokens;
    r.cost_usd = request_cost(rv.price, r.prompt_tokens, r.cached_tokens, r.completion_tokens);
  } else {
    // Missing, not a number, negative or absurd: the API's columns stay empty (reports say
    // how many), and the result is costed from local counts so that spend and --max-cost
    // stay honest. A count that is there but wrong is a bad response's, and said so.
    const long long prompt_tokens =
        r.local_prompt_tokens >= 0 ? r.local_prompt_tokens : (r.prompt_chars + 3) / 4;
    completion_tokens = local_completion_tokens(rv.token_counter, r.output);
    r.usage_estimated = true;
    r.usage_note = (usage.wrong ? "bad_response: " : "") +
                   (usage.present ? usage.problem : std::string("the response has no usage")) +
                   "; costed from local counts (" + std::to_string(prompt_tokens) + " prompt, " +
                   std::to_string(completion_tokens) + " completion tokens)";
    r.cost_usd = request_cost(rv.price, prompt_tokens, 0, completion_tokens);
  }
  // The query's embedding counts in the request's cost: rag pays it on every request.
  r.cost_usd += r.embedding_cost_usd;
  ScoreInput in;
  in.output = r.output;
  in.reference = test_case.reference;
  in.has_reference = test_case.has_reference;
  in.finish_reason = r.finish_reason;
  in.latency_ms = r.latency_ms;
  in.cost_usd = r.cost_usd;
  in.completion_tokens = completion_tokens;
  if (prepared.retrieval) {
    in.retrieval = true;
    in.retrieved_context = prepared.retrieval->context;
  }
  FormatExpectation format;
  format.json = suite_.expect.format == "json";
  format.schema = suite_.expect.compiled_schema ? &*suite_.expect.compiled_schema : nullptr;
  Score score = score_result(in, suite_.expect.checks, job.planned->checks, format);
  if (!score.pending_judges.empty() && !co_await judge_answer(test_case, r, score, timer))
    co_return std::nullopt;  // judging cut off by a stop: not final, a resume judges it
  r.conformant = score.conformant;
  r.score = score.score;
  r.failure_kind = std::string(to_string(score.failure.kind));
  r.failure_path = score.failure.path;
  for (const auto& c : score.checks)
    r.checks.push_back({c.name, c.type, c.passed, c.required, c.weight, c.score, c.detail});
  co_return r;
}

asio::awaitable<Attempt> Runner::send_once(const HttpRequest& base, bool stream) {
  // Sent after the answers already in hand are handled: requests then leave in bursts, and the
  // server wakes once per burst instead of once per request (a third more requests per second
  // against a fast local server). The latency clock starts after this wait.
  co_await asio::post(io_, asio::use_awaitable);
  Attempt a;
  ChatStream chat_stream(base.max_response_bytes);
  const double start = steady_ms();
  ++sent_;
  if (stream) {  // the only case that needs a request of its own: it carries the body callback
    HttpRequest request = base;
    request.on_body = [&](std::string_view piece) { chat_stream.feed(piece, steady_ms()); };
    a.response = co_await client_.send(request);
  } else {
    a.response = co_await client_.send(base);
  }
  a.latency_ms = steady_ms() - start;
  if (a.response.error != NetError::none) {
    a.parsed.error = error_class_of(a.response.error);
    a.parsed.error_message = a.response.error_message;
    co_return a;
  }
  if (stream && a.response.status >= 200 && a.response.status < 300) {
    a.parsed = chat_stream.finish();
    const auto& times = chat_stream.delta_times();
    if (!times.empty()) {
      a.ttft_ms = times.front() - start;
      if (times.size() > 1)
        a.itl_ms = (times.back() - times.front()) / static_cast<double>(times.size() - 1);
      const double decode_s = (times.back() - times.front()) / 1000.0;
      if (decode_s > 0 && a.parsed.usage.believable() && a.parsed.usage.completion_tokens > 1)
        a.output_tps = static_cast<double>(a.parsed.usage.completion_tokens - 1) / decode_s;
    }
  } else {
    a.parsed = read_chat_response(a.response);
  }
  co_return a;
}

Attempt Runner::replay(const CacheRecord& cached, bool stream) {
  Attempt a;
  a.response.status = cached.status;
  a.response.body = cached.body;
  a.latency_ms = cached.latency_ms;
  a.ttft_ms = cached.ttft_ms;
  a.itl_ms = cached.itl_ms;
  a.output_tps = cached.output_tps;
  if (stream) {
    ChatStream s;
    s.feed(cached.body, 0);
    a.parsed = s.finish();
  } else {
    a.parsed = parse_chat_response(cached.status, cached.body);
  }
  return a;
}

}  // namespace tb
