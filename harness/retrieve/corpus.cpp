#include "retrieve/corpus.hpp"

#include <algorithm>
#include <array>
#include <fstream>
#include <map>

#include <nlohmann/json.hpp>

#include "common/files.hpp"
#include "common/hash.hpp"
#include "common/json_depth.hpp"
#include "common/text.hpp"
#include "common/utf8.hpp"

namespace tb {
namespace {

constexpr std::array<std::string_view, 4> kLineKeys = {"id", "title", "text", "metadata"};

// The byte offset of the first invalid UTF-8 sequence, if any.
std::optional<std::size_t> invalid_utf8_at(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      ++i;
      continue;
    }
    const std::size_t len = utf8_sequence_length(s, i);
    if (len == 0) return i;
    i += len;
  }
  return std::nullopt;
}

int line_of(std::string_view text, std::size_t offset) {
  return 1 + static_cast<int>(std::count(text.begin(),
                                         text.begin() + static_cast<std::ptrdiff_t>(offset), '\n'));
}

// Windows line endings and a byte-order mark would make the same text hash differently.
std::string normalized(std::string text) {
  if (text.starts_with("\xEF\xBB\xBF")) text.erase(0, 3);
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i)
    if (!(text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n')) out += text[i];
  return out;
}

// "# Title" on the first non-blank line of a Markdown file becomes the title; the rest is text.
void split_markdown_title(CorpusDocument& doc) {
  std::size_t at = doc.text.find_first_not_of(" \t\n");
  if (at == std::string::npos || doc.text.compare(at, 2, "# ") != 0) return;
  const std::size_t eol = doc.text.find('\n', at);
  const std::size_t end = eol == std::string::npos ? doc.text.size() : eol;
  const std::string title(trim(std::string_view(doc.text).substr(at + 2, end - at - 2)));
  if (title.empty()) return;
  doc.title = title;
  const std::size_t body = doc.text.find_first_not_of(" \t\n", end);
  doc.text = body == std::string::npos ? std::string() : doc.text.substr(body);
}

bool is_corpus_file(const std::filesystem::path& p) {
  const std::string ext = to_lower(p.extension().string());
  return ext == ".md" || ext == ".markdown" || ext == ".txt";
}

bool hidden(const std::filesystem::path& relative) {
  for (const auto& part : relative)
    if (part.string().starts_with('.')) return true;
  return false;
}

void load_folder(const std::filesystem::path& folder, const std::string& display, Corpus& corpus,
                 Diagnostics& errors) {
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(folder, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    const auto relative = it->path().lexically_relative(folder);
    if (hidden(relative)) {
      if (it->is_directory()) it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file() && is_corpus_file(it->path())) files.push_back(relative);
  }
  if (ec) {
    errors.add({display, 0, "", "cannot list the corpus folder: " + ec.message()});
    return;
  }
  if (files.empty()) {
    errors.add({display, 0, "", "the corpus folder holds no .md, .markdown or .txt files"});
    return;
  }
  std::sort(files.begin(), files.end(),
            [](const auto& a, const auto& b) { return a.generic_string() < b.generic_string(); });
  std::map<std::string, std::string> seen;  // id -> source
  for (const auto& relative : files) {
    CorpusDocument doc;
    doc.source = (std::filesystem::path(display) / relative).generic_string();
    std::string why;
    auto text = read_file(folder / relative, &why);
    if (!text) {
      errors.add({doc.source, 0, "", "cannot read the file: " + why});
      continue;
    }
    doc.text = normalized(std::move(*text));
    if (const auto bad = invalid_utf8_at(doc.text)) {
      errors.add(
          {doc.source, line_of(doc.text, *bad), "",
           "invalid UTF-8 (byte " + std::to_string(*bad) + " of the file); corpora must be UTF-8"});
      continue;
    }
    auto stem = relative;
    stem.replace_extension();
    doc.id = stem.generic_string();
    doc.title = relative.stem().string();
    if (to_lower(relative.extension().string()) != ".txt") split_markdown_title(doc);
    if (const auto [it, fresh] = seen.emplace(doc.id, doc.source); !fresh) {
      errors.add({doc.source, 0, "",
                  "document id " + dquote(doc.id) + " is also the id of " + it->second +
                      " (ids are file paths without their extension)"});
      continue;
    }
    corpus.documents.push_back(std::move(doc));
  }
}

void load_jsonl(const std::filesystem::path& file, const std::string& display, Corpus& corpus,
                Diagnostics& errors) {
  std::ifstream in;
  std::string why;
  if (!open_regular_file(file, in, &why)) {
    errors.add({display, 0, "", "cannot read the corpus file: " + why});
    return;
  }
  std::map<std::string, int> seen;  // id -> line
  std::string line;
  LineRead read;
  for (int number = 1; (read = read_line(in, line)) != LineRead::end; ++number) {
    if (read == LineRead::too_long) {
      errors.add({display, number, "",
                  "the line is longer than " + byte_size_text(kMaxLineBytes) +
                      ", more than tunebench reads of one document"});
      continue;
    }
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (number == 1 && line.starts_with("\xEF\xBB\xBF")) line.erase(0, 3);
    if (trim(line).empty()) continue;
    auto fail = [&](const std::string& field, const std::string& message) {
      errors.add({display, number, field, message});
    };
    if (const auto bad = invalid_utf8_at(line)) {
      fail("",
           "invalid UTF-8 at byte " + std::to_string(*bad) + " of the line; corpora must be UTF-8");
      continue;
    }
    const auto j = parse_json_bounded(line);
    if (j.is_discarded() || !j.is_object()) {
      fail("", R"(expected a JSON object {"id": ..., "title": ..., "text": ...} on one line)");
      continue;
    }
    bool ok = true;
    for (const auto& [key, value] : j.items()) {
      if (std::find(kLineKeys.begin(), kLineKeys.end(), key) != kLineKeys.end()) continue;
      std::string message = "unknown key; expected one of " + join_choices(kLineKeys);
      if (auto hint = did_you_mean(key, kLineKeys))
        message += " (did you mean " + dquote(*hint) + "?)";
      fail(key, message);
      ok = false;
    }
    CorpusDocument doc;
    doc.source = display + ":" + std::to_string(number);
    const auto id = j.find("id");
    if (id == j.end()) {
      fail("id", "missing; every document needs an id (gold passages name it)");
      ok = false;
    } else if (id->is_string() && !id->get<std::string>().empty()) {
      doc.id = id->get<std::string>();
    } else if (id->is_number_integer()) {
      doc.id = std::to_string(id->get<long long>());
    } else {
      fail("id", "expected a non-empty string or an integer");
      ok = false;
    }
    const auto text = j.find("text");
    if (text == j.end() || !text->is_string() || text->get<std::string>().empty()) {
      fail("text", text == j.end() ? "missing; the document's text is what gets indexed"
                                   : "expected a non-empty string");
      ok = false;
    } else {
      doc.text = text->get<std::string>();
    }
    if (const auto title = j.find("title"); title != j.end() && !title->is_string()) {
      fail("title", "expected a string");
      ok = false;
    } else {
      doc.title = title != j.end() ? title->get<std::string>() : doc.id;
    }
    if (!ok) continue;
    if (const auto [it, fresh] = seen.emplace(doc.id, number); !fresh) {
      fail("id", "duplicate id " + dquote(doc.id) + " (first on line " +
                     std::to_string(it->second) + ")");
      continue;
    }
    corpus.documents.push_back(std::move(doc));
  }
  if (in.bad()) errors.add({display, 0, "", "cannot read the corpus file"});
  if (corpus.documents.empty() && errors.empty())
    errors.add({display, 0, "", "the corpus file holds no documents"});
}

}  // namespace

