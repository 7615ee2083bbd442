// `tunebench ablate SUITE --variant V`: which sections of a variant's long system prompt can go
// without conformance falling significantly below the full prompt's? Each candidate prompt is
// a run of its own (the full prompt beside it as the baseline, answered from the response cache
// after the first), on a fixed sample of the suite's cases, through the ordinary runner: the
// same pacing, retries, cache and store as `tunebench run`.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <optional>
#include <random>

#include "analysis/ablation_search.hpp"
#include "analysis/prompt_sections.hpp"
#include "analysis/run_summary.hpp"
#include "app/commands.hpp"
#include "app/exit_codes.hpp"
#include "app/number_flags.hpp"
#include "common/text.hpp"
#include "report/ablation_text.hpp"
#include "run/case_sample.hpp"
#include "run/preflight.hpp"
#include "run/runner.hpp"
#include "store/store.hpp"
#include "suite/suite_loader.hpp"

namespace tb {
namespace {

struct AblateArgs {
  std::string suite;
  std::string variant;
  long long sample = 30;
  long long seed = 1;
  double alpha = 0.05;
  double max_drop = -1;  // points; < 0: only the test decides
  std::string out;       // default: ablated-VARIANT.txt in the current folder
  std::string db = "tunebench.db";
  bool quiet = false;
};

void print_errors(const Diagnostics& errors) {
  for (const auto& d : errors.items()) std::cerr << "error: " << d.to_string() << "\n";
}

// A folder of its own for the sample of cases, removed however the command ends.
class ScratchFolder {
 public:
  ScratchFolder() {
    std::random_device entropy;
    path_ = std::filesystem::temp_directory_path() /
            ("tunebench-ablate-" + std::to_string(::getpid()) + "-" + std::to_string(entropy()));
    std::filesystem::create_directories(path_);
  }
  ~ScratchFolder() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ScratchFolder(const ScratchFolder&) = delete;
  ScratchFolder& operator=(const ScratchFolder&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

std::optional<std::string> out_problem(const std::filesystem::path& out) {
  std::error_code ec;
  if (std::filesystem::is_directory(out, ec))
    return "--out " + out.string() + " is a folder; name the file, e.g. " +
           (out / "ablated.txt").string();
  const auto parent = out.parent_path();
  if (!parent.empty() && !std::filesystem::is_directory(parent, ec))
    return "--out " + out.string() + ": the folder " + parent.string() + " does not exist";
  return std::nullopt;
}

// The suite of one ablation step: the variant with the full prompt (the baseline) and, after
// step 0, beside it the candidate, on the sampled cases. Named apart from the suite, so that
// trends and gates that look for the suite's latest run never take an ablation step for one.
Suite step_suite(const Suite& suite, const Variant& variant, const std::filesystem::path& sample,
                 const std::string& sample_display, const AblationCandidate& c) {
  Suite s = suite;
  s.name = suite.name + "/ablate-" + variant.id;
  s.dataset_file = sample;
  s.dataset_display = sample_display;
  s.limit.reset();
  s.baseline = variant.id;
  s.variants = {variant};
  if (c.removed) {
    Variant candidate = variant;
    candidate.id = variant.id + "-step" + std::to_string(c.step);
    candidate.system = c.prompt;
    candidate.system_file.clear();
    s.variants.push_back(std::move(candidate));
  }
  s.decide = Decide{};
  s.decide.monthly_requests = suite.decide.monthly_requests;
  s.gates = Gates{};
  if (s.source.is_object()) {
    s.source.erase("decide");
    s.source.erase("gate");
    s.source["name"] = s.name;
    s.source["ablation"] = {{"variant", variant.id}, {"step", c.step}, {"dataset", sample_display}};
  }
  return s;
}

AblationMeasurement measurement_of(const RunSummary& summary, const std::string& id) {
  AblationMeasurement m;
  m.run_id = summary.run.id;
  if (const VariantSummary* v = summary.find(id)) {
    m.cases = v->cases;
    m.results = v->results;
    m.conformant = v->conformant;
    m.conformance = v->conformance;
    m.conformance_ci = v->conformance_ci;
    m.prompt_tokens_mean = v->prompt_tokens_mean;
    m.difference = v->conformance_difference;
    m.difference_ci = v->conformance_difference_ci;
    m.p_value = v->conformance_p_value;
  }
  return m;
}

// The first fine-tuned variant with a prompt: what ablation is weighed against.
std::optional<ShortPrompt> fine_tuned_prompt(const Suite& suite) {
  for (const auto& v : suite.variants) {
    if (v.kind != VariantKind::fine_tuned || !v.system) continue;
    ShortPrompt p{v.id, static_cast<long long>((v.system->size() + 3) / 4)};
    try {
      if (const auto counter = ChatTokenCounter::for_model(v.model))
        p.tokens =
            static_cast<long long>(counter->encoding().count(*v.system, SpecialTokens::as_text));
    } catch (const TokenizerError&) {
      // Without the vocabulary the estimate stands, as the ablated prompt's then does.
    }
    return p;
  }
  return std::nullopt;
}

int ablate(const AblateArgs& args) {
  Diagnostics errors;
  const auto suite = load_suite(args.suite, errors);
  if (!suite) {
    print_errors(errors);
    return kExitUsage;
  }
  const Variant* variant = suite->find_variant(args.variant);
  if (!variant) {
    std::vector<std::string_view> ids;
    for (const auto& v : suite->variants) ids.push_back(v.id);
    std::cerr << "error: --variant " << args.variant << ": " << suite->display_file
              << " has no such variant; expected " << join_choices(ids);
    if (const auto hint = did_you_mean(args.variant, ids))
      std::cerr << " (did you mean " << *hint << "?)";
    std::cerr << "\n";
    return kExitUsage;
  }
  if (!variant->system || trim(*variant->system).empty()) {
    std::cerr << "error: --variant " << variant->id
              << ": the variant has no system prompt to ablate in " << suite->display_file
              << " (give it one with system: FILE or system_text:)\n";
    return kExitUsage;
  }
  const std::filesystem::path out = args.out.empty() ? "ablated-" + variant->id + ".txt" : args.out;
  if (const auto problem = out_problem(out)) {
    std::cerr << "error: " << *problem << "\nnothing was sent\n";
    return kExitUsage;
  }

  // The variant alone through the preflight: its endpoint, key, price and the whole dataset are
  // checked before anything is sent, and its tokenizer counts the sections.
  Suite alone = *suite;
  alone.variants = {*variant};
  alone.baseline = variant->id;
  Preflight preflight;
  if (!run_preflight(alone, preflight, errors)) {
    print_errors(errors);
    std::cerr << "nothing was sent\n";
    return kExitUsage;
  }
  for (const auto& w : preflight.warnings) std::cerr << "warning: " << w << "\n";
  const auto& counter = preflight.variants.front().token_counter;
  const std::string counting =
      counter ? std::string(to_string(counter->encoding().name()))
              : "an estimate (characters / 4; " + preflight.tokenizer_note + ")";
  auto count = [&counter](std::string_view text) -> long long {
    if (!counter) return static_cast<long long>((text.size() + 3) / 4);
    return static_cast<long long>(counter->encoding().count(text, SpecialTokens::as_text));
  };

  std::vector<PromptSection> sections = split_prompt(*variant->system, count);
  if (sections.size() < 2) {
    std::cerr
        << "error: --variant " << variant->id << ": its system prompt is one section, so there is "
        << "nothing to remove (sections are paragraphs separated by blank lines, markdown headings "
           "and fenced blocks)\n";
    return kExitUsage;
  }

  ScratchFolder scratch;
  const auto sample_file = scratch.path() / "cases.jsonl";
  Diagnostic sample_error;
  const auto sample = write_case_sample(*suite, args.sample, static_cast<std::uint64_t>(args.seed),
                                        sample_file, sample_error);
  if (!sample) {
    std::cerr << "error: " << sample_error.to_string() << "\nnothing was sent\n";
    return kExitUsage;
  }
  if (sample->sampled == 0) {
    std::cerr << "error: " << suite->dataset_display << ": no cases to measure the prompts on\n";
    return kExitUsage;
  }
  const std::string sample_display =
      suite->dataset_display + " (sample: " + std::to_string(sample->sampled) + " of " +
      std::to_string(sample->cases) + " cases, seed " + std::to_string(args.seed) + ")";

  AblationSearch search(
      *variant->system, std::move(sections), args.alpha, count,
      args.max_drop >= 0 ? std::optional<double>(args.max_drop / 100) : std::nullopt);
  std::cout << "Prompt ablation of " << variant->id << " (" << variant->model << ") in "
            << suite->display_file << ": " << sample->sampled << " of " << sample->cases
            << " cases (seed " << args.seed << "), " << suite->run.repeats
            << (suite->run.repeats == 1 ? " repeat" : " repeats") << ", alpha "
            << fixed(args.alpha, 3)
            << (args.max_drop >= 0 ? ", max drop " + fixed(args.max_drop, 1) + " points"
                                   : std::string())
            << (preflight.simulated ? "; simulated by the built-in mock" : "") << "\n";
  if (sample->cases < args.sample)
    std::cout << "(the dataset has only " << sample->cases << " cases)\n";
  if (!args.quiet) {
    write_ablation_sections(search, counting, std::cout);
    std::cout << "\n";
  }

  RunnerOptions options;
  options.db_path = args.db;
  options.quiet = true;  // one line per step instead of a run's progress
  long long sent = 0, cached = 0;
  // On a terminal, which step is being measured (a step against a real API takes a while).
  const bool tty = !args.quiet && isatty(fileno(stderr)) != 0;
  while (const AblationCandidate* c = search.next()) {
    if (tty)
      std::cerr << "step " << c->step << "/" << (search.planned_steps() - 1) << ": measuring "
                << c->tokens << " tokens on " << sample->sampled << " cases..." << std::flush;
    const Suite step = step_suite(*suite, *variant, sample_file, sample_display, *c);
    Preflight step_preflight;
    Diagnostics step_errors;
    if (!run_preflight(step, step_preflight, step_errors)) {
      print_errors(step_errors);
      return kExitRuntime;
    }
    const RunOutcome outcome = execute_run(step, step_preflight, options);
    if (tty) std::cerr << "\r\033[K" << std::flush;
    sent += outcome.sent;
    cached += outcome.cached;
    if (outcome.status != "done") {
      std::cerr << "error: step " << c->step << " (run " << outcome.run_id << ") " << outcome.status
                << ": " << outcome.message << "\nthe ablation stopped; no prompt was written\n";
      return kExitRuntime;
    }
    Store store(args.db, false);
    const RunSummary summary = summarize_run(store, outcome.run_id);
    const std::string id = step.variants.back().id;
    AblationMeasurement m = measurement_of(summary, id);
    const VariantSummary* measured = summary.find(id);
    if (measured && measured->errors > 0)
      std::cerr << "warning: step " << c->step << ": " << measured->errors
                << " requests failed and count as not conformant (run " << outcome.run_id << ")\n";
    if (measured && measured->ok == 0) {
      std::cerr << "error: step " << c->step << " (run " << outcome.run_id
                << "): every request failed; the ablation stopped and no prompt was written\n";
      return kExitRuntime;
    }
    search.record(m);
    if (!args.quiet) write_ablation_step(search, search.candidates().back(), std::cout);
  }

  write_ablation_curve(search, std::cout);
  write_ablation_choice(search, args.alpha, fine_tuned_prompt(*suite), std::cout);
  {
    std::ofstream file(out, std::ios::binary | std::ios::trunc);
    file << search.chosen().prompt << "\n";
    file.flush();
    if (!file) {
      std::cerr << "error: cannot write " << out.string() << "\n";
      return kExitRuntime;
    }
  }
  std::cout << "written: " << out.string() << " (use it as the variant's system: file)\n";
  std::cout << "requests sent: " << sent
            << " (retries included); answered from the cache: " << cached
            << "; every step is a run in " << args.db << " (tunebench report ID)\n";
  return kExitOk;
}

}  // namespace

void add_ablate_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<AblateArgs>();
  auto* cmd = app.add_subcommand("ablate",
                                 "Find the shortest system prompt whose conformance is not "
                                 "significantly below the full one's");
  cmd->add_option("suite", args->suite, "Suite file (YAML or JSON)")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--variant", args->variant, "The variant whose system prompt is cut down")
      ->required();
  cmd->add_option("--sample", args->sample,
                  "Cases each candidate prompt is measured on (chosen at random)")
      ->check(CLI::Range(1LL, 100000000LL))
      ->capture_default_str();
  cmd->add_option("--seed", args->seed, "Seed of the sample: the same seed gives the same cases")
      ->capture_default_str();
  cmd->add_option(
         "--alpha", args->alpha,
         "A removal is undone when conformance falls significantly below the full prompt's at this "
         "level (two-sided exact paired test)")
      ->check(finite_number(0, 0.5, true))
      ->capture_default_str();
  cmd->add_option(
         "--max-drop", args->max_drop,
         "Also undo a removal that lowers conformance by more than this many points (0-100), "
         "significant or not")
      ->check(finite_number(0, 100));
  cmd->add_option("--out", args->out,
                  "Where the chosen prompt is written (default: ablated-VARIANT.txt)");
  cmd->add_option("--db", args->db, "SQLite database to store each step's run in")
      ->capture_default_str();
  cmd->add_flag("--quiet,-q", args->quiet, "Print only the curve and the choice");
  cmd->footer(
      "Splits the prompt into sections (paragraphs, markdown headings, fenced blocks), measures "
      "the\n"
      "full prompt on the sample, then tries removing each section, largest first, keeping a "
      "removal\n"
      "when conformance is not significantly below the full prompt's. Every step is a stored run.\n"
      "Example:\n"
      "  tunebench ablate suites/demo.yaml --variant prompted --sample 30");
  cmd->callback([args, &exit_code] { exit_code = ablate(*args); });
}

}  // namespace tb
