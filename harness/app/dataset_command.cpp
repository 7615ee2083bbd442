#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "analysis/price_catalog.hpp"
#include "app/commands.hpp"
#include "app/exit_codes.hpp"
#include "app/number_flags.hpp"
#include "common/files.hpp"
#include "common/json_depth.hpp"
#include "common/text.hpp"
#include "suite/dataset_check.hpp"
#include "suite/dataset_split.hpp"
#include "token/chat_token_counter.hpp"

namespace tb {
namespace {

struct CheckArgs {
  std::string file;
  std::string model;
  bool json = false;
  int epochs = 0;  // 0: the API's default
  std::string vocab_dir;
};

struct SplitArgs {
  std::string file;
  double holdout = 0.2;
  std::uint64_t seed = 0;
  std::string by;
  std::string out_dir;
};

std::string kinds(const std::map<std::string, long long>& counts) {
  std::string out;
  for (const auto& [kind, n] : counts) out += (out.empty() ? "" : ", ") + kind + " " + with_thousands(n);
  return out;
}

std::string stats_line(const TokenStats& s) {
  return "min " + with_thousands(s.min) + ", mean " + fixed(s.mean, 1) + ", median " + fixed(s.median, 1) +
         ", p95 " + fixed(s.p95, 1) + ", max " + with_thousands(s.max);
}

void print_check(const DatasetCheckReport& r, const std::string& encoding, const std::string& catalog_note) {
  const auto& s = r.settings;
  std::cout << s.display_name << ": " << with_thousands(r.examples) << " example" << (r.examples == 1 ? "" : "s")
            << " for " << s.model << " (" << encoding << ")\n";
  std::map<std::string, long long> listed;
  for (const auto& p : r.problems) {
    ++listed[p.kind];
    std::cout << s.display_name << (p.line > 0 ? ":" + std::to_string(p.line) : std::string()) << ": "
              << to_string(p.severity) << ": " << (p.field.empty() ? "" : p.field + ": ") << p.message << "\n";
  }
  for (const auto* counts : {&r.error_counts, &r.warning_counts})
    for (const auto& [kind, n] : *counts)
      if (listed[kind] < n)
        std::cout << "(" << with_thousands(listed[kind]) << " of " << with_thousands(n) << " " << kind
                  << " problems listed)\n";
  std::cout << "errors: " << with_thousands(r.errors) << (r.errors > 0 ? " (" + kinds(r.error_counts) + ")" : "")
            << "\n";
  std::cout << "warnings: " << with_thousands(r.warnings)
            << (r.warnings > 0 ? " (" + kinds(r.warning_counts) + ")" : "") << "\n";
  if (r.counted_examples > 0) {
    std::cout << "tokens per example: " << stats_line(r.tokens) << "\n";
    std::cout << "assistant tokens per example: " << stats_line(r.assistant_tokens) << "\n";
  }
  std::cout << "limit: " << with_thousands(s.token_limit) << " tokens per example; "
            << (r.over_limit_count == 0 ? std::string("none over")
                                        : with_thousands(r.over_limit_count) + " over (truncated when training)")
            << "\n";
  if (r.counted_examples < r.examples)
    std::cout << "(" << with_thousands(r.examples - r.counted_examples)
              << " examples could not be counted: the figures below leave them out)\n";
  std::cout << "epochs: " << r.epochs
            << (r.default_epochs ? " (the API's default for " + with_thousands(r.examples) + " examples; --epochs sets it)"
                                 : std::string(" (--epochs)"))
            << "\n";
  std::cout << "billed training tokens: " << r.epochs << " x " << with_thousands(r.tokens_per_epoch) << " = "
            << with_thousands(r.billed_tokens) << "\n";
  if (r.estimated_cost_usd)
    std::cout << "estimated training cost: $" << fixed(*r.estimated_cost_usd, 4) << " (" << catalog_note << ")\n";
  if (r.ok())
    std::cout << "OK: no errors" << (r.warnings > 0 ? "; read the warnings above" : "") << "\n";
  else
    std::cout << "FAILED: " << with_thousands(r.errors) << " error" << (r.errors == 1 ? "" : "s")
              << "; the fine-tuning API would reject this file\n";
}

// The catalog's models with a training price and a per-example limit, for the error message.
std::string trainable_models(const std::filesystem::path& catalog_path) {
  const auto text = read_file(catalog_path);
  if (!text) return "";
  const auto j = parse_json_bounded(*text);
  if (j.is_discarded() || !j.is_object() || !j.contains("models") || !j["models"].is_object()) return "";
  std::string out;
  for (const auto& [model, entry] : j["models"].items()) {
    if (!entry.is_object() || !entry.contains("training_example_limit") || !entry.contains("fine_tuned")) continue;
    if (!entry["fine_tuned"].is_object() || !entry["fine_tuned"].contains("training")) continue;
    out += (out.empty() ? "" : ", ") + model;
  }
  return out;
}

int check(const CheckArgs& args) {
  const auto catalog_path = PriceCatalog::default_path();
  Diagnostics errors;
  const auto catalog = PriceCatalog::load(catalog_path, errors);
  if (!catalog) {
    for (const auto& d : errors.items()) std::cerr << "error: " << d.to_string() << "\n";
    return kExitUsage;
  }
  const auto encoding = encoding_for_model(args.model);
  std::optional<ChatTokenCounter> counter;
  try {
    if (encoding) counter = ChatTokenCounter::for_model(args.model, args.vocab_dir);
  } catch (const TokenizerError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return kExitUsage;
  }
  const auto limit = catalog->training_example_limit(args.model);
  // A base model's training price sits with its fine-tuned prices ("ft:BASE:" finds them).
  const auto ft_price = catalog->find(args.model.starts_with("ft:") ? args.model : "ft:" + args.model + ":");
  if (!counter || !limit || !ft_price || !ft_price->training) {
    std::cerr << "error: --model: " << dquote(args.model) << " is not a model tunebench can check a fine-tuning file for";
    if (!counter) std::cerr << " (no tokenizer is known for it)";
    else if (!limit) std::cerr << " (" << catalog_path.string() << " has no training_example_limit for it)";
    else std::cerr << " (" << catalog_path.string() << " has no fine_tuned.training price for it)";
    const std::string trainable = trainable_models(catalog_path);
    if (!trainable.empty())
      std::cerr << "; models the catalog can cost training for: " << trainable << " (and their dated snapshots)";
    std::cerr << "\n";
    return kExitUsage;
  }

  DatasetCheckSettings settings;
  settings.display_name = args.file;
  settings.model = args.model;
  settings.token_limit = *limit;
  settings.training_price = ft_price->training;
  if (args.epochs > 0) settings.epochs = args.epochs;
  std::string error;
  const auto report = check_dataset_file(args.file, settings, *counter, error);
  if (!report) {
    std::cerr << "error: " << error << "\n";
    return kExitUsage;
  }
  const std::string enc(to_string(counter->encoding().name()));
  const std::string catalog_note = "$" + fixed(*ft_price->training, 2) + " per 1M training tokens for " + args.model +
                                   ", " + catalog_path.filename().string() + " " + catalog->updated();
  if (args.json) {
    auto j = to_json(*report);
    j["encoding"] = enc;
    j["price_catalog"] = catalog_path.filename().string() + " " + catalog->updated();
    std::cout << j.dump(2) << "\n";
  } else {
    print_check(*report, enc, catalog_note);
  }
  return report->ok() ? kExitOk : kExitChecksFailed;
}

void print_leaks(const char* label, const std::vector<LeakPair>& pairs, long long count, const SplitArgs& args,
                 const SplitResult& r) {
  for (const auto& p : pairs)
    std::cout << "  " << label << ": " << args.file << ":" << p.eval.source_line << " (" << r.eval_file.filename().string()
              << ":" << p.eval.out_line << ") repeats " << args.file << ":" << p.train.source_line << " ("
              << r.train_file.filename().string() << ":" << p.train.out_line << ")\n";
  if (count > static_cast<long long>(pairs.size()))
    std::cout << "  (" << pairs.size() << " of " << with_thousands(count) << " " << label << " leaks listed)\n";
}

int split(const SplitArgs& args) {
  SplitOptions options;
  options.holdout = args.holdout;
  options.seed = args.seed;
  options.by = args.by;
  options.out_dir = args.out_dir;
  options.display_name = args.file;
  std::string error;
  const auto r = split_dataset(args.file, options, error);
  if (!r) {
    std::cerr << "error: " << error << "\n";
    return kExitUsage;
  }
  std::cout << args.file << ": " << with_thousands(r->lines) << " cases -> " << with_thousands(r->train_lines)
            << " train, " << with_thousands(r->eval_lines) << " eval (holdout " << fixed(args.holdout, 2)
            << ", seed " << args.seed << ")\n";
  if (!args.by.empty()) {
    std::cout << "grouped by " << dquote(args.by) << ": " << with_thousands(r->groups) << " groups ("
              << with_thousands(r->train_groups) << " train, " << with_thousands(r->eval_groups) << " eval)";
    if (r->ungrouped_lines > 0)
      std::cout << "; " << with_thousands(r->ungrouped_lines) << " lines have no " << dquote(args.by)
                << " and are split one by one";
    std::cout << "\n";
  }
  if (r->blank_lines > 0) std::cout << "skipped " << r->blank_lines << " blank lines\n";
  std::cout << "wrote " << r->train_file.string() << " (" << with_thousands(r->train_lines) << " lines)\n";
  std::cout << "wrote " << r->eval_file.string() << " (" << with_thousands(r->eval_lines) << " lines)\n";
  const auto& leaks = r->leaks;
  std::cout << "leak check: " << with_thousands(leaks.exact) << " exact, " << with_thousands(leaks.near)
            << " near-duplicate (eval cases whose input messages are also in train)\n";
  print_leaks("exact", leaks.exact_listed, leaks.exact, args, *r);
  print_leaks("near", leaks.near_listed, leaks.near, args, *r);
  if (leaks.unparsed > 0)
    std::cout << "(" << with_thousands(leaks.unparsed)
              << " lines are not JSON objects with messages and were not compared; run `tunebench dataset check`)\n";
  if (leaks.exact + leaks.near > 0) {
    std::cout << "LEAK: the eval file shares inputs with the train file; remove them from one side"
              << (args.by.empty() ? " (or split with --by KEY to keep related cases together)" : "") << "\n";
    return kExitChecksFailed;
  }
  return kExitOk;
}

}  // namespace

void add_dataset_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("dataset", "Check, cost and split an OpenAI chat fine-tuning file (JSONL)");
  cmd->require_subcommand(1);

