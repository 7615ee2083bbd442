// Installing tunebench as people install tools: the .deb that `cpack -G DEB` makes from this
// build, unpacked into a temporary root and run from there on the demo, and the container
// image's runtime stage, as far as it can be checked without an image builder (none can run in
// the test environment: see README "Container image").
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "e2e/process.hpp"
#include "test_paths.hpp"

using namespace tb;

namespace {

const std::filesystem::path kSource = TUNEBENCH_SOURCE_DIR;
const std::filesystem::path kBuild = TUNEBENCH_BUILD_DIR;

struct Output {
  int exit_code = -1;
  std::string text;
};

// A shell command's exit code and output (stdout and stderr), without the environment settings
// that would let a binary find its data some other way than relative to itself.
Output sh(const std::string& command) {
  const std::string full =
      "env -u TUNEBENCH_DATA_DIR -u TUNEBENCH_PRICES sh -c '" + command + "' 2>&1";
  Output out;
  FILE* pipe = popen(full.c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buffer[4096];
  std::size_t n = 0;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) out.text.append(buffer, n);
  const int status = pclose(pipe);
  out.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// The Dockerfile as stages: each FROM line and the instructions after it, continuation lines
// joined.
struct Stage {
  std::string from;
  std::vector<std::string> instructions;
};

std::vector<Stage> dockerfile_stages() {
  std::istringstream in(test::read_text(kSource / "Dockerfile"));
  std::vector<Stage> stages;
  std::string line, pending;
  while (std::getline(in, line)) {
    if (pending.empty() && (line.empty() || line[0] == '#')) continue;
    if (!line.empty() && line.back() == '\\') {
      pending += line.substr(0, line.size() - 1) + " ";
      continue;
    }
    const std::string instruction = pending + line;
    pending.clear();
    if (instruction.starts_with("FROM "))
      stages.push_back({instruction, {}});
    else if (!stages.empty())
      stages.back().instructions.push_back(instruction);
  }
  return stages;
}

// The packages the runtime stage installs with apt-get.
std::set<std::string> runtime_packages(const Stage& runtime) {
  std::set<std::string> packages;
  for (const auto& i : runtime.instructions) {
    const auto at = i.find("apt-get install");
    if (at == std::string::npos) continue;
    std::istringstream words(i.substr(at + 15));
    std::string w;
    while (words >> w && w != "&&")
      if (!w.starts_with("-")) packages.insert(w);
  }
  return packages;
}

// Every debian image has these (apt needs them).
const std::set<std::string> kInBaseImage = {"libc6", "libgcc-s1", "libstdc++6"};

}  // namespace

TEST_CASE("cpack -G DEB: the package unpacked anywhere runs the demo from its own data",
          "[install]") {
  test::TempDir tmp;
  const auto pkg = tmp / "pkg";
  auto r = sh("cpack -G DEB --config " + (kBuild / "CPackConfig.cmake").string() + " -B " +
              pkg.string());
  INFO(r.text);
  REQUIRE(r.exit_code == 0);
  std::filesystem::path deb;
  for (const auto& e : std::filesystem::directory_iterator(pkg))
    if (e.path().extension() == ".deb") deb = e.path();
  REQUIRE(!deb.empty());

  CHECK(trimmed(sh("dpkg-deb -f " + deb.string() + " Package").text) == "tunebench");
  CHECK(trimmed(sh("dpkg-deb -f " + deb.string() + " Version").text) == "0.1.0");
  const std::string depends = sh("dpkg-deb -f " + deb.string() + " Depends").text;
  for (const char* library :
       {"libssl3", "libsqlite3-0", "libyaml-cpp0.7", "libpcre2-8-0", "libc6"}) {
    INFO(depends);
    CHECK(depends.find(library) != std::string::npos);
  }
  // The container's runtime stage installs every library the package depends on.
  const auto stages = dockerfile_stages();
  REQUIRE(stages.size() == 2);
  const auto runtime = runtime_packages(stages[1]);
  std::smatch m;
  std::string rest = depends;
  while (std::regex_search(rest, m, std::regex("([a-z0-9.+-]+)( \\([^)]*\\))?(, |\\n|$)"))) {
    const std::string package = m[1];
    INFO(package);
    CHECK((runtime.contains(package) || kInBaseImage.contains(package)));
    rest = m.suffix();
    if (rest.empty()) break;
  }

  const auto root = tmp / "root";
  REQUIRE(sh("dpkg -x " + deb.string() + " " + root.string()).exit_code == 0);
  const auto data = root / "usr/share/tunebench";
  for (const char* file :
       {"usr/bin/tunebench", "usr/share/tunebench/datasets/prices.json",
        "usr/share/tunebench/datasets/tech_terms_eval.jsonl",
        "usr/share/tunebench/datasets/schemas/term.ts", "usr/share/tunebench/suites/demo.yaml",
        "usr/share/tunebench/suites/prompts/tech_terms_full.txt",
        "usr/share/tunebench/vocab/README.md", "usr/share/tunebench/fetch_vocab.sh",
        "usr/share/tunebench/vocab/o200k_base.tiktoken", "usr/share/tunebench/vocab/cl100k_base.tiktoken",
        "usr/share/doc/tunebench/README.md"}) {
    INFO(file);
    CHECK(std::filesystem::is_regular_file(root / file));
  }
  const auto binary = root / "usr/bin/tunebench";
  // Nothing in the binary points back at the tree it was built from.
  CHECK(test::read_text(binary).find(kSource.string()) == std::string::npos);

  const auto version = trimmed(sh(binary.string() + " --version").text);
  CHECK(std::regex_match(
      version, std::regex("tunebench 0\\.1\\.0 \\(git ([0-9a-f]{12}(-dirty)?|unknown)\\)")));
  const auto head =
      trimmed(sh("git -C " + kSource.string() + " rev-parse --short=12 HEAD 2>/dev/null").text);
  if (!head.empty()) CHECK(version.find("(git " + head) != std::string::npos);

  // The demo, from a folder that is neither the source nor the build tree.
  const auto work = tmp / "work";
  std::filesystem::create_directories(work);
  // With an empty home and no tokenizer folder named: the rank files the package ships are the
  // ones it finds (the rag variant counts its chunks with them).
  std::filesystem::create_directories(tmp / "home");
  r = sh("cd " + work.string() + " && env -u TIKTOKEN_CACHE_DIR -u XDG_DATA_HOME HOME=" +
         (tmp / "home").string() + " " + binary.string() + " run " +
         (data / "suites/demo.yaml").string() + " --db demo.db --out reports");
  INFO(r.text);
  CHECK(r.exit_code == 0);
  CHECK(r.text.find("finished: 480/480 done") != std::string::npos);
  CHECK(r.text.find("fine-tuned vs prompted: conformance") != std::string::npos);
  CHECK(std::filesystem::exists(work / "reports/run-1.html"));
  CHECK(test::read_text(work / "reports/run-1.html").find("prices.json (") != std::string::npos);

  // A binary copied away from its data finds it through $TUNEBENCH_DATA_DIR, and says where it
  // looked when it cannot.
  const auto alone = tmp / "alone";
  std::filesystem::create_directories(alone);
  std::filesystem::copy_file(binary, alone / "tunebench");
  const std::string prompts =
      (alone / "tunebench").string() + " prompts " + (data / "suites/demo.yaml").string();
  r = sh(prompts);
  CHECK(r.text.find("(tunebench's own is datasets/prices.json in its data folder") !=
        std::string::npos);
  CHECK(r.text.find("no price") != std::string::npos);
  r = sh("TUNEBENCH_DATA_DIR=" + data.string() + " " + prompts);
  INFO(r.text);
  CHECK(r.text.find("no price") == std::string::npos);
  CHECK(r.text.find("$11.87") != std::string::npos);  // gpt-4o-mini's input price from the catalog
  CHECK(r.exit_code == 0);
}

TEST_CASE("the Dockerfile: a slim runtime stage, without root, whose files an install provides",
          "[install]") {
  const auto stages = dockerfile_stages();
  REQUIRE(stages.size() == 2);
  CHECK(stages[0].from == "FROM debian:12-slim AS build");
  CHECK(stages[1].from == "FROM debian:12-slim AS runtime");
  bool setup = false;
  for (const auto& i : stages[0].instructions)
    setup = setup || i.find("bash scripts/setup") != std::string::npos;
  CHECK(setup);  // built with the packages a developer's machine has

  std::vector<std::string> copies;
  std::string user, entrypoint;
  for (const auto& i : stages[1].instructions) {
    if (i.starts_with("COPY ")) {
      REQUIRE(i.starts_with("COPY --from=build /stage/"));  // nothing from the build context
      std::istringstream words(i.substr(18));
      std::string source;
      words >> source;
      copies.push_back(source);
    }
    if (i.starts_with("USER ")) user = i.substr(5);
    if (i.starts_with("ENTRYPOINT ")) entrypoint = i.substr(11);
  }
  CHECK_FALSE(user.empty());
  CHECK(user.substr(0, user.find(':')) != "root");
  CHECK(user.substr(0, user.find(':')) != "0");
  CHECK(nlohmann::json::parse(entrypoint) == nlohmann::json::array({"tunebench"}));
  CHECK(runtime_packages(stages[1]).contains("ca-certificates"));

  // The build stage installs with DESTDIR=/stage and --prefix /usr/local; the same install of
  // this build holds everything the runtime stage copies, and its suites load with their
  // datasets and schemas (the rank files come from scripts/setup and are checked by it).
  test::TempDir tmp;
  const auto stage = tmp / "stage";
  const auto r = sh("DESTDIR=" + stage.string() + " cmake --install " + kBuild.string() +
                    " --prefix /usr/local");
  INFO(r.text);
  REQUIRE(r.exit_code == 0);
  REQUIRE_FALSE(copies.empty());
  for (const auto& source : copies) {
    INFO(source);
    CHECK(std::filesystem::exists(stage / source.substr(std::string("/stage/").size())));
  }
  const auto prefix = stage / "usr/local";
  CHECK(std::filesystem::is_regular_file(prefix / "bin/tunebench"));
  int suites = 0;
  for (const auto& e : std::filesystem::directory_iterator(prefix / "share/tunebench/suites")) {
    if (e.path().extension() != ".yaml") continue;
    ++suites;
    const auto loaded = sh((prefix / "bin/tunebench").string() + " prompts " + e.path().string());
    INFO(e.path().string() << "\n" << loaded.text);
    CHECK(loaded.exit_code == 0);
  }
  CHECK(suites >= 2);
}
