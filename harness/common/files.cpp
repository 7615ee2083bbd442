#include "common/files.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace tb {

std::optional<std::string> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return std::move(buffer).str();
}

bool write_file_atomic(const std::filesystem::path& path, std::string_view content,
                       std::string* error) {
  std::error_code ec;
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
  const auto tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) {
      if (error) *error = "cannot write " + tmp + ": " + std::strerror(errno);
      return false;
    }
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    if (!out) {
      if (error) *error = "cannot write " + tmp + ": " + std::strerror(errno);
      return false;
    }
  }
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    if (error) *error = "cannot rename " + tmp + " to " + path.string() + ": " + ec.message();
    return false;
  }
  return true;
}

std::filesystem::path resolve_relative(const std::filesystem::path& anchor_file,
                                       const std::filesystem::path& p) {
  if (p.is_absolute()) return p;
  return (anchor_file.parent_path() / p).lexically_normal();
}

}  // namespace tb
