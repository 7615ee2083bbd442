#include "suite/model_sweep.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <map>

#include <nlohmann/json.hpp>

#include "common/files.hpp"
#include "common/text.hpp"

namespace tb {

namespace {

using json = nlohmann::json;

constexpr std::array<std::string_view, 3> kLineKeys = {"model", "step", "loss"};
constexpr long long kMaxStep = 1LL << 40;

bool alnum(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0;
}

std::optional<long long> whole_number(std::string_view text) {
  long long value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 0 || value > kMaxStep)
    return std::nullopt;
  return value;
}

std::optional<double> finite_number(std::string_view text) {
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value))
    return std::nullopt;
  return value;
}

class FileReader {
 public:
  FileReader(std::string display, Diagnostics& errors)
      : display_(std::move(display)), errors_(errors) {}

  void error(int line, std::string field, std::string message) {
    errors_.add({display_, line, std::move(field), std::move(message)});
    ++count_;
  }
  int count() const { return count_; }

 private:
  std::string display_;
  Diagnostics& errors_;
  int count_ = 0;
};

// A step from the file must agree with the one the id names: they disagree when a line was
// pasted next to the wrong model.
void settle_step(SweepModel& m, FileReader& reader) {
  const auto named = checkpoint_step_of(m.model);
  if (!m.step) {
    m.step = named;
    if (!m.step)
      reader.error(m.line, "step",
                   "missing: give the training step, or a model id that names it (ending in "
                   "ckpt-step-N, checkpoint-N or step-N)");
  } else if (named && *named != *m.step) {
    reader.error(m.line, "step",
                 "is " + std::to_string(*m.step) + " but the model id " + dquote(m.model) +
                     " names step " + std::to_string(*named));
  }
}

std::optional<SweepModel> json_line(std::string_view text, int line, FileReader& reader) {
  const json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    reader.error(line, "",
                 "expected a JSON object such as {\"model\": \"ft:...:ckpt-step-100\", "
                 "\"step\": 100, \"loss\": 0.42}");
    return std::nullopt;
  }
  SweepModel m;
  m.line = line;
  const int before = reader.count();
  // OpenAI's checkpoint object, as GET /v1/fine_tuning/jobs/{id}/checkpoints lists them.
  const bool openai = j.contains("fine_tuned_model_checkpoint");
  const char* model_key = openai ? "fine_tuned_model_checkpoint" : "model";
  const char* step_key = openai ? "step_number" : "step";
  if (!openai) {
    for (const auto& [key, value] : j.items()) {
      if (std::find(kLineKeys.begin(), kLineKeys.end(), key) != kLineKeys.end()) continue;
      std::string message = "unknown key; expected one of " + join_choices(kLineKeys);
      if (auto hint = did_you_mean(key, kLineKeys))
        message += " (did you mean " + dquote(*hint) + "?)";
      reader.error(line, key, message);
    }
  }
  if (!j.contains(model_key) || !j[model_key].is_string() ||
      j[model_key].get<std::string>().empty())
    reader.error(line, model_key, "expected the model id (a non-empty string)");
  else
    m.model = j[model_key].get<std::string>();
  if (j.contains(step_key) && !j[step_key].is_null()) {
    const auto& s = j[step_key];
    if (!s.is_number_integer() || s.get<long long>() < 0 || s.get<long long>() > kMaxStep)
      reader.error(line, step_key, "expected a whole number of training steps, 0 or more");
    else
      m.step = s.get<long long>();
  }
  const json* loss = nullptr;
  if (openai && j.contains("metrics") && j["metrics"].is_object() &&
      j["metrics"].contains("train_loss"))
    loss = &j["metrics"]["train_loss"];
  else if (!openai && j.contains("loss"))
    loss = &j["loss"];
  if (loss && !loss->is_null()) {
    if (!loss->is_number() || !std::isfinite(loss->get<double>()))
      reader.error(line, openai ? "metrics.train_loss" : "loss",
                   "expected a number (the training loss)");
    else
      m.loss = loss->get<double>();
  }
  if (reader.count() != before) return std::nullopt;
  return m;
}

