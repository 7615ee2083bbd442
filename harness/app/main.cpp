#include <CLI/CLI.hpp>

#include <malloc.h>
#include <sys/resource.h>

#include <iostream>

#include "app/commands.hpp"
#include "app/exit_codes.hpp"
#include "app/version.hpp"
#include "store/store_error.hpp"

// Thousands of requests in flight need as many sockets; the default soft limit (1024) is an
// accident of history, the hard limit is what the administrator allows.
static void raise_open_file_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

// Response bodies grow to megabytes and are freed when their result is stored. glibc raises its
// mmap threshold to the size of the largest block freed, after which such bodies come from the
// heap and their pages stay resident after free: peak memory then follows the history of the
// run rather than what is in flight. A fixed threshold keeps large blocks mapped (and grown in
// place by mremap), so freeing them gives the memory back.
static void keep_large_blocks_mapped() {
  mallopt(M_MMAP_THRESHOLD, 256 * 1024);
}

int main(int argc, char** argv) {
  raise_open_file_limit();
  keep_large_blocks_mapped();
  CLI::App app{
      "tunebench: does a fine-tuned model with a short prompt beat the base model with a long\n"
      "prompt (or RAG) on format conformance, prompt length, latency and cost?\n"};
  app.name("tunebench");
  app.set_version_flag("--version", tb::version_text());
  app.require_subcommand(1);
  app.footer(
      "Exit codes: 0 ok; 1 a gate failed (or --fail-on-checks, --fail-on-regression); 2 usage or input\n"
      "error; 3 runtime failure.\n"
      "Run `tunebench COMMAND --help` for a command's options.");
  int exit_code = tb::kExitOk;
  tb::add_run_command(app, exit_code);
  tb::add_report_command(app, exit_code);
  tb::add_runs_command(app, exit_code);
  tb::add_mock_command(app, exit_code);
  tb::add_tokens_command(app, exit_code);
  tb::add_prompts_command(app, exit_code);
  tb::add_dataset_command(app, exit_code);
  tb::add_schema_command(app, exit_code);
  tb::add_compare_command(app, exit_code);
  tb::add_ablate_command(app, exit_code);
  tb::add_gate_command(app, exit_code);
  tb::add_trend_command(app, exit_code);
  tb::add_index_command(app, exit_code);
  tb::add_models_command(app, exit_code);
  tb::add_merge_command(app, exit_code);
  tb::add_doctor_command(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return tb::kExitUsage;
  } catch (const tb::RunRefused& e) {  // nothing was sent
    std::cerr << "error: " << e.what() << "\n";
    return tb::kExitUsage;
  } catch (const tb::StoreError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return tb::kExitRuntime;
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return tb::kExitRuntime;
  }
  return exit_code;
}
