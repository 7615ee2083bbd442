#pragma once
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "analysis/model_lifecycle.hpp"
#include "analysis/model_price.hpp"
#include "common/diagnostic.hpp"

namespace tb {

// The dated catalog of list prices (datasets/prices.json). Looks models up the way providers
// name them: dated snapshots fall back to their family ("gpt-4o-mini-2024-07-18" -> "gpt-4o-mini"),
// and "ft:BASE:org::id" takes the fine-tuned prices of BASE.
class PriceCatalog {
 public:
  static std::optional<PriceCatalog> load(const std::filesystem::path& file, Diagnostics& errors);
  // $TUNEBENCH_PRICES, else the catalog shipped with tunebench: datasets/prices.json in its data
  // folder (common/data_dir.hpp).
  static std::filesystem::path default_path();

  std::optional<ModelPrice> find(const std::string& model) const;
  std::optional<long long> training_example_limit(const std::string& model) const;
  // The provider's shutdown plan for the model (a fine-tune's is its base model's).
  std::optional<ModelLifecycle> lifecycle(const std::string& model) const;

  // Every model of the catalog, by name, for `tunebench models`.
  struct Listing {
    std::string model;
    ModelPrice price;
    std::optional<ModelPrice> fine_tuned;
    std::optional<ModelLifecycle> lifecycle;
  };
  std::vector<Listing> listings() const;
  const std::string& updated() const { return updated_; }
  const std::filesystem::path& file() const { return file_; }

 private:
  struct Entry {
    ModelPrice base;
    std::optional<ModelPrice> fine_tuned;
    std::optional<long long> training_example_limit;
    std::optional<ModelLifecycle> lifecycle;
  };
  const Entry* entry_for(const std::string& model, bool& fine_tuned) const;

  std::filesystem::path file_;
  std::string updated_;
  std::map<std::string, Entry> models_;
};

}  // namespace tb
