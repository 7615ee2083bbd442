#pragma once
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

namespace tb {

// The most read_file takes of one file unless told: suites, prompts, schemas, catalogs and
// documents are kilobytes to a few megabytes; the cap keeps a mistaken name (a multi-gigabyte
// log) from taking all memory.
inline constexpr std::size_t kMaxFileBytes = std::size_t{64} << 20;

// The whole file, or nullopt with *error (if given) saying why, to follow "cannot read FILE: ":
// the system's reason ("No such file or directory"), "it is a directory", "it is not a regular
// file (...)" (a device or FIFO such as /dev/zero never ends) or "it is larger than 64 MiB, ...".
std::optional<std::string> read_file(const std::filesystem::path& path,
                                     std::string* error = nullptr,
                                     std::size_t max_bytes = kMaxFileBytes);

// Opens a file that is read as a stream (datasets, corpora) after checking that it is a regular
// file; false with *error (if given) saying why not, as read_file does.
bool open_regular_file(const std::filesystem::path& path, std::ifstream& in,
                       std::string* error = nullptr);

// nullopt when `path` names a regular file, else a message for the user: "file not found: PATH"
// or "cannot read PATH: " and why (a name too long for the file system, a device, ...). Never
// throws, unlike std::filesystem::exists on a name the system refuses.
std::optional<std::string> file_read_problem(const std::filesystem::path& path);

// The longest line read_line takes: a dataset line holds one conversation.
inline constexpr std::size_t kMaxLineBytes = kMaxFileBytes;

// std::getline with a bound: reads the next line (without its '\n') into `line`. too_long when
// it has more than max_bytes; then `line` holds its first max_bytes and the rest of the line is
// skipped, so the next call reads the line after it.
enum class LineRead { line, end, too_long };
LineRead read_line(std::istream& in, std::string& line, std::size_t max_bytes = kMaxLineBytes);

// "64 MiB" or "1000 bytes": a size as the errors above write it.
std::string byte_size_text(std::size_t bytes);

// Writes atomically (temp file + rename) so a killed process never leaves half a report.
bool write_file_atomic(const std::filesystem::path& path, std::string_view content,
                       std::string* error = nullptr);

// Paths inside a suite are relative to the suite file, as users expect when they move suites.
std::filesystem::path resolve_relative(const std::filesystem::path& anchor_file,
                                       const std::filesystem::path& p);

}  // namespace tb
