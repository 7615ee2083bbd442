// Model-graded checks in the Runner: after an answer is scored, each `type: judge` check sends
// the case, the reference and the answer to its judge (score/judge.hpp), through the judge
// endpoint's pacing and the concurrency gate like any request, answered from the response cache
// when the same judgement was asked before. The verdict replaces the check's stand-in outcome;
// the judge's tokens and cost are stored apart from the variant's (judge_calls), but count
// against --max-cost, because they are spent all the same.
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <random>

#include "analysis/cost.hpp"
#include "common/clock.hpp"
#include "provider/chat_request.hpp"
#include "provider/error_class.hpp"
#include "run/retry_policy.hpp"
#include "run/runner_impl.hpp"
#include "score/judge.hpp"
#include "suite/prompt_renderer.hpp"

namespace tb {

namespace asio = boost::asio;

namespace {


}  // namespace

asio::awaitable<bool> Runner::judge_answer(const TestCase& test_case, ResultRecord& r, Score& score,
                                           asio::steady_timer& timer) {
  for (const auto& [position, check] : score.pending_judges) {
    const JudgeSpec& spec = *check->judge();
    const auto resolved = std::find_if(preflight_.judges.begin(), preflight_.judges.end(),
                                       [&](const ResolvedJudge& j) { return j.spec == &spec; });
    CheckResult& result = score.checks[position];
    JudgeCallRecord call;
    call.check_position = static_cast<int>(position);
    call.model = spec.model;
    if (resolved != preflight_.judges.end()) call.endpoint = resolved->endpoint->name;
    if (resolved == preflight_.judges.end()) {  // preflight resolves every judge it can see
      call.error = "the judge was not resolved before the run";
      result.detail = "judge: " + call.error;
      r.judge_calls.push_back(std::move(call));
      continue;
    }

    ChatParams params;
    params.model = spec.model;
    params.temperature = 0;
    params.response_format = {{"type", "json_object"}};
    const auto messages = judge_messages(spec, question_text(test_case.messages),
                                         test_case.has_reference
                                             ? std::optional<std::string_view>(test_case.reference)
                                             : std::nullopt,
                                         r.output);
    HttpRequest request;
    request.url = urls_.at(call.endpoint);
    request.target = request.url.target("/chat/completions");
    request.body = build_chat_body(params, messages);
    request.headers.emplace_back("content-type", "application/json");
    if (!resolved->api_key.empty()) {
      const auto& header = resolved->endpoint->api_key_header;
      request.headers.emplace_back(
          header, header == "authorization" ? "Bearer " + resolved->api_key : resolved->api_key);
    }
    for (const auto& [k, v] : resolved->endpoint->headers) request.headers.emplace_back(k, v);
    request.timeout_s = suite_.run.timeout_s;
    request.connect_timeout_s = suite_.run.connect_timeout_s;
    request.insecure = resolved->endpoint->insecure;

    // The same judgement (judge, rubric, case and answer) is asked once: repeats that gave the
    // same answer, and re-runs, read it from the cache.
    const std::string key =
        cache_key(cache_origins_.at(call.endpoint), request.target, request.body, 0);
    std::optional<Attempt> answer;
    if (options_.cache_read) {
      if (auto hit = store_.cache_lookup(key)) {
        answer = replay(*hit, false);
        call.cached = true;
      }
    }
    if (!answer) {
      auto& limiter = limiters_.at(call.endpoint);
      const double tokens = static_cast<double>(request.body.size()) / 4.0 + 64;
      // As the answer's own requests: pacing and backoff end when the run stops, and once it
      // has stopped nothing new is sent. A job whose judging is cut off that way is not stored
      // (its answer is in the cache, so a resume judges it without asking the model again).
      for (int attempt = 1;; ++attempt) {
        call.attempts = attempt;
        while (!limiter.try_acquire(tokens))
          if (!co_await wait_unless_stopped(timer, limiter.wait_ms(tokens))) break;
        if (stopping_) co_return false;
        if (!gate_.try_enter()) co_await gate_.enter();
        if (stopping_) {
          gate_.leave(false);
          co_return false;
        }
        Attempt a = co_await send_once(request, false);
        gate_.leave(a.parsed.error == ErrorClass::rate_limit);
        answer = std::move(a);
        const ErrorClass error = answer->parsed.error;
        if (error == ErrorClass::none || !is_retryable(error)) break;
        const auto hint = server_wait_ms(answer->response);
        if (hint && *hint > suite_.run.max_retry_wait_s * 1000) {
          std::string& message = answer->parsed.error_message;
          message +=
              (message.empty() ? "" : "; ") + wait_refused_note(*hint, suite_.run.max_retry_wait_s);
          break;
        }
        if (attempt >= suite_.run.max_attempts) break;
        ++retries_;
        double wait = backoff_ms(attempt, std::uniform_real_distribution<double>(0, 1)(rng_));
        if (hint) wait = std::max(wait, *hint);
        if (!co_await wait_unless_stopped(timer, wait)) co_return false;
      }
    }
    const Attempt& a = *answer;
    if (a.parsed.usage.believable()) {
      call.prompt_tokens = a.parsed.usage.prompt_tokens;
      call.completion_tokens = a.parsed.usage.completion_tokens;
      call.cost_usd = request_cost(resolved->price, call.prompt_tokens,
                                   a.parsed.usage.cached_tokens, call.completion_tokens);
    } else if (a.parsed.error == ErrorClass::none) {
      // No usage to believe: costed from estimates (characters / 4), as answers are.
      call.cost_usd =
          request_cost(resolved->price, static_cast<long long>((request.body.size() + 3) / 4), 0,
                       static_cast<long long>((a.parsed.content.size() + 3) / 4));
    }
    if (!call.cached) spend_ += call.cost_usd;  // a cached judgement costs nothing this time
    if (a.parsed.error != ErrorClass::none) {
      call.error = "the judge's request failed (" + std::string(to_string(a.parsed.error)) +
                   "): " + a.parsed.error_message;
    } else {
      std::string error;
      if (const auto verdict = parse_verdict(a.parsed.content, error)) {
        if (!call.cached && options_.cache_write)
          writer_->add_cache({key, a.response.status, a.response.body, a.latency_ms, -1, -1, -1});
        const CheckOutcome outcome = judge_outcome(spec, *verdict);
        result.passed = outcome.passed;
        result.score = outcome.score;
        result.detail = outcome.detail;
        call.label = verdict->label;
        call.score = verdict->score;
      } else {
        call.error = error;
      }
    }
    // No verdict: the check fails and says why; the answer is not judged good by default.
    if (!call.error.empty()) {
      result.passed = false;
      result.score = 0;
      result.detail = "judge: " + call.error;
    }
    ++judge_calls_;
    if (call.cached) ++judge_cached_;
    else judge_cost_ += call.cost_usd;
    r.judge_calls.push_back(std::move(call));
  }
  score.settle();
  co_return true;
}

}  // namespace tb