const CorpusDocument* Corpus::find(std::string_view id) const {
  for (const auto& d : documents)
    if (d.id == id) return &d;
  return nullptr;
}

std::optional<Corpus> load_corpus(const std::filesystem::path& path, const std::string& display,
                                  Diagnostics& errors) {
  const std::size_t errors_before = errors.size();
  Corpus corpus;
  corpus.path = path;
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    load_folder(path, display, corpus, errors);
  } else if (!std::filesystem::exists(path, ec)) {
    errors.add({display, 0, "", "no such corpus file or folder"});
  } else if (to_lower(path.extension().string()) != ".jsonl") {
    errors.add(
        {display, 0, "",
         "expected a folder of .md/.txt files or a .jsonl file of {\"id\", \"title\", \"text\"}"});
  } else {
    load_jsonl(path, display, corpus, errors);
  }
  if (errors.size() != errors_before) return std::nullopt;
  // One digest per document, then one over the digests: no copy of the whole corpus.
  std::string digests;
  digests.reserve(corpus.documents.size() * 64);
  for (const auto& d : corpus.documents) {
    digests += sha256_hex(d.id + '\0' + d.title + '\0' + d.text);
    corpus.bytes += d.title.size() + d.text.size();
  }
  corpus.content_hash = sha256_hex(digests);
  return corpus;
}

}  // namespace tb
