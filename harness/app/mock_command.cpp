#include <csignal>
#include <iostream>

#include "app/commands.hpp"
#include "app/exit_codes.hpp"
#include "app/number_flags.hpp"
#include "common/files.hpp"
#include "mock/mock_server.hpp"
#include "suite/source_document.hpp"

namespace tb {
namespace {

struct MockArgs {
  std::string host = "127.0.0.1";
  int port = 8080;
  std::string dataset;
  std::string config;
  long long seed = -1;
  double latency_ms = -1;
};

int serve(const MockArgs& args) {
  MockConfig config = default_mock_config();
  if (!args.config.empty()) {
    std::string why;
    const auto text = read_file(args.config, &why);
    Diagnostics errors;
    SourceDocument doc;
    if (!text) {
      std::cerr << "error: cannot read " << args.config << ": " << why << "\n";
      return kExitUsage;
    }
    if (!SourceDocument::parse(args.config, args.config, *text, doc, errors) ||
        !parse_mock_config(doc.root(), args.config, config, errors)) {
      for (const auto& d : errors.items()) std::cerr << "error: " << d.to_string() << "\n";
      return kExitUsage;
    }
  }
  if (args.seed >= 0) config.seed = static_cast<std::uint64_t>(args.seed);
  if (args.latency_ms >= 0) {
    config.latency.distribution = "fixed";
    config.latency.median_ms = args.latency_ms;
    config.latency.per_prompt_token_ms = 0;
    config.latency.per_output_token_ms = 0;
  }
  MockModel model(config);
  std::string error;
  if (!model.load_dataset(args.dataset, error)) {
    std::cerr << "error: " << error << "\n";
    return kExitUsage;
  }
  // Block the signals before the server thread starts so that only sigwait below sees them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  const std::size_t cases = model.cases();
  MockServer server(std::move(model));
  if (!server.start(args.host, static_cast<std::uint16_t>(args.port), error)) {
    std::cerr << "error: " << error << "\n";
    return kExitRuntime;
  }
  std::cout << "tunebench mock: " << cases << " reference answers from " << args.dataset
            << "; listening on http://" << args.host << ":" << server.port() << "/v1 (Ctrl-C stops)"
            << std::endl;
  int received = 0;
  sigwait(&signals, &received);
  server.stop();
  const auto c = server.counters();
  std::cout << "tunebench mock: stopped after " << c.requests << " requests (" << c.chat_completions
            << " chat completions, " << c.embeddings << " embeddings, " << c.errors_sent << " errors sent, " << c.limit_violations
            << " rate-limit violations)\n";
  return kExitOk;
}

}  // namespace

void add_mock_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<MockArgs>();
  auto* cmd = app.add_subcommand("mock", "Serve the built-in OpenAI-compatible mock (simulated answers)");
  cmd->add_option("--dataset", args->dataset, "JSONL dataset whose reference answers the mock returns")
      ->required()->check(CLI::ExistingFile);
  cmd->add_option("--port,-p", args->port, "Port (0 picks a free one)")->capture_default_str()->check(CLI::Range(0, 65535));
  cmd->add_option("--host", args->host, "Address to listen on (keep it on loopback)")->capture_default_str();
  cmd->add_option("--config", args->config, "Mock settings (YAML/JSON): seed, latency, profiles, models");
  cmd->add_option("--seed", args->seed, "Seed of the simulation (default 42)")->check(CLI::NonNegativeNumber);
  cmd->add_option("--latency-ms", args->latency_ms, "Fixed latency per request in ms (overrides --config)")
      ->check(finite_number(0, 600000));
  cmd->footer("Example: tunebench mock --dataset datasets/tech_terms_eval.jsonl --port 8080\n"
              "then point an endpoint at base_url: http://127.0.0.1:8080/v1");
  cmd->callback([args, &exit_code] { exit_code = serve(*args); });
}

}  // namespace tb
