#include "store/unsaved_results.hpp"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include <nlohmann/json.hpp>

#include "common/hash.hpp"

namespace tb {
namespace {

using json = nlohmann::json;

// Where a database's unsaved results go: beside it (DB.unsaved-PID.jsonl), else, when that
// folder cannot be written (the disk that is full is usually the database's), in the temporary
// folder under a name made from the database's absolute path.
struct Location {
  std::filesystem::path dir;
  std::string prefix;
};

std::vector<Location> locations(const std::filesystem::path& db) {
  const std::string name = db.filename().string();
  std::vector<Location> out;
  out.push_back(
      {db.has_parent_path() ? db.parent_path() : std::filesystem::path("."), name + ".unsaved-"});
  std::error_code ec;
  const auto tmp = std::filesystem::temp_directory_path(ec);
  const auto absolute = std::filesystem::weakly_canonical(std::filesystem::absolute(db, ec), ec);
  if (!tmp.empty()) {
    char hash[17];
    std::snprintf(hash, sizeof hash, "%016llx",
                  static_cast<unsigned long long>(fnv1a64(absolute.string())));
    out.push_back({tmp, "tunebench-" + std::string(hash) + "-" + name + ".unsaved-"});
  }
  return out;
}

}  // namespace

// Every field of each record, by name: a field added to a record must be added here too (the
// round trip in tests/store/unsaved_results_test.cpp fills every field to check).
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(CaseRecord, run_id, case_index, case_id, line, messages_json,
                                   reference, tags, content_hash, gold_json)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(CacheRecord, key, status, body, latency_ms, ttft_ms, itl_ms,
                                   output_tps)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(CheckRecord, name, type, passed, required, weight, score, detail)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(JudgeCallRecord, check_position, endpoint, model, prompt_tokens,
                                   completion_tokens, cost_usd, cached, attempts, label, score,
                                   error)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(RetrievedRecord, chunk_id, document_id, score, tokens)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ResultRecord, run_id, variant_id, case_index, repeat, status,
                                   error_class, error_message, http_status, output, finish_reason,
                                   prompt_tokens, completion_tokens, cached_tokens, prompt_chars,
                                   local_prompt_tokens, latency_ms, ttft_ms, itl_ms, output_tps,
                                   cached, attempts, cost_usd, conformant, score, failure_kind,
                                   failure_path, request_json, response_body, created_at, checks,
                                   judge_calls, usage_estimated, usage_note, instruction_tokens,
                                   context_tokens, case_tokens, retrieval_ms, embedding_tokens,
                                   embedding_cost_usd, retrieved, tool_calls)

namespace {

json to_json_line(const StoreItem& item) {
  if (const auto* c = std::get_if<CaseRecord>(&item)) return {{"case", *c}};
  if (const auto* c = std::get_if<CacheRecord>(&item)) return {{"cache", *c}};
  return {{"result", std::get<ResultRecord>(item)}};
}

StoreItem from_json_line(const json& line) {
  if (line.contains("case")) return line["case"].get<CaseRecord>();
  if (line.contains("cache")) return line["cache"].get<CacheRecord>();
  return line.at("result").get<ResultRecord>();
}

}  // namespace

std::vector<std::filesystem::path> unsaved_result_files(const std::filesystem::path& db) {
  std::vector<std::filesystem::path> files;
  for (const auto& [dir, start] : locations(db)) {
    std::error_code ec;
    for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      const std::string name = it->path().filename().string();
      if (!name.starts_with(start) || !name.ends_with(".jsonl")) continue;
      // A file of a process that still runs may still grow: it is that process's to finish.
      const long long pid = std::atoll(name.c_str() + start.size());
      if (pid > 0 && pid != ::getpid() && ::kill(static_cast<pid_t>(pid), 0) == 0) continue;
      files.push_back(it->path());
    }
  }
  std::sort(files.begin(), files.end(), [](const auto& a, const auto& b) {
    std::error_code e1, e2;
    return std::filesystem::last_write_time(a, e1) < std::filesystem::last_write_time(b, e2);
  });
  return files;
}

namespace {

// Appends the items; a file that could take only part of them is cut back to where it was, so
// the same items are not found twice once they are kept elsewhere.
bool append(const std::filesystem::path& file, const std::vector<StoreItem>& items,
            std::string& error) {
  std::error_code ec;
  const auto before = std::filesystem::exists(file, ec) ? std::filesystem::file_size(file, ec) : 0;
  std::ofstream out(file, std::ios::binary | std::ios::app);
  if (out) {
    // Bytes that are not UTF-8 were replaced before (store/record_scrub), so dump() cannot throw.
    for (const auto& item : items) out << to_json_line(item).dump() << '\n';
    out.close();
  }
  if (out) return true;
  error = "cannot write " + file.string() + ": " + std::strerror(errno);
  if (std::filesystem::exists(file, ec)) {
    if (before == 0)
      std::filesystem::remove(file, ec);
    else
      std::filesystem::resize_file(file, before, ec);
  }
  return false;
}

}  // namespace

bool save_unsaved(const std::filesystem::path& db, const std::vector<StoreItem>& items,
                  std::filesystem::path& file, std::string& error) {
  std::string errors;
  for (const auto& [dir, start] : locations(db)) {
    file = dir / (start + std::to_string(::getpid()) + ".jsonl");
    std::string why;
    if (append(file, items, why)) return true;
    errors += (errors.empty() ? "" : "; ") + why;
  }
  error = errors;
  return false;
}

bool load_unsaved(const std::filesystem::path& file, std::vector<StoreItem>& items,
                  std::string& error) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    error = "cannot read " + file.string() + ": " + std::strerror(errno);
    return false;
  }
  std::string line;
  while (std::getline(in, line)) {
    const auto parsed = json::parse(line, nullptr, false);
    if (parsed.is_discarded()) continue;  // a line torn as its writer died
    try {
      items.push_back(from_json_line(parsed));
    } catch (const json::exception& e) {
      error = file.string() + ": a line is not an unsaved result (" + e.what() + ")";
      return false;
    }
  }
  return true;
}

}  // namespace tb
