#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <sys/stat.h>

#include <sstream>
#include <string>

#include "common/files.hpp"
#include "test_paths.hpp"

using namespace tb;

TEST_CASE("write_file_atomic writes the whole file under its name", "[common][files]") {
  test::TempDir dir;
  const auto path = dir / "sub/report.html";
  std::string error;
  REQUIRE(write_file_atomic(path, "<p>hello</p>", &error));
  CHECK(read_file(path) == "<p>hello</p>");
  CHECK_FALSE(std::filesystem::exists(path.string() + ".tmp"));
}

TEST_CASE("a write that fails for want of room leaves neither the file nor its .tmp",
          "[common][files]") {
  test::TempDir dir;
  const auto path = dir / "report.html";
  // In a child whose files may not grow past 4 KiB (the kernel refuses the rest as a full disk
  // would); the child says by its exit code what it saw.
  const pid_t child = fork();
  if (child == 0) {
    signal(SIGXFSZ, SIG_IGN);  // a refused write returns EFBIG instead of killing the process
    rlimit limit{4096, 4096};
    setrlimit(RLIMIT_FSIZE, &limit);
    std::string error;
    const bool written = write_file_atomic(path, std::string(1 << 20, 'x'), &error);
    if (written) _exit(1);
    if (error.find("cannot write " + path.string() + ": ") != 0) _exit(2);
    _exit(0);
  }
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK_FALSE(std::filesystem::exists(path));
  CHECK_FALSE(std::filesystem::exists(path.string() + ".tmp"));
}

TEST_CASE("a folder that is a file: the error names the file to write", "[common][files]") {
  test::TempDir dir;
  test::write_text(dir / "out", "a file, not a folder");
  std::string error;
  CHECK_FALSE(write_file_atomic(dir / "out/report.html", "x", &error));
  CHECK_THAT(error, Catch::StartsWith("cannot write " + (dir / "out/report.html").string()));
}

TEST_CASE("read_file reads regular files whole, up to a cap, and says why not", "[files]") {
  test::TempDir dir;
  test::write_text(dir / "a.txt", "hello\n");
  std::string why;
  CHECK(read_file(dir / "a.txt", &why) == "hello\n");
  CHECK(read_file(dir / "a.txt", &why, 6) == "hello\n");

  CHECK_FALSE(read_file(dir / "a.txt", &why, 5));
  CHECK(why == "it is larger than 5 bytes, more than tunebench reads of such a file");
  CHECK_FALSE(read_file(dir / "missing.txt", &why));
  CHECK(why == "No such file or directory");
  CHECK_FALSE(read_file(dir.path(), &why));
  CHECK(why == "it is a directory");
  // A device never ends: refused before a byte is read (found by fuzz/suite_loader_fuzz).
  CHECK_FALSE(read_file("/dev/zero", &why));
  CHECK(why == "it is not a regular file (a device, FIFO or socket, which may never end)");
  // A FIFO nobody writes to: refused at once, not waited on.
  REQUIRE(::mkfifo((dir / "fifo").c_str(), 0600) == 0);
  CHECK_FALSE(read_file(dir / "fifo", &why));
  CHECK(why.starts_with("it is not a regular file"));
  CHECK_FALSE(read_file(dir / std::string(5000, 'x'), &why));
  CHECK(why == "File name too long");
  CHECK(byte_size_text(kMaxFileBytes) == "64 MiB");
}

TEST_CASE("file_read_problem says what is wrong with a file to read, and never throws", "[files]") {
  test::TempDir dir;
  test::write_text(dir / "a.txt", "x");
  CHECK_FALSE(file_read_problem(dir / "a.txt"));
  CHECK(file_read_problem(dir / "b.txt") == "file not found: " + (dir / "b.txt").string());
  CHECK(file_read_problem("/dev/zero") ==
        "cannot read /dev/zero: it is not a regular file (a device, FIFO or socket, which may "
        "never end)");
  const auto long_name = dir / std::string(300, 'x');
  CHECK(file_read_problem(long_name) ==
        "cannot read " + long_name.string() + ": File name too long");
}

TEST_CASE("read_line reads lines of any length up to its bound, as std::getline would", "[files]") {
  // Around the 64 KiB buffer: one less, exactly, one more, several; with and without '\n'.
  for (const std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{65534},
                              std::size_t{65535}, std::size_t{65536}, std::size_t{200000}}) {
    for (const bool newline : {true, false}) {
      DYNAMIC_SECTION(n << (newline ? " with" : " without") << " a newline") {
        const std::string first(n, 'a');
        std::istringstream in(first + "\nsecond" + (newline ? "\n" : ""));
        std::string line;
        CHECK(read_line(in, line) == LineRead::line);
        CHECK(line == first);
        CHECK(read_line(in, line) == LineRead::line);
        CHECK(line == "second");
        CHECK(read_line(in, line) == LineRead::end);
      }
    }
  }
  // A line ending exactly at the end of the input after full buffers.
  std::istringstream exact(std::string(65535 * 2, 'b'));
  std::string line;
  CHECK(read_line(exact, line) == LineRead::line);
  CHECK(line.size() == 65535 * 2);
  CHECK(read_line(exact, line) == LineRead::end);
  // Past the bound: too_long with the start kept, and the next line still read.
  std::istringstream long_line(std::string(300000, 'c') + "\nnext\n");
  CHECK(read_line(long_line, line, 100000) == LineRead::too_long);
  CHECK(line.size() == 100000);
  CHECK(read_line(long_line, line, 100000) == LineRead::line);
  CHECK(line == "next");
  std::istringstream empty;
  CHECK(read_line(empty, line) == LineRead::end);
  CHECK(line.empty());
}
