#include "analysis/run_reference.hpp"

#include "store/store.hpp"

namespace tb {

std::string describe_run(const RunSide& side) {
  const std::string id = std::to_string(side.run_id);
  std::string out = "run " + id;
  const auto colon = side.label.rfind(':');
  if (colon != std::string::npos) out += " of " + side.label.substr(0, colon);
  const std::string run = colon == std::string::npos ? side.label : side.label.substr(colon + 1);
  if (!run.empty() && run != id) out += " (" + run + ")";
  return out;
}

RunResolver::RunResolver(Store& home) : home_(home) {}
RunResolver::~RunResolver() = default;

Store& RunResolver::store_for(const std::filesystem::path& file) {
  std::error_code ec;
  if (std::filesystem::equivalent(file, home_.path(), ec)) return home_;
  for (auto& s : others_)
    if (std::filesystem::equivalent(file, s->path(), ec)) return *s;
  others_.push_back(std::make_unique<Store>(file, false));
  return *others_.back();
}

std::optional<RunSide> RunResolver::resolve(const std::string& reference, const std::string& suite_name,
                                            std::optional<long long> before) {
  // FILE.db:RUN splits at the last colon; a bare run has none (paths with colons need ./).
  Store* store = &home_;
  std::string run = reference;
  if (const auto colon = reference.rfind(':'); colon != std::string::npos) {
    store = &store_for(reference.substr(0, colon));
    run = reference.substr(colon + 1);
  }
  RunSide side;
  side.store = store;
  side.label = reference;
  if (run == "latest") {
    const auto id = store->latest_run_id();
    if (!id) throw StoreError(store->path().string() + " holds no runs");
    side.run_id = *id;
  } else if (run == "latest-passing") {
    const auto id = store->latest_passing_run(suite_name, before);
    if (!id) return std::nullopt;
    side.run_id = *id;
  } else {
    std::size_t used = 0;
    long long id = 0;
    try {
      id = std::stoll(run, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != run.size() || id <= 0)
      throw StoreError("expected a run id, latest, latest-passing or FILE.db:RUN; got \"" + reference + "\"");
    if (!store->run(id)) throw StoreError("no run " + run + " in " + store->path().string());
    side.run_id = id;
  }
  return side;
}

}  // namespace tb
