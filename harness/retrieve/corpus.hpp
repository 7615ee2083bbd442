// The documents a rag variant retrieves passages from: a folder of .md/.txt files, or a JSONL
// file of {"id", "title", "text"} lines.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "common/diagnostic.hpp"

namespace tb {

struct CorpusDocument {
  // Folder: the path below the folder without its extension ("net/tls-handshake"), so an id
  // survives a move of the folder; JSONL: the line's "id".
  std::string id;
  // Markdown: its first "# " heading (removed from `text`); a text file: its file name without
  // the extension; JSONL: "title", else the id.
  std::string title;
  std::string text;
  std::string source;  // where it came from, for messages: "corpus/a.md" or "corpus.jsonl:12"
};

struct Corpus {
  std::filesystem::path path;
  std::vector<CorpusDocument> documents;  // folder: by relative path; JSONL: by line
  // SHA-256 over every document's id, title and text in order: whether an index built from
  // this corpus is still current. Not over file times: a corpus copied or checked out anew
  // keeps its index, and a touched but unchanged file never costs a rebuild.
  std::string content_hash;
  std::size_t bytes = 0;  // of titles and texts

  const CorpusDocument* find(std::string_view id) const;
};

// Reads a corpus, reporting every problem with its file:line (`display` names the path as the
// user wrote it): unreadable files, invalid UTF-8, a JSONL line that is not an object with a
// string "id" and "text", unknown keys, duplicate ids, a folder without .md or .txt files.
std::optional<Corpus> load_corpus(const std::filesystem::path& path, const std::string& display,
                                  Diagnostics& errors);

}  // namespace tb
