// Servers whose usage is missing, of the wrong type or negative: the answers are kept and costed
// from local token counts, flagged per result and counted in the summary, and --max-cost still
// stops the run (before: costed $0, which turned the cap off).
#include <catch2/catch.hpp>

#include <string>

#include <nlohmann/json.hpp>

#include "e2e/cli.hpp"
#include "e2e/hostile_server.hpp"
#include "e2e/process.hpp"
#include "e2e/sqlite_query.hpp"
#include "test_paths.hpp"

using namespace tb;
using test::count;
using test::Hostile;
using test::HostileServer;
using test::query;

namespace {

const std::string kSource = TUNEBENCH_SOURCE_DIR;

std::string suite_on(const HostileServer& server, int limit,
                     const std::string& variant_extra = "") {
  return "name: usage\ndataset: " + kSource +
         "/datasets/tech_terms_eval.jsonl\nlimit: " + std::to_string(limit) +
         "\nexpect: {format: json}\nvariants:\n  - {id: a, endpoint: lying, model: gpt-4o-mini, "
         "system_text: Define it." +
         variant_extra + "}\nendpoints:\n  lying: {kind: openai, base_url: \"" + server.base_url() +
         "\", api_key_env: TB_USAGE_KEY}\nrun: {concurrency: 1, max_attempts: 1}\n";
}

test::CommandResult run_in(const test::TempDir& dir, const std::string& flags = "") {
  return test::tunebench("run s.yaml --db t.db --out out " + flags, dir.path().string(),
                         "TB_USAGE_KEY=sk-usage-0123456789");
}

}  // namespace

TEST_CASE("usage that is missing, wrong-typed or negative: answers costed from local counts",
          "[e2e][hostile][usage]") {
  struct Lie {
    const char* name;
    Hostile mode;
    std::string note;  // the start of every result's usage_note
  };
  for (const auto& lie :
       {Lie{"missing", Hostile::usage_missing,
            "the response has no usage; costed from local counts ("},
        Lie{"wrong type", Hostile::usage_wrong_type,
            "usage.prompt_tokens is string, not a number; costed from local counts ("},
        Lie{"negative", Hostile::usage_negative,
            "bad_response: usage.prompt_tokens is -12: negative; costed from local counts ("}}) {
    DYNAMIC_SECTION(lie.name) {
      HostileServer server(lie.mode);
      test::TempDir dir;
      test::write_text(dir / "s.yaml", suite_on(server, 3));
      const auto r = run_in(dir);
      INFO(r.output);
      CHECK(r.exit_code == 0);
      const auto db = dir / "t.db";
      // The answers are kept and scored.
      CHECK(count(db, "select count(*) from results where status='ok' and conformant=1") == 3);
      CHECK(count(db,
                  "select count(*) from results where usage_estimated=1 and cost_usd > 0 and "
                  "prompt_tokens is null and completion_tokens is null and usage_note like '" +
                      lie.note + "%'") == 3);
      CHECK(r.output.find("costed from estimates (the server's usage was missing or not "
                          "believable; local token counts instead, see results.usage_note): a 3 "
                          "of 3 results") != std::string::npos);
      CHECK(test::read_text(dir / "out/run-1.html").find("a 3 of 3 results") != std::string::npos);
      const auto report = nlohmann::json::parse(test::read_text(dir / "out/run-1.json"));
      CHECK(report["variants"][0]["cost"]["estimated_results"] == 3);
      for (const auto& result : report["results"]) {
        CHECK(result["usage_estimated"] == true);
        CHECK(result["usage_note"].get<std::string>().starts_with(lie.note));
      }
    }
  }
}

TEST_CASE("a run whose server reports no usage is still stopped by --max-cost", "[e2e][hostile][usage]") {
  HostileServer server(Hostile::usage_missing);
  test::TempDir dir;
  test::write_text(dir / "s.yaml", suite_on(server, 40, ", max_tokens: 1"));
  const auto r = run_in(dir, "--no-report --max-cost 0.00005");
  INFO(r.output);
  CHECK(r.exit_code == 3);  // interrupted
  const auto db = dir / "t.db";
  const long long stored = count(db, "select count(*) from results");
  CHECK(stored > 0);
  CHECK(stored < 20);
  CHECK(std::stod(query(db, "select sum(cost_usd) from results")) > 0);
  CHECK(r.output.find("--max-cost $0.000050") != std::string::npos);
}
