#include "run/training_file.hpp"

#include "analysis/price_catalog.hpp"
#include "common/text.hpp"
#include "suite/dataset_check.hpp"

namespace tb {

std::optional<Training> resolve_training(const Suite& suite, const Variant& variant,
                                         const ChatTokenCounter* counter,
                                         const PriceCatalog* catalog, Diagnostics& errors) {
  if (!variant.training) return std::nullopt;
  Training out = *variant.training;
  const std::string field = "variants." + variant.id + ".training.file";
  if (out.file.empty()) {
    if (out.epochs == 0) out.epochs = kDefaultEpochsWithoutFile;
    return out;
  }
  if (!counter) {
    errors.add({suite.display_file, 0, field,
                "no tokenizer is known for model " + dquote(variant.model) +
                    " to count the training file with; give training: {tokens: N} instead"});
    return out;
  }
  DatasetCheckSettings settings;
  settings.display_name = out.file_display;
  settings.model = variant.model;
  // Examples over the model's limit are truncated when training (none for unknown models).
  if (catalog) settings.token_limit = catalog->training_example_limit(variant.model).value_or(0);
  if (out.epochs > 0) settings.epochs = out.epochs;
  std::string error;
  const auto report = check_dataset_file(out.file, settings, *counter, error);
  if (!report) {
    errors.add({suite.display_file, 0, field, error});
    return out;
  }
  if (!report->ok() || report->counted_examples == 0) {
    errors.add({suite.display_file, 0, field,
                out.file_display + " has " + with_thousands(report->errors) +
                    " problem(s) that would stop training (run `tunebench dataset check " +
                    out.file_display + " --model " + variant.model + "` to list them)"});
    return out;
  }
  out.tokens = report->tokens_per_epoch;
  out.epochs = report->epochs;
  return out;
}

}  // namespace tb
