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
  // A failed write leaves neither a partial file under the real name nor the temporary one (a
  // full disk used to leave an empty .tmp behind). Errors show at close as often as at write.
  const auto fail = [&](const std::string& what) {
    if (error) *error = "cannot write " + path.string() + ": " + what;
    std::filesystem::remove(tmp, ec);
    return false;
  };
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return fail(std::strerror(errno));
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    out.close();
    if (!out) return fail(errno != 0 ? std::strerror(errno) : "write failed");
  }
  std::filesystem::rename(tmp, path, ec);
  if (ec) return fail("cannot rename " + tmp + ": " + ec.message());
  return true;
}

std::filesystem::path resolve_relative(const std::filesystem::path& anchor_file,
                                       const std::filesystem::path& p) {
  if (p.is_absolute()) return p;
  return (anchor_file.parent_path() / p).lexically_normal();
}

}  // namespace tb
