// The recipes in deploy/ (Kubernetes, GitHub Actions, Slurm) kept working: their structure as
// the engine reads it, and their shell steps run here, shards then merge, against the built
// binary. (kubectl and the Actions runner are not run; see deploy/kubernetes/README.md.)
#include <catch2/catch.hpp>

#include <yaml-cpp/yaml.h>

#include <map>
#include <regex>
#include <string>

#include "e2e/cli.hpp"
#include "e2e/process.hpp"
#include "e2e/sqlite_query.hpp"
#include "test_paths.hpp"

using namespace tb;

namespace {

const std::filesystem::path kSource = TUNEBENCH_SOURCE_DIR;

// Runs `script` with `shell` in `cwd`, the built tunebench first on PATH, with `env` added.
test::CommandResult shell(const std::string& script, const std::map<std::string, std::string>& env,
                          const std::filesystem::path& cwd, const std::string& shell = "sh") {
  static int n = 0;
  const auto file = cwd / (".recipe-step-" + std::to_string(++n) + ".sh");
  test::write_text(file, script);
  std::string command = "cd '" + cwd.string() + "' && env PATH='" +
                        std::filesystem::path(TUNEBENCH_BINARY).parent_path().string() +
                        "':\"$PATH\"";
  for (const auto& [k, v] : env) command += " " + k + "='" + v + "'";
  command += " " + shell + " '" + file.string() + "' 2>&1";
  test::CommandResult result;
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buffer[4096];
  std::size_t got = 0;
  while ((got = fread(buffer, 1, sizeof buffer, pipe)) > 0) result.output.append(buffer, got);
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

// A small, fast suite for the recipes' shell steps (their SUITE is a setting; the demo they
// name is checked to exist where the image installs it).
void write_suite(const std::filesystem::path& dir) {
  std::ifstream in(kSource / "datasets/tech_terms_eval.jsonl");
  std::string text, line;
  for (int i = 0; i < 16 && std::getline(in, line); ++i) text += line + "\n";
  test::write_text(dir / "d.jsonl", text);
  test::write_text(
      dir / "suite.yaml",
      "name: recipe\ndataset: d.jsonl\nexpect: {format: json}\n"
      "variants:\n  - {id: long, endpoint: m, model: gpt-4o-mini, system: " +
          (kSource / "suites/prompts/tech_terms_full.txt").string() +
          "}\n  - {id: short, endpoint: m, model: gpt-4o-mini, system_text: Define the term as "
          "JSON.}\n"
          "endpoints:\n  m: {kind: mock, mock: {latency: {distribution: fixed, median_ms: 0,"
          " per_prompt_token_ms: 0, per_output_token_ms: 0}}}\n"
          "gate: {max_error_rate: 0}\n");
}

std::map<std::string, std::string> container_env(const YAML::Node& container) {
  std::map<std::string, std::string> env;
  for (const auto& e : container["env"])
    env[e["name"].as<std::string>()] = e["value"].as<std::string>();
  return env;
}

const YAML::Node only_container(const YAML::Node& job) {
  const auto containers = job["spec"]["template"]["spec"]["containers"];
  REQUIRE(containers.size() == 1);
  return containers[0];
}

}  // namespace

TEST_CASE("the Kubernetes recipe: an Indexed Job of shards on a shared volume, then a merge Job",
          "[e2e][deploy]") {
  const auto dir = kSource / "deploy/kubernetes";
  const auto pvc = YAML::LoadFile((dir / "results-volume.yaml").string());
  const auto shards = YAML::LoadFile((dir / "shards-job.yaml").string());
  const auto merge = YAML::LoadFile((dir / "merge-job.yaml").string());
  CHECK(pvc["kind"].as<std::string>() == "PersistentVolumeClaim");
  CHECK(pvc["spec"]["accessModes"][0].as<std::string>() == "ReadWriteMany");
  const auto claim = pvc["metadata"]["name"].as<std::string>();

  for (const auto& job : {shards, merge}) {
    CHECK(job["apiVersion"].as<std::string>() == "batch/v1");
    CHECK(job["kind"].as<std::string>() == "Job");
    const auto pod = job["spec"]["template"]["spec"];
    CHECK(pod["restartPolicy"].as<std::string>() == "Never");
    CHECK(pod["securityContext"]["runAsNonRoot"].as<bool>());
    CHECK(pod["securityContext"]["runAsUser"].as<int>() == 10001);  // the image's user (Dockerfile)
    bool mounted = false;
    for (const auto& v : pod["volumes"])
      mounted = mounted || (v["persistentVolumeClaim"] &&
                            v["persistentVolumeClaim"]["claimName"].as<std::string>() == claim);
    CHECK(mounted);
  }
  CHECK(only_container(shards)["image"].as<std::string>() ==
        only_container(merge)["image"].as<std::string>());

  const auto spec = shards["spec"];
  const auto env = container_env(only_container(shards));
  CHECK(spec["completionMode"].as<std::string>() == "Indexed");
  CHECK(spec["completions"].as<int>() == std::stoi(env.at("SHARDS")));
  CHECK(spec["parallelism"].as<int>() == std::stoi(env.at("SHARDS")));
  const auto shard_script = only_container(shards)["args"][0].as<std::string>();
  CHECK(shard_script.find("--shard \"$JOB_COMPLETION_INDEX/$SHARDS\"") != std::string::npos);
  // The suite it names is where the image installs the example suites.
  const std::string prefix = "/usr/local/share/tunebench/";
  REQUIRE(env.at("SUITE").starts_with(prefix));
  CHECK(std::filesystem::exists(kSource / env.at("SUITE").substr(prefix.size())));

  // The pods' scripts, run here: four shards, one of them retried after it finished, the merge.
  test::TempDir tmp;
  write_suite(tmp.path());
  const int count = std::stoi(env.at("SHARDS"));
  for (int i = 0; i < count; ++i) {
    const auto work = tmp / ("work-" + std::to_string(i));  // each pod's emptyDir
    std::filesystem::create_directories(work);
    std::filesystem::create_directories(tmp / "results");
    const auto r = shell(shard_script,
                         {{"JOB_COMPLETION_INDEX", std::to_string(i)},
                          {"SHARDS", env.at("SHARDS")},
                          {"SUITE", (tmp / "suite.yaml").string()},
                          {"RESULTS", (tmp / "results").string()},
                          {"WORK", work.string()}},
                         tmp.path());
    INFO(r.output);
    CHECK(r.exit_code == 0);
    CHECK(r.output.find("shard " + std::to_string(i) + "/" + env.at("SHARDS")) !=
          std::string::npos);
    CHECK(std::filesystem::exists(tmp / ("results/shard-" + std::to_string(i) + ".db")));
  }
  const auto fresh_pod = tmp / "work-retried";
  std::filesystem::create_directories(fresh_pod);
  const auto retried = shell(shard_script,
                             {{"JOB_COMPLETION_INDEX", "1"},
                              {"SHARDS", env.at("SHARDS")},
                              {"SUITE", (tmp / "suite.yaml").string()},
                              {"RESULTS", (tmp / "results").string()},
                              {"WORK", fresh_pod.string()}},
                             tmp.path());
  CHECK(retried.exit_code == 0);
  CHECK(std::regex_search(
      retried.output, std::regex("resuming run 1: ([0-9]+) of \\1 jobs already have a result")));

  const auto merged = shell(only_container(merge)["args"][0].as<std::string>(),
                            {{"RESULTS", (tmp / "results").string()}}, tmp.path());
  INFO(merged.output);
  CHECK(merged.exit_code == 0);
  CHECK(merged.output.find("merged 4 of 4 shards into run 1") != std::string::npos);
  CHECK(merged.output.find("gates passed") != std::string::npos);
  CHECK(test::count(tmp / "results/tunebench.db", "select count(*) from results") == 32);
  CHECK(std::filesystem::exists(tmp / "results/reports/junit.xml"));
  CHECK(std::filesystem::exists(tmp / "results/reports/run-1.html"));
}

TEST_CASE(
    "the GitHub Actions recipe: a matrix of shards, a merge job with the gate and the reports",
    "[e2e][deploy]") {
  const auto workflow =
      YAML::LoadFile((kSource / "deploy/github-actions/tunebench-shards.yml").string());
  const auto jobs = workflow["jobs"];
  const int count = workflow["env"]["SHARDS"].as<int>();
  const auto matrix = jobs["shard"]["strategy"]["matrix"]["shard"];
  REQUIRE(static_cast<int>(matrix.size()) == count);
  for (int i = 0; i < count; ++i) CHECK(matrix[i].as<int>() == i);
  CHECK_FALSE(jobs["shard"]["strategy"]["fail-fast"].as<bool>());
  CHECK(jobs["shard"]["needs"].as<std::string>() == "build");
  CHECK(jobs["merge"]["needs"].as<std::string>() == "shard");
  CHECK(jobs["merge"]["if"].as<std::string>() ==
        "always()");  // a missing shard fails the merge, loudly

  const auto step = [](const YAML::Node& job, const std::string& name) -> YAML::Node {
    for (const auto& s : job["steps"])
      if (s["name"] && s["name"].as<std::string>() == name) return s;
    FAIL("no step named " << name);
    return YAML::Node();
  };
  const auto uses = [](const YAML::Node& job, const std::string& action, const std::string& key,
                       const std::string& value) -> YAML::Node {
    for (const auto& s : job["steps"])
      if (s["uses"] && s["uses"].as<std::string>() == action && s["with"][key] &&
          s["with"][key].as<std::string>() == value)
        return s;
    FAIL("no " << action << " with " << key << ": " << value);
    return YAML::Node();
  };
  const auto run_shard = step(jobs["shard"], "Run the shard");
  CHECK(run_shard["env"]["TUNEBENCH_SHARD"].as<std::string>() ==
        "${{ matrix.shard }}/${{ env.SHARDS }}");
  const auto upload =
      uses(jobs["shard"], "actions/upload-artifact@v4", "name", "shard-${{ matrix.shard }}");
  CHECK(upload["if"].as<std::string>() ==
        "always()");  // an unfinished shard's database is kept too
  const auto download = uses(jobs["merge"], "actions/download-artifact@v4", "pattern", "shard-*");
  CHECK(download["with"]["merge-multiple"].as<bool>());
  const std::string shards_dir = download["with"]["path"].as<std::string>();
  const auto merge_step = step(jobs["merge"], "Merge the shards and judge the gates");
  const auto reports =
      uses(jobs["merge"], "actions/upload-artifact@v4", "name", "tunebench-reports");
  CHECK(reports["if"].as<std::string>() == "always()");
  const auto junit =
      uses(jobs["merge"], "mikepenz/action-junit-report@v4", "report_paths", "reports/junit.xml");
  CHECK(junit["if"].as<std::string>() == "always()");

  // The shard and merge steps run here as the runner would run them (bash), with the matrix
  // expressions filled in and the artifact moves done by hand.
  test::TempDir tmp;
  write_suite(tmp.path());
  // The suite it names is in the repository (the shard jobs check it out).
  CHECK(std::filesystem::exists(kSource / workflow["env"]["SUITE"].as<std::string>()));
  const auto expand = [&](std::string text, int shard) {
    for (const auto& [expression, value] :
         std::map<std::string, std::string>{{"${{ matrix.shard }}", std::to_string(shard)},
                                            {"${{ env.SHARDS }}", std::to_string(count)}})
      for (auto at = text.find(expression); at != std::string::npos; at = text.find(expression))
        text.replace(at, expression.size(), value);
    return text;
  };
  for (int i = 0; i < count; ++i) {
    const auto r = shell(
        expand(run_shard["run"].as<std::string>(), i),
        {{"SUITE", "suite.yaml"},
         {"TUNEBENCH_SHARD", expand(run_shard["env"]["TUNEBENCH_SHARD"].as<std::string>(), i)}},
        tmp.path(), "bash -e");
    INFO(r.output);
    CHECK(r.exit_code == 0);
    const auto db = expand(upload["with"]["path"].as<std::string>(), i);
    std::filesystem::create_directories(tmp / shards_dir);
    std::filesystem::rename(tmp / db, tmp / shards_dir / db);
  }
  const auto merged = shell(merge_step["run"].as<std::string>(), {}, tmp.path(), "bash -e");
  INFO(merged.output);
  CHECK(merged.exit_code == 0);
  CHECK(merged.output.find("merged 4 of 4 shards into run 1 of tunebench.db") != std::string::npos);
  const std::string reports_dir = reports["with"]["path"].as<std::string>();
  CHECK(std::filesystem::exists(tmp / reports_dir / "run-1.html"));
  CHECK(std::filesystem::exists(tmp / reports_dir / "run-1.csv"));
  CHECK(std::filesystem::exists(tmp / "reports/junit.xml"));

  // The job summary: on the first run there is no earlier run that passed its gates, so it shows
  // the merged run itself and says why (never an empty summary).
  const auto summary_step = step(jobs["merge"], "What changed since the last good run");
  const auto summary_file = tmp / "step-summary.md";
  const auto summarized = shell(summary_step["run"].as<std::string>(),
                                {{"GITHUB_STEP_SUMMARY", summary_file.string()}}, tmp.path(), "bash -e");
  INFO(summarized.output);
  CHECK(summarized.exit_code == 0);
  const std::string text = test::read_text(summary_file);
  INFO(text);
  CHECK(text.find("run 1 \u2014 ") != std::string::npos);
  CHECK(text.find("passed its gates") != std::string::npos);
}

TEST_CASE("the Slurm recipe: an array job whose tasks are the shards, merged afterwards",
          "[e2e][deploy]") {
  const auto script_path = kSource / "deploy/slurm/tunebench-array.sbatch";
  const std::string script = test::read_text(script_path);
  std::smatch m;
  REQUIRE(std::regex_search(script, m, std::regex("#SBATCH --array=0-([0-9]+)")));
  const int count = std::stoi(m[1]) + 1;
  REQUIRE(std::regex_search(script, m, std::regex("--wrap '([^']+)'")));
  const std::string merge = m[1];

  test::TempDir tmp;
  write_suite(tmp.path());
  for (int i = 0; i < count; ++i) {
    const auto r = shell(script,
                         {{"SLURM_ARRAY_TASK_ID", std::to_string(i)},
                          {"SLURM_ARRAY_TASK_COUNT", std::to_string(count)},
                          {"SUITE", "suite.yaml"}},
                         tmp.path());
    INFO(r.output);
    CHECK(r.exit_code == 0);
  }
  const auto merged = shell(merge, {}, tmp.path());
  INFO(merged.output);
  CHECK(merged.exit_code == 0);
  CHECK(merged.output.find("merged " + std::to_string(count) + " of " + std::to_string(count) +
                           " shards") != std::string::npos);
  CHECK(std::filesystem::exists(tmp / "junit.xml"));
}
