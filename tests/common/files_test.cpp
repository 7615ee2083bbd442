#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

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
