#include "run/case_sample.hpp"

#include <algorithm>
#include <fstream>
#include <numeric>
#include <string>
#include <vector>

#include "analysis/statistics.hpp"
#include "common/files.hpp"
#include "suite/dataset_reader.hpp"

namespace tb {

std::optional<CaseSample> write_case_sample(const Suite& suite, long long n, std::uint64_t seed,
                                            const std::filesystem::path& out, Diagnostic& error) {
  // The line of every case (an int each: the dataset itself is never held).
  std::vector<int> lines;
  DatasetReader reader(suite.dataset_file, suite.dataset_display);
  if (!reader.open(error)) return std::nullopt;
  TestCase test_case;
  while (!suite.limit || static_cast<long long>(lines.size()) < *suite.limit) {
    const auto status = reader.next(test_case, error);
    if (status == DatasetReader::Status::error) return std::nullopt;
    if (status == DatasetReader::Status::end) break;
    lines.push_back(test_case.line);
  }
  CaseSample sample;
  sample.cases = static_cast<long long>(lines.size());
  sample.sampled = std::min<long long>(n, sample.cases);

  // A partial Fisher-Yates shuffle: the first `sampled` positions are a uniform sample.
  std::vector<std::size_t> order(lines.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  ResampleIndices draw(seed);
  for (std::size_t i = 0; i < static_cast<std::size_t>(sample.sampled); ++i)
    std::swap(order[i], order[i + draw.next(order.size() - i)]);
  std::vector<int> chosen;
  for (std::size_t i = 0; i < static_cast<std::size_t>(sample.sampled); ++i)
    chosen.push_back(lines[order[i]]);
  std::sort(chosen.begin(), chosen.end());

  std::ifstream in;
  std::string why;
  if (!open_regular_file(suite.dataset_file, in, &why)) {
    error = {suite.dataset_display, 0, {}, "cannot read the dataset: " + why};
    return std::nullopt;
  }
  std::ofstream file(out, std::ios::binary | std::ios::trunc);
  if (!file) {
    error = {out.string(), 0, {}, "cannot write the sample of cases here"};
    return std::nullopt;
  }
  std::string text;
  int line = 0;
  auto next = chosen.begin();
  while (next != chosen.end() && read_line(in, text) == LineRead::line) {
    if (++line != *next) continue;
    file << text << '\n';
    ++next;
  }
  file.flush();
  if (!file || next != chosen.end()) {
    error = {out.string(),
             0,
             {},
             "cannot write the sample of cases (disk full?) or the dataset changed"};
    return std::nullopt;
  }
  return sample;
}

}  // namespace tb
