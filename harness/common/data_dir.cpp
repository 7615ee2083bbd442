#include "common/data_dir.hpp"

#include <cstdlib>
#include <system_error>

namespace tb {

std::filesystem::path executable_dir() {
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::filesystem::path() : exe.parent_path();
}

std::vector<std::filesystem::path> data_dir_candidates() {
  std::vector<std::filesystem::path> dirs;
  if (const auto exe = executable_dir(); !exe.empty()) {
    dirs.push_back((exe / TUNEBENCH_RELATIVE_DATA_DIR).lexically_normal());
    dirs.push_back(exe / "share" / "tunebench");
  }
  if (const char* env = std::getenv("TUNEBENCH_DATA_DIR"); env != nullptr && *env != '\0')
    dirs.emplace_back(env);
  return dirs;
}

std::optional<std::filesystem::path> find_data_file(const std::filesystem::path& relative) {
  for (const auto& dir : data_dir_candidates()) {
    std::error_code ec;
    if (std::filesystem::is_regular_file(dir / relative, ec)) return dir / relative;
  }
  return std::nullopt;
}

}  // namespace tb
