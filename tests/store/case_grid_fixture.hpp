#pragma once
// A run for the case grid's tests: two variants stored out of id order ("z" first), two repeats,
// five cases chosen so that each kind of row occurs once.
//   case 0: both variants pass both repeats            (passing)
//   case 1: z passes, a fails both                     (disagree, 1 failing variant)
//   case 2: both fail both                             (2 failing variants, agree)
//   case 3: z passes one repeat of two, a passes       (disagree, 1 failing variant)
//   case 4: only z has results, and passes             (passing)
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "store/result_writer.hpp"
#include "store/store.hpp"

namespace tb::test {

inline long long store_grid_run(const std::filesystem::path& db, const std::string& hostile = "") {
  Store store(db);
  RunRecord run;
  run.suite_name = "grid";
  run.suite_file = "g.yaml";
  run.suite_json = "{}";
  run.dataset_file = "g.jsonl";
  run.baseline = "z";
  run.started_at = "2026-11-29T00:00:00Z";
  run.status = "done";
  run.total_jobs = 18;
  run.cases = 5;
  run.repeats = 2;
  run.tool_version = "test";
  run.price_catalog = "prices.json (x)";
  VariantRecord z;
  z.id = "z";
  z.position = 0;
  z.kind = "prompted";
  z.model = "m";
  z.params_json = "{}";
  z.is_baseline = true;
  VariantRecord a = z;
  a.id = "a";
  a.position = 1;
  a.is_baseline = false;
  const long long id = store.create_run(run, {z, a});
  ResultWriter writer(db);
  for (int c = 0; c < 5; ++c) {
    const std::string user = c == 1 && !hostile.empty() ? hostile : "term " + std::to_string(c);
    nlohmann::json messages = nlohmann::json::array(
        {{{"role", "system"}, {"content", "Define it."}}, {{"role", "user"}, {"content", user}}});
    writer.add_case({id, c, c == 1 && !hostile.empty() ? hostile : "case-" + std::to_string(c),
                     c + 1, messages.dump(),
                     "{\"term\": \"t" + std::to_string(c) + "\", \"ok\": true}", "",
                     "h" + std::to_string(c), ""});
  }
  const auto add = [&](const std::string& variant, int c, int repeat, bool passed) {
    ResultRecord r;
    r.run_id = id;
    r.variant_id = variant;
    r.case_index = c;
    r.repeat = repeat;
    r.status = "ok";
    r.error_class = "none";
    r.attempts = 1;
    r.created_at = "now";
    r.conformant = passed;
    r.score = passed ? 1 : 0;
    r.prompt_tokens = 100 + c;
    r.completion_tokens = 10 + repeat;
    r.latency_ms = 250 + c;
    r.cost_usd = 0.0001;
    r.failure_kind = passed ? "none" : "fenced";
    r.output = passed ? "{\"term\": \"t" + std::to_string(c) + "\", \"ok\": true}"
                      : "```json\n{\"term\": \"t" + std::to_string(c) + "\"}\n```" +
                            (c == 1 ? hostile : "");
    r.checks.push_back({"is-json", "format", passed, true, 1, passed ? 1.0 : 0.0,
                        passed ? "" : "JSON inside a ``` fence"});
    r.checks.push_back({"max-length", "max-length", true, false, 1, 1, ""});
    writer.add_result(std::move(r));
  };
  // Repeats stored last-first: the reader's order must not be the order of insertion.
  for (int repeat = 1; repeat >= 0; --repeat) {
    add("a", 0, repeat, true);
    add("z", 0, repeat, true);
    add("z", 1, repeat, true);
    add("a", 1, repeat, false);
    add("z", 2, repeat, false);
    add("a", 2, repeat, false);
    add("z", 3, repeat, repeat == 0);
    add("a", 3, repeat, true);
    add("z", 4, repeat, true);
  }
  writer.flush();
  return id;
}

}  // namespace tb::test
