#include "suite/dataset_split.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "common/files.hpp"
#include "common/hash.hpp"
#include "common/json_depth.hpp"
#include "common/text.hpp"

namespace tb {
namespace fs = std::filesystem;
namespace {

// splitmix64: a tiny generator whose output is the same on every platform and standard library
// (std::shuffle and the std distributions are not), so a seed always gives the same split.
class SplitMix64 {
 public:
  explicit SplitMix64(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, bound), without modulo bias.
  std::uint64_t below(std::uint64_t bound) {
    const std::uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
    std::uint64_t x = next();
    while (x >= limit) x = next();
    return x % bound;
  }

 private:
  std::uint64_t state_;
};

std::string_view without_cr(std::string_view s) {
  if (!s.empty() && s.back() == '\r') s.remove_suffix(1);
  return s;
}

std::string content_text(const nlohmann::json& content) {
  if (content.is_string()) return content.get<std::string>();
  if (content.is_array()) {
    std::string text;
    for (const auto& part : content)
      if (part.is_object() && part.contains("text") && part["text"].is_string())
        text += part["text"].get_ref<const std::string&>();
    return text;
  }
  return content.is_null() ? std::string() : content.dump();
}

// Whitespace runs become one space, ASCII letters lowercase, ends trimmed.
std::string normalise(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  bool space = false;
  for (const char c : s) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return out;
}

// 128 bits of SHA-256: what the leak check keeps per line instead of the text.
struct Digest {
  std::uint64_t hi = 0;
  std::uint64_t lo = 0;
  bool operator==(const Digest&) const = default;
};
struct DigestHash {
  std::size_t operator()(const Digest& d) const { return static_cast<std::size_t>(d.hi ^ (d.lo * 31)); }
};
Digest digest(std::string_view text) {
  const std::string hex = sha256_hex(text);
  return {std::stoull(hex.substr(0, 16), nullptr, 16), std::stoull(hex.substr(16, 16), nullptr, 16)};
}

struct LineInfo {
  int source_line = 0;
  int out_line = 0;
  bool eval = false;
  bool parsed = false;
  Digest exact;
  Digest near;
};

void write_line(std::ofstream& out, std::string_view text) {
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  out.put('\n');
}

}  // namespace

std::optional<CaseKeys> case_keys(std::string_view line) {
  const auto j = parse_json_bounded(line);
  if (j.is_discarded() || !j.is_object() || !j.contains("messages") || !j["messages"].is_array())
    return std::nullopt;
  nlohmann::json input = j["messages"];
  if (!input.empty() && input.back().is_object() && input.back().contains("role") &&
      input.back()["role"] == "assistant")
    input.erase(input.size() - 1);
  CaseKeys keys;
  for (auto& m : input) {
    if (!m.is_object()) continue;
    m.erase("weight");  // training-only: does not change what the model reads
    const std::string role = m.contains("role") && m["role"].is_string() ? m["role"].get<std::string>() : "";
    keys.near += role + ": " + normalise(m.contains("content") ? content_text(m["content"]) : "") + "\n";
  }
  keys.exact = input.dump();  // objects are key-sorted: canonical
  return keys;
}

std::optional<std::string> group_value(std::string_view line, const std::string& key) {
  const auto j = parse_json_bounded(line);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  if (j.contains(key) && !j[key].is_null())
    return j[key].is_string() ? j[key].get<std::string>() : j[key].dump();
  if (j.contains("tags") && j["tags"].is_array()) {
    for (const auto& tag : j["tags"]) {
      if (!tag.is_string()) continue;
      const auto& t = tag.get_ref<const std::string&>();
      if (t.size() > key.size() && t.starts_with(key) && (t[key.size()] == ':' || t[key.size()] == '='))
        return t.substr(key.size() + 1);
    }
  }
  return std::nullopt;
}

std::optional<SplitResult> split_dataset(const fs::path& input, const SplitOptions& options,
                                         std::string& error) {
  const std::string name = options.display_name.empty() ? input.string() : options.display_name;
  if (!(options.holdout > 0 && options.holdout < 1)) {
    error = "--holdout must be between 0 and 1 (exclusive); got " + fixed(options.holdout, 3);
    return std::nullopt;
  }
  std::error_code ec;
  if (fs::is_directory(input, ec)) {
    error = name + ": is a directory, not a JSONL file";
    return std::nullopt;
  }
  std::ifstream in;
  std::string why;
  if (!open_regular_file(input, in, &why)) {
    error = "cannot read " + name + ": " + why;
    return std::nullopt;
  }

  // Pass 1: count the cases and, with a group key, find each line's group.
  SplitResult result;
  std::vector<std::uint32_t> group_of;          // per non-blank line
  std::vector<long long> group_size;            // per group
  std::map<std::string, std::uint32_t> group_ids;
  std::string text;
  int number = 0;
  for (LineRead read; (read = read_line(in, text)) != LineRead::end;) {
    ++number;
    if (read == LineRead::too_long) {
      error = name + ":" + std::to_string(number) + ": the line is longer than " +
              byte_size_text(kMaxLineBytes) + ", more than tunebench reads of one example";
      return std::nullopt;
    }
    const std::string_view line = without_cr(text);
    if (trim(line).empty()) {
      ++result.blank_lines;
      continue;
    }
    ++result.lines;
    if (options.by.empty()) continue;
    std::uint32_t id = 0;
    if (auto value = group_value(line, options.by)) {
      const auto [it, inserted] = group_ids.try_emplace(*value, static_cast<std::uint32_t>(group_size.size()));
      if (inserted) group_size.push_back(0);
      id = it->second;
    } else {
      ++result.ungrouped_lines;
      id = static_cast<std::uint32_t>(group_size.size());
      group_size.push_back(0);
    }
    ++group_size[id];
    group_of.push_back(id);
  }
  if (in.bad()) {
    error = name + ": read error";
    return std::nullopt;
  }
  if (result.lines < 2) {
    error = name + ": " + std::to_string(result.lines) + " case" + (result.lines == 1 ? "" : "s") +
            "; a split needs at least 2";
    return std::nullopt;
  }
  if (!options.by.empty() && result.ungrouped_lines == result.lines) {
    error = name + ": no line has a \"" + options.by + "\" field or a \"" + options.by +
            ":VALUE\" tag; check the key's spelling, or split without --by";
    return std::nullopt;
  }
  if (options.by.empty()) group_size.assign(static_cast<std::size_t>(result.lines), 1);
  result.groups = static_cast<long long>(group_size.size());
  if (result.groups < 2) {
    error = name + ": all " + std::to_string(result.lines) + " lines share one value of \"" + options.by +
            "\"; a split by it needs at least 2 groups";
    return std::nullopt;
  }

  // Shuffle the groups (in order of first appearance) and move them to eval while that brings
  // the eval size closer to holdout x lines, never emptying either side.
  std::vector<std::uint32_t> order(group_size.size());
  for (std::uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  SplitMix64 rng(mix64(options.seed, 0x7475'6E65'6265'6E63ULL));  // "tunebenc"
  for (std::size_t i = order.size() - 1; i > 0; --i) std::swap(order[i], order[rng.below(i + 1)]);
  const long long target = std::clamp<long long>(
      std::llround(options.holdout * static_cast<double>(result.lines)), 1, result.lines - 1);
  std::vector<bool> eval_group(group_size.size(), false);
  long long eval_lines = 0;
  for (const std::uint32_t g : order) {
    const long long s = group_size[g];
    if (eval_lines + s >= result.lines) continue;
    if (std::llabs(eval_lines + s - target) < std::llabs(eval_lines - target)) {
      eval_group[g] = true;
      eval_lines += s;
    }
  }
  if (eval_lines == 0) {  // every group is larger than twice the target: take the smallest
    const auto smallest = std::min_element(group_size.begin(), group_size.end()) - group_size.begin();
    eval_group[static_cast<std::size_t>(smallest)] = true;
  }

  // Pass 2: copy each line to its side, computing the leak-check keys on the way.
  const fs::path dir = options.out_dir.empty() ? input.parent_path() : options.out_dir;
  if (!dir.empty()) fs::create_directories(dir, ec);
  if (ec) {
    error = dir.string() + ": cannot create the folder (" + ec.message() + ")";
    return std::nullopt;
  }
  const std::string stem = input.stem().string();
  result.train_file = dir / (stem + ".train.jsonl");
  result.eval_file = dir / (stem + ".eval.jsonl");
  for (const auto& out : {result.train_file, result.eval_file}) {
    if (fs::exists(out, ec) && fs::equivalent(out, input, ec)) {
      error = out.string() + " is the input file; choose another --out-dir";
      return std::nullopt;
    }
  }
  const fs::path train_tmp = result.train_file.string() + ".tmp";
  const fs::path eval_tmp = result.eval_file.string() + ".tmp";
  std::ofstream train(train_tmp, std::ios::binary | std::ios::trunc);
  std::ofstream eval(eval_tmp, std::ios::binary | std::ios::trunc);
  if (!train || !eval) {
    error = "cannot write " + (train ? eval_tmp : train_tmp).string();
    fs::remove(train_tmp, ec);
    fs::remove(eval_tmp, ec);
    return std::nullopt;
  }
  in.clear();
  in.seekg(0);
  std::vector<LineInfo> infos;
  infos.reserve(static_cast<std::size_t>(result.lines));
  int source_line = 0;
  std::size_t index = 0;
  std::vector<bool> group_seen(group_size.size(), false);
  while (std::getline(in, text)) {
    ++source_line;
    if (trim(without_cr(text)).empty()) continue;
    const std::uint32_t g = options.by.empty() ? static_cast<std::uint32_t>(index) : group_of[index];
    ++index;
    LineInfo info;
    info.source_line = source_line;
    info.eval = eval_group[g];
    if (!group_seen[g]) {
      group_seen[g] = true;
      ++(info.eval ? result.eval_groups : result.train_groups);
    }
    write_line(info.eval ? eval : train, text);
    info.out_line = static_cast<int>(info.eval ? ++result.eval_lines : ++result.train_lines);
    if (const auto keys = case_keys(without_cr(text))) {
      info.parsed = true;
      info.exact = digest(keys->exact);
      info.near = digest(keys->near);
    } else {
      ++result.leaks.unparsed;
    }
    infos.push_back(info);
  }
  train.close();
  eval.close();
  if (in.bad() || !train || !eval) {
    error = in.bad() ? name + ": read error" : "cannot write the split files in " + dir.string();
    fs::remove(train_tmp, ec);
    fs::remove(eval_tmp, ec);
    return std::nullopt;
  }
  fs::rename(train_tmp, result.train_file, ec);
  if (!ec) fs::rename(eval_tmp, result.eval_file, ec);
  if (ec) {
    error = "cannot write the split files in " + dir.string() + " (" + ec.message() + ")";
    return std::nullopt;
  }

  // Leak check: every eval case against the first train case with the same key.
  std::unordered_map<Digest, const LineInfo*, DigestHash> train_exact, train_near;
  for (const LineInfo& info : infos) {
    if (info.eval || !info.parsed) continue;
    train_exact.try_emplace(info.exact, &info);
    train_near.try_emplace(info.near, &info);
  }
  auto& leaks = result.leaks;
  for (const LineInfo& info : infos) {
    if (!info.eval || !info.parsed) continue;
    const auto pair = [&](const LineInfo* t) {
      return LeakPair{{info.source_line, info.out_line}, {t->source_line, t->out_line}};
    };
    if (const auto it = train_exact.find(info.exact); it != train_exact.end()) {
      ++leaks.exact;
      if (leaks.exact_listed.size() < options.max_listed_leaks) leaks.exact_listed.push_back(pair(it->second));
    } else if (const auto near = train_near.find(info.near); near != train_near.end()) {
      ++leaks.near;
      if (leaks.near_listed.size() < options.max_listed_leaks) leaks.near_listed.push_back(pair(near->second));
    }
  }
  return result;
}

}  // namespace tb
