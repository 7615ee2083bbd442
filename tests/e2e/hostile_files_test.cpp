// Files a user names that would never end or cannot be named: each is refused with a located
// message and exit 2 (nothing sent), promptly, by the real CLI. The suites are the fuzz findings
// kept in fuzz/corpus/suite_loader/ (before: memory without bound, or exit 3 with a bare
// "filesystem error").
#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <string>

#include "e2e/cli.hpp"
#include "e2e/process.hpp"
#include "test_paths.hpp"

using namespace tb;

namespace {

const std::string kSource = TUNEBENCH_SOURCE_DIR;
const std::string kDevice =
    "it is not a regular file (a device, FIFO or socket, which may never end)";

}  // namespace

TEST_CASE("suites naming /dev/zero or over-long file names fail at load with file:line, exit 2",
          "[e2e][files]") {
  struct Case {
    std::string file;  // in fuzz/corpus/suite_loader/
    std::string message;
  };
  for (const auto& c :
       {Case{"system-dev-zero.yaml",
             ":4: variants[0].system: cannot read prompt file /dev/zero: " + kDevice},
        Case{"filesystem-error-long-dataset-name.yaml", ":2: dataset: cannot read "},
        Case{"filesystem-error-long-price-catalog-name.yaml", ":3: price_catalog: cannot read "}}) {
    DYNAMIC_SECTION(c.file) {
      // Beside a datasets folder, as the fuzzer loads them (../datasets/... resolves).
      test::TempDir dir;
      std::filesystem::create_directories(dir / "suites");
      std::filesystem::copy_file(kSource + "/fuzz/corpus/suite_loader/" + c.file,
                                 dir / "suites" / c.file);
      std::filesystem::create_directory_symlink(kSource + "/datasets", dir / "datasets");
      const auto start = std::chrono::steady_clock::now();
      const auto r =
          test::tunebench("run suites/" + c.file + " --db t.db", dir.path().string(), "timeout 20");
      const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      INFO(r.output);
      CHECK(r.exit_code == 2);
      CHECK(seconds < 10);
      CHECK(r.output.find("suites/" + c.file + c.message) != std::string::npos);
      if (c.file.starts_with("filesystem-error"))
        CHECK(r.output.find(": File name too long") != std::string::npos);
      CHECK_FALSE(std::filesystem::exists(dir / "t.db"));
    }
  }
}

TEST_CASE("schema validate refuses a schema or instances that never end", "[e2e][files]") {
  test::TempDir dir;
  test::write_text(dir / "ref.json", R"({"$ref":"file:///dev/zero"})");
  test::write_text(dir / "ok.json", R"({"type":"object"})");
  const auto direct = test::tunebench("schema validate --schema /dev/zero --jsonl /dev/null",
                                      dir.path().string(), "timeout 20");
  INFO(direct.output);
  CHECK(direct.exit_code == 2);
  CHECK(direct.output.find("cannot read schema file /dev/zero: " + kDevice) != std::string::npos);
  const auto ref = test::tunebench("schema validate --schema ref.json --jsonl /dev/null",
                                   dir.path().string(), "timeout 20");
  INFO(ref.output);
  CHECK(ref.exit_code == 2);
  CHECK(ref.output.find("cannot read schema file:///dev/zero (/dev/zero): " + kDevice) !=
        std::string::npos);
  const auto instances = test::tunebench("schema validate --schema ok.json --jsonl /dev/zero",
                                         dir.path().string(), "timeout 20");
  INFO(instances.output);
  CHECK(instances.exit_code == 2);
  CHECK(instances.output.find("cannot read /dev/zero: " + kDevice) != std::string::npos);
}