  auto check_args = std::make_shared<CheckArgs>();
  auto* c = cmd->add_subcommand("check", "Check a fine-tuning file as OpenAI's cookbook does, count its tokens and cost it");
  c->add_option("file", check_args->file, "Training file (OpenAI chat JSONL)")->required();
  c->add_option("--model", check_args->model, "Model to fine-tune: gpt-4o-mini, gpt-4o, gpt-3.5-turbo, ...")->required();
  c->add_flag("--json", check_args->json, "Print the report as JSON");
  c->add_option("--epochs", check_args->epochs, "Epochs to cost (default: the API's default for the file's size)")
      ->check(CLI::Range(1, 50));
  c->add_option("--vocab-dir", check_args->vocab_dir, "Folder holding the tokenizer's rank files");
  c->footer(
      "Errors (each with FILE:LINE): invalid JSON, data_type, missing_messages_list, message_missing_key,\n"
      "message_unrecognized_key (allowed: role, content, name, function_call, tool_calls, weight, and\n"
      "tool_call_id), unrecognized_role (system, user, assistant, tool, function), missing_content (an\n"
      "assistant message with tool_calls or function_call may omit it), invalid_value, invalid_weight,\n"
      "example_missing_assistant_message, fewer than 10 examples. Warnings: no system or user message,\n"
      "fewer than 50 examples, blank lines, weight on a non-assistant message, examples over the model's\n"
      "per-example token limit.\n"
      "Tokens per example count every message as the API bills a chat; billed training tokens =\n"
      "epochs x sum of min(limit, tokens); the cost uses the catalog's training price.\n"
      "Exit 0: no errors (warnings allowed); 1: the file has errors; 2: missing file, unknown model or price.\n"
      "Example: tunebench dataset check datasets/tech_terms_train.jsonl --model gpt-4o-mini");
  c->callback([check_args, &exit_code] { exit_code = check(*check_args); });

