#include "store/unsaved_results.hpp"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include <nlohmann/json.hpp>

namespace tb {
namespace {

using json = nlohmann::json;

std::string prefix(const std::filesystem::path& db) {
  return db.filename().string() + ".unsaved-";
}

json to_json(const CaseRecord& c) {
  return {{"case",
           {{"run_id", c.run_id},
            {"case_index", c.case_index},
            {"case_id", c.case_id},
            {"line", c.line},
            {"messages_json", c.messages_json},
            {"reference", c.reference},
            {"tags", c.tags}}}};
}

json to_json(const CacheRecord& c) {
  return {{"cache",
           {{"key", c.key},
            {"status", c.status},
            {"body", c.body},
            {"latency_ms", c.latency_ms},
            {"ttft_ms", c.ttft_ms},
            {"itl_ms", c.itl_ms},
            {"output_tps", c.output_tps}}}};
}

json to_json(const ResultRecord& r) {
  json checks = json::array();
  for (const auto& c : r.checks)
    checks.push_back({{"name", c.name},
                      {"type", c.type},
                      {"passed", c.passed},
                      {"required", c.required},
                      {"weight", c.weight},
                      {"score", c.score},
                      {"detail", c.detail}});
  return {{"result",
           {{"run_id", r.run_id},
            {"variant_id", r.variant_id},
            {"case_index", r.case_index},
            {"repeat", r.repeat},
            {"status", r.status},
            {"error_class", r.error_class},
            {"error_message", r.error_message},
            {"http_status", r.http_status},
            {"output", r.output},
            {"finish_reason", r.finish_reason},
            {"prompt_tokens", r.prompt_tokens},
            {"completion_tokens", r.completion_tokens},
            {"cached_tokens", r.cached_tokens},
            {"prompt_chars", r.prompt_chars},
            {"local_prompt_tokens", r.local_prompt_tokens},
            {"latency_ms", r.latency_ms},
            {"ttft_ms", r.ttft_ms},
            {"itl_ms", r.itl_ms},
            {"output_tps", r.output_tps},
            {"cached", r.cached},
            {"attempts", r.attempts},
            {"cost_usd", r.cost_usd},
            {"conformant", r.conformant},
            {"score", r.score},
            {"failure_kind", r.failure_kind},
            {"failure_path", r.failure_path},
            {"request_json", r.request_json},
            {"response_body", r.response_body},
            {"created_at", r.created_at},
            {"checks", checks}}}};
}

template <class T>
void get(const json& j, const char* key, T& out) {
  out = j.at(key).get<T>();
}

StoreItem from_json(const json& line) {
  if (line.contains("case")) {
    const auto& j = line["case"];
    CaseRecord c;
    get(j, "run_id", c.run_id);
    get(j, "case_index", c.case_index);
    get(j, "case_id", c.case_id);
    get(j, "line", c.line);
    get(j, "messages_json", c.messages_json);
    get(j, "reference", c.reference);
    get(j, "tags", c.tags);
    return c;
  }
  if (line.contains("cache")) {
    const auto& j = line["cache"];
    CacheRecord c;
    get(j, "key", c.key);
    get(j, "status", c.status);
    get(j, "body", c.body);
    get(j, "latency_ms", c.latency_ms);
    get(j, "ttft_ms", c.ttft_ms);
    get(j, "itl_ms", c.itl_ms);
    get(j, "output_tps", c.output_tps);
    return c;
  }
  const auto& j = line.at("result");
  ResultRecord r;
  get(j, "run_id", r.run_id);
  get(j, "variant_id", r.variant_id);
  get(j, "case_index", r.case_index);
  get(j, "repeat", r.repeat);
  get(j, "status", r.status);
  get(j, "error_class", r.error_class);
  get(j, "error_message", r.error_message);
  get(j, "http_status", r.http_status);
  get(j, "output", r.output);
  get(j, "finish_reason", r.finish_reason);
  get(j, "prompt_tokens", r.prompt_tokens);
  get(j, "completion_tokens", r.completion_tokens);
  get(j, "cached_tokens", r.cached_tokens);
  get(j, "prompt_chars", r.prompt_chars);
  get(j, "local_prompt_tokens", r.local_prompt_tokens);
  get(j, "latency_ms", r.latency_ms);
  get(j, "ttft_ms", r.ttft_ms);
  get(j, "itl_ms", r.itl_ms);
  get(j, "output_tps", r.output_tps);
  get(j, "cached", r.cached);
  get(j, "attempts", r.attempts);
  get(j, "cost_usd", r.cost_usd);
  get(j, "conformant", r.conformant);
  get(j, "score", r.score);
  get(j, "failure_kind", r.failure_kind);
  get(j, "failure_path", r.failure_path);
  get(j, "request_json", r.request_json);
  get(j, "response_body", r.response_body);
  get(j, "created_at", r.created_at);
  for (const auto& c : j.at("checks"))
    r.checks.push_back({c.at("name").get<std::string>(), c.at("type").get<std::string>(),
                        c.at("passed").get<bool>(), c.at("required").get<bool>(),
                        c.at("weight").get<double>(), c.at("score").get<double>(),
                        c.at("detail").get<std::string>()});
  return r;
}

}  // namespace

std::vector<std::filesystem::path> unsaved_result_files(const std::filesystem::path& db) {
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  const auto dir = db.has_parent_path() ? db.parent_path() : std::filesystem::path(".");
  const std::string start = prefix(db);
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (!name.starts_with(start) || !name.ends_with(".jsonl")) continue;
    // A file of a process that still runs may still grow: it is that process's to finish.
    const long long pid = std::atoll(name.c_str() + start.size());
    if (pid > 0 && pid != ::getpid() && ::kill(static_cast<pid_t>(pid), 0) == 0) continue;
    files.push_back(it->path());
  }
  std::sort(files.begin(), files.end(), [](const auto& a, const auto& b) {
    std::error_code e1, e2;
    return std::filesystem::last_write_time(a, e1) < std::filesystem::last_write_time(b, e2);
  });
  return files;
}

bool save_unsaved(const std::filesystem::path& db, const std::vector<StoreItem>& items,
                  std::filesystem::path& file, std::string& error) {
  file = db.has_parent_path()
             ? db.parent_path() / (prefix(db) + std::to_string(::getpid()) + ".jsonl")
             : std::filesystem::path(prefix(db) + std::to_string(::getpid()) + ".jsonl");
  std::ofstream out(file, std::ios::binary | std::ios::app);
  if (out) {
    for (const auto& item : items) {
      // Bytes that are not UTF-8 were replaced before (store/record_scrub), so dump() cannot throw.
      out << std::visit([](const auto& r) { return to_json(r); }, item).dump() << '\n';
    }
    out.close();
  }
  if (!out) {
    error = "cannot write " + file.string() + ": " + std::strerror(errno);
    return false;
  }
  return true;
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
      items.push_back(from_json(parsed));
    } catch (const json::exception& e) {
      error = file.string() + ": a line is not an unsaved result (" + e.what() + ")";
      return false;
    }
  }
  return true;
}

}  // namespace tb
