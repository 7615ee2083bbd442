// `tunebench models`: the price catalog with each model's lifecycle, so a team sees which of
// its models (and fine-tunes) are about to stop answering and what replaces them.
#include <iomanip>
#include <iostream>

#include <nlohmann/json.hpp>

#include "analysis/price_catalog.hpp"
#include "app/commands.hpp"
#include "app/exit_codes.hpp"
#include "common/text.hpp"

namespace tb {
namespace {

struct ModelsArgs {
  std::string catalog;
  bool json = false;
};

// $0.125, $0.60, $30.00: as many decimals as the price has, at least two.
std::string usd(double v) {
  std::string text = fixed(v, 4);
  while (text.back() == '0' && text.size() - text.find('.') > 3) text.pop_back();
  return "$" + text;
}

int models(const ModelsArgs& args) {
  Diagnostics errors;
  const auto path =
      args.catalog.empty() ? PriceCatalog::default_path() : std::filesystem::path(args.catalog);
  const auto catalog = PriceCatalog::load(path, errors);
  if (!catalog) {
    for (const auto& d : errors.items()) std::cerr << "error: " << d.to_string() << "\n";
    return kExitUsage;
  }
  const std::string today = today_utc();
  if (args.json) {
    nlohmann::json out = {{"catalog", path.string()},
                          {"updated", catalog->updated()},
                          {"today", today},
                          {"models", nlohmann::json::array()}};
    for (const auto& m : catalog->listings()) {
      nlohmann::json item = {{"model", m.model},
                             {"input", m.price.input},
                             {"cached_input", m.price.cached_input},
                             {"output", m.price.output}};
      if (m.fine_tuned)
        item["fine_tuned"] = {{"input", m.fine_tuned->input},
                              {"output", m.fine_tuned->output},
                              {"training", m.fine_tuned->training.value_or(0)}};
      if (m.lifecycle) {
        const auto status = lifecycle_status(*m.lifecycle, today, false);
        item["status"] = status.kind == LifecycleStatus::Kind::shut_down       ? "shut down"
                         : status.kind == LifecycleStatus::Kind::shutting_down ? "shutting down"
                                                                               : "active";
        if (m.lifecycle->shutdown) item["shutdown"] = *m.lifecycle->shutdown;
        if (m.lifecycle->fine_tuning_ends)
          item["fine_tuning_ends"] = *m.lifecycle->fine_tuning_ends;
        if (m.lifecycle->replacement) item["replacement"] = *m.lifecycle->replacement;
      } else {
        item["status"] = "active";
      }
      out["models"].push_back(std::move(item));
    }
    std::cout << out.dump(2) << "\n";
    return kExitOk;
  }
  std::cout << "prices per 1M tokens from " << path.string() << " (" << catalog->updated()
            << "); today " << today << "\n";
  std::cout << std::left << std::setw(24) << "model" << std::right << std::setw(9) << "input"
            << std::setw(9) << "cached" << std::setw(9) << "output" << std::setw(11) << "ft input"
            << std::setw(11) << "ft output" << std::setw(10) << "training"
            << "  lifecycle\n";
  for (const auto& m : catalog->listings()) {
    std::cout << std::left << std::setw(24) << m.model << std::right << std::setw(9)
              << usd(m.price.input) << std::setw(9) << usd(m.price.cached_input) << std::setw(9)
              << usd(m.price.output);
    if (m.fine_tuned)
      std::cout << std::setw(11) << usd(m.fine_tuned->input) << std::setw(11)
                << usd(m.fine_tuned->output) << std::setw(10)
                << (m.fine_tuned->training ? usd(*m.fine_tuned->training) : "-");
    else
      std::cout << std::setw(11) << "-" << std::setw(11) << "-" << std::setw(10) << "-";
    std::cout << "  " << (m.lifecycle ? lifecycle_status(*m.lifecycle, today, false).text : "")
              << "\n";
  }
  return kExitOk;
}

}  // namespace

void add_models_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<ModelsArgs>();
  auto* cmd = app.add_subcommand(
      "models", "List the price catalog: prices, fine-tuning prices, shutdown dates");
  cmd->add_option("--catalog", args->catalog, "Another price catalog (default: the one shipped)");
  cmd->add_flag("--json", args->json, "JSON instead of a table");
  cmd->footer(
      "A run on a model within 60 days of its shutdown, or past it, warns before sending.\n"
      "TUNEBENCH_TODAY=2027-01-15 shows how the catalog (and a run) fares on another day.");
  cmd->callback([args, &exit_code] { exit_code = models(*args); });
}

}  // namespace tb