  auto split_args = std::make_shared<SplitArgs>();
  auto* s = cmd->add_subcommand("split", "Split a dataset into train and eval files and check them for leaks");
  s->add_option("file", split_args->file, "Dataset (OpenAI chat JSONL)")->required();
  s->add_option("--holdout", split_args->holdout, "Share of cases for the eval file")
      ->check(finite_number(0, 1))->capture_default_str();
  s->add_option("--seed", split_args->seed, "Seed: the same seed gives the same split")->capture_default_str();
  s->add_option("--by", split_args->by,
                "Group key: lines with the same value land on the same side. The value is the line's\n"
                "top-level KEY field, else VALUE from a \"KEY:VALUE\" or \"KEY=VALUE\" tag; lines with neither\n"
                "are split one by one");
  s->add_option("--out-dir", split_args->out_dir, "Folder for the two files (default: the input's folder)");
  s->footer(
      "Writes FILE-STEM.train.jsonl and FILE-STEM.eval.jsonl: lines copied byte for byte, blank lines dropped,\n"
      "chosen deterministically from --seed (holdout x cases go to eval, as near as groups allow).\n"
      "Then a leak check: eval cases whose input (the messages without the final assistant answer) equals a\n"
      "train case's, exactly or after collapsing whitespace and lowercasing ASCII letters.\n"
      "Exit 0: written, no leaks; 1: written, but leaks found; 2: unreadable file, too few lines or groups.\n"
      "Example: tunebench dataset split datasets/tech_terms_train.jsonl --holdout 0.2 --seed 7 --out-dir /tmp/split");
  s->callback([split_args, &exit_code] { exit_code = split(*split_args); });
}

}  // namespace tb