// One CSV row: fields separated by commas, a field in double quotes may hold commas and ""
// for a quote. False when a quote is left open.
bool csv_fields(std::string_view row, std::vector<std::string>& out) {
  out.clear();
  std::string field;
  bool quoted = false, in_quotes = false;
  for (std::size_t i = 0; i < row.size(); ++i) {
    const char c = row[i];
    if (in_quotes) {
      if (c == '"' && i + 1 < row.size() && row[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        in_quotes = false;
      } else {
        field += c;
      }
    } else if (c == '"' && trim(field).empty()) {
      field.clear();
      in_quotes = quoted = true;
    } else if (c == ',') {
      out.push_back(quoted ? field : std::string(trim(field)));
      field.clear();
      quoted = false;
    } else {
      field += c;
    }
  }
  if (in_quotes) return false;
  out.push_back(quoted ? field : std::string(trim(field)));
  return true;
}

struct CsvColumns {
  int model = -1, step = -1, loss = -1;
};

std::optional<CsvColumns> csv_header(std::string_view row, int line, FileReader& reader) {
  std::vector<std::string> names;
  if (!csv_fields(row, names)) {
    reader.error(line, "", "a quote is not closed");
    return std::nullopt;
  }
  CsvColumns c;
  for (std::size_t i = 0; i < names.size(); ++i) {
    const std::string name = to_lower(names[i]);
    int* slot = name == "model"  ? &c.model
                : name == "step" ? &c.step
                : name == "loss" ? &c.loss
                                 : nullptr;
    if (!slot) {
      std::string message =
          "unknown column " + dquote(names[i]) + "; expected " + join_choices(kLineKeys);
      if (auto hint = did_you_mean(name, kLineKeys))
        message += " (did you mean " + dquote(*hint) + "?)";
      reader.error(line, "", message);
    } else if (*slot >= 0) {
      reader.error(line, "", "column " + dquote(name) + " appears twice");
    } else {
      *slot = static_cast<int>(i);
    }
  }
  if (c.model < 0)
    reader.error(line, "",
                 "the header names no model column; expected a header such as model,step,loss");
  if (reader.count() > 0) return std::nullopt;
  return c;
}

std::optional<SweepModel> csv_row(std::string_view row, int line, const CsvColumns& c,
                                  std::size_t columns, FileReader& reader) {
  std::vector<std::string> fields;
  if (!csv_fields(row, fields)) {
    reader.error(line, "", "a quote is not closed");
    return std::nullopt;
  }
  if (fields.size() != columns) {
    reader.error(line, "",
                 "expected " + std::to_string(columns) + " fields as the header names; got " +
                     std::to_string(fields.size()));
    return std::nullopt;
  }
  const int before = reader.count();
  SweepModel m;
  m.line = line;
  m.model = fields[static_cast<std::size_t>(c.model)];
  if (m.model.empty()) reader.error(line, "model", "expected the model id; the cell is empty");
  if (c.step >= 0 && !fields[static_cast<std::size_t>(c.step)].empty()) {
    m.step = whole_number(fields[static_cast<std::size_t>(c.step)]);
    if (!m.step)
      reader.error(line, "step",
                   "expected a whole number of training steps, 0 or more; got " +
                       dquote(fields[static_cast<std::size_t>(c.step)]));
  }
  if (c.loss >= 0 && !fields[static_cast<std::size_t>(c.loss)].empty()) {
    m.loss = finite_number(fields[static_cast<std::size_t>(c.loss)]);
    if (!m.loss)
      reader.error(line, "loss",
                   "expected a number (the training loss); got " +
                       dquote(fields[static_cast<std::size_t>(c.loss)]));
  }
  if (reader.count() != before) return std::nullopt;
  return m;
}

}  // namespace

