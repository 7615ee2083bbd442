#include "common/files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>

namespace tb {

namespace {

// Why a file that opened is not one to read: a directory, a device, a FIFO or a socket.
std::optional<std::string> regular_file_problem(const struct stat& st) {
  if (S_ISDIR(st.st_mode)) return "it is a directory";
  if (!S_ISREG(st.st_mode))
    return "it is not a regular file (a device, FIFO or socket, which may never end)";
  return std::nullopt;
}

}  // namespace

std::string byte_size_text(std::size_t bytes) {
  if (bytes >= (std::size_t{1} << 20) && bytes % (std::size_t{1} << 20) == 0)
    return std::to_string(bytes >> 20) + " MiB";
  return std::to_string(bytes) + " bytes";
}

std::optional<std::string> read_file(const std::filesystem::path& path, std::string* error,
                                     std::size_t max_bytes) {
  auto fail = [&](std::string why) -> std::optional<std::string> {
    if (error != nullptr) *error = std::move(why);
    return std::nullopt;
  };
  // O_NONBLOCK: opening a FIFO nobody writes to would otherwise wait forever before the check.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return fail(std::strerror(errno));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) return fail(std::strerror(errno));
  if (auto problem = regular_file_problem(st)) return fail(*problem);
  const auto too_large = [&] {
    return fail("it is larger than " + byte_size_text(max_bytes) +
                ", more than tunebench reads of such a file");
  };
  if (static_cast<std::uintmax_t>(st.st_size) > max_bytes) return too_large();
  std::string text;
  text.resize(static_cast<std::size_t>(st.st_size));
  std::size_t got = 0;
  // Read until the end, the size stat gave or not (a file may grow), but never past the cap.
  for (;;) {
    if (got == text.size()) {
      if (got > max_bytes) return too_large();
      text.resize(std::min(max_bytes + 1, std::max<std::size_t>(got * 2, 4096)));
    }
    const ssize_t n = ::read(fd, text.data() + got, text.size() - got);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail(std::strerror(errno));
    }
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  if (got > max_bytes) return too_large();
  text.resize(got);
  return text;
}

bool open_regular_file(const std::filesystem::path& path, std::ifstream& in, std::string* error) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (error != nullptr) *error = std::strerror(errno);
    return false;
  }
  if (auto problem = regular_file_problem(st)) {
    if (error != nullptr) *error = *problem;
    return false;
  }
  in.open(path, std::ios::binary);
  if (!in) {
    if (error != nullptr) *error = std::strerror(errno);
    return false;
  }
  return true;
}

std::optional<std::string> file_read_problem(const std::filesystem::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return "file not found: " + path.string();
    return "cannot read " + path.string() + ": " + std::strerror(errno);
  }
  if (auto problem = regular_file_problem(st))
    return "cannot read " + path.string() + ": " + *problem;
  return std::nullopt;
}

LineRead read_line(std::istream& in, std::string& line, std::size_t max_bytes) {
  line.clear();
  char buffer[1 << 16];
  bool too_long = false;
  for (bool first = true;; first = false) {
    in.getline(buffer, sizeof buffer);
    const auto got = static_cast<std::size_t>(in.gcount());
    if (in.bad()) return LineRead::end;
    // getline stops at '\n' (taken, counted, not stored), at the end of the input, or with a
    // full buffer (failbit, the line goes on). At the end with nothing read it fails too.
    const bool full = in.fail() && !in.eof() && got == sizeof buffer - 1;
    if (in.fail() && !full) {
      if (first) return LineRead::end;
      break;  // the last line, without a '\n', ended exactly at a buffer's end
    }
    const std::size_t stored = full || in.eof() ? got : got - 1;
    if (!too_long) {
      const std::size_t room = max_bytes - line.size();
      line.append(buffer, std::min(stored, room));
      too_long = stored > room;
    }
    if (!full) break;
    in.clear();
  }
  return too_long ? LineRead::too_long : LineRead::line;
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
