#pragma once
// Names of runs as users write them: `7`, `latest`, `latest-passing` (the newest run of the same
// suite whose gates passed) and `other.db:12` (a run in another store file).
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "analysis/run_compare.hpp"

namespace tb {

class Store;

// "run 12", "run 12 (latest-passing)", "run 12 of prod.db": how messages name a resolved run.
std::string describe_run(const RunSide& side);

class RunResolver {
 public:
  explicit RunResolver(Store& home);
  ~RunResolver();
  RunResolver(const RunResolver&) = delete;
  RunResolver& operator=(const RunResolver&) = delete;

  // `latest-passing` looks for runs of `suite_name` older than `before` (when given). Throws
  // StoreError naming what was not found; nullopt only for `latest-passing` with no such run.
  std::optional<RunSide> resolve(const std::string& reference, const std::string& suite_name = "",
                                 std::optional<long long> before = std::nullopt);

 private:
  Store& store_for(const std::filesystem::path& file);
  Store& home_;
  std::vector<std::unique_ptr<Store>> others_;
};

}  // namespace tb
