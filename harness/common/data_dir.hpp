#pragma once
// Where tunebench finds the data it ships: the price catalog, the tokenizer note, the example
// suites and their datasets. Found relative to the binary, never in the source tree it was built
// from, so an install or an unpacked .deb works wherever it lands.
#include <filesystem>
#include <optional>
#include <vector>

namespace tb {

// The folders that may hold the data, in the order they are tried: beside the binary as
// installed (PREFIX/bin/tunebench -> PREFIX/share/tunebench), beside the binary in a build tree
// (BUILD/share/tunebench, which CMake links to the source's datasets/ and suites/), then
// $TUNEBENCH_DATA_DIR (for a binary copied away from its data).
std::vector<std::filesystem::path> data_dir_candidates();

// The first candidate holding `relative` (e.g. "datasets/prices.json"), or nullopt.
std::optional<std::filesystem::path> find_data_file(const std::filesystem::path& relative);

// The folder of the running binary (/proc/self/exe), empty when it cannot be read.
std::filesystem::path executable_dir();

}  // namespace tb
