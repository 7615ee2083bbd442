#pragma once
// Results the writer could not store (a database locked for too long, a full disk) are kept in a
// file beside the database, DB.unsaved-PID.jsonl, one record per line: answers that were paid for
// are not thrown away. When that folder cannot be written either (its disk is full), the file
// goes to the temporary folder ($TMPDIR) as tunebench-HASH-DB.unsaved-PID.jsonl, HASH naming the
// database's absolute path. The next `tunebench run` on the database stores them first
// (store_unsaved_results in store/result_writer.hpp).
#include <filesystem>
#include <string>
#include <variant>
#include <vector>

#include "store/records.hpp"

namespace tb {

using StoreItem = std::variant<CaseRecord, ResultRecord, CacheRecord>;

// The unsaved-results files of a database (beside it and in the temporary folder), oldest
// first; not those of a process that still runs (it may still add to its file).
std::vector<std::filesystem::path> unsaved_result_files(const std::filesystem::path& db);

// Appends the items to this process's file, beside the database or else in the temporary folder;
// `file` names where they went. False with `error` when neither could take them.
bool save_unsaved(const std::filesystem::path& db, const std::vector<StoreItem>& items,
                  std::filesystem::path& file, std::string& error);

// The items of one file; false with `error` for a file that cannot be read (a torn last line,
// written as the process died, is skipped).
bool load_unsaved(const std::filesystem::path& file, std::vector<StoreItem>& items,
                  std::string& error);

}  // namespace tb