std::optional<long long> checkpoint_step_of(std::string_view model) {
  static constexpr std::array<std::string_view, 4> kMarkers = {"ckpt-step-", "checkpoint-", "step-",
                                                               "step_"};
  std::optional<long long> found;
  std::size_t found_at = 0;
  for (const auto marker : kMarkers) {
    for (std::size_t at = model.find(marker); at != std::string_view::npos;
         at = model.find(marker, at + 1)) {
      // "step-" inside "ckpt-step-" is the same marker; a letter before "step" is another word.
      if (at > 0 && alnum(model[at - 1])) continue;
      std::size_t end = at + marker.size();
      while (end < model.size() && std::isdigit(static_cast<unsigned char>(model[end]))) ++end;
      if (end == at + marker.size() || (end < model.size() && alnum(model[end]))) continue;
      const auto step = whole_number(model.substr(at + marker.size(), end - at - marker.size()));
      if (step && (!found || at >= found_at)) {
        found = step;
        found_at = at;
      }
    }
  }
  return found;
}

std::string sweep_label(const SweepModel& m) {
  return m.step ? "step-" + std::to_string(*m.step) : m.model;
}

std::optional<std::vector<SweepModel>> read_checkpoints_file(const std::filesystem::path& file,
                                                             const std::string& display,
                                                             Diagnostics& errors) {
  const std::string ext = to_lower(file.extension().string());
  if (ext != ".jsonl" && ext != ".csv") {
    errors.add({display, 0, "",
                "a checkpoints file is JSONL (.jsonl) or CSV (.csv); got " +
                    dquote(file.filename().string())});
    return std::nullopt;
  }
  std::string why;
  const auto text = read_file(file, &why);
  if (!text) {
    errors.add({display, 0, "", "cannot read the checkpoints file: " + why});
    return std::nullopt;
  }
  FileReader reader(display, errors);
  std::vector<SweepModel> out;
  std::optional<CsvColumns> columns;
  std::size_t column_count = 0;
  bool header_seen = false;
  int line = 0;
  for (std::string_view rest = *text; !rest.empty();) {
    const auto nl = rest.find('\n');
    std::string_view row = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    ++line;
    if (!row.empty() && row.back() == '\r') row.remove_suffix(1);
    if (trim(row).empty() || trim(row).starts_with('#')) continue;
    std::optional<SweepModel> m;
    if (ext == ".jsonl") {
      m = json_line(row, line, reader);
    } else if (!header_seen) {
      header_seen = true;
      columns = csv_header(row, line, reader);
      if (!columns) return std::nullopt;
      std::vector<std::string> names;
      csv_fields(row, names);
      column_count = names.size();
      continue;
    } else {
      m = csv_row(row, line, *columns, column_count, reader);
    }
    if (!m) continue;
    settle_step(*m, reader);
    out.push_back(std::move(*m));
  }
  // The same model twice, or two models at one step, would make two variants of one name.
  std::map<std::string, int> models, labels;
  for (const auto& m : out) {
    if (auto [it, fresh] = models.emplace(m.model, m.line); !fresh)
      reader.error(
          m.line, "model",
          dquote(m.model) + " is listed twice (first on line " + std::to_string(it->second) + ")");
    else if (auto [at, unique] = labels.emplace(sweep_label(m), m.line); !unique)
      reader.error(m.line, "step",
                   "step " + std::to_string(*m.step) + " is listed twice (first on line " +
                       std::to_string(at->second) + "); a sweep names its variants by step");
  }
  if (reader.count() > 0) return std::nullopt;
  if (out.empty()) {
    errors.add({display, 0, "",
                "lists no model; expected one line a checkpoint, such as {\"model\": "
                "\"ft:gpt-4o-mini-2024-07-18:org:name:ckpt-step-100\", \"loss\": 0.42}"});
    return std::nullopt;
  }
  return out;
}

}  // namespace tb
