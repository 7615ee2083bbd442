#include <fstream>
#include <iostream>

#include <nlohmann/json.hpp>

#include "app/commands.hpp"
#include "app/exit_codes.hpp"
#include "common/files.hpp"
#include "score/json_schema.hpp"

namespace tb {
namespace {

struct SchemaArgs {
  std::string schema;
  std::string draft;
  bool formats = false;
  std::vector<std::string> ref_maps;
  std::vector<std::string> files;
  std::string jsonl;
};

// "valid" or "invalid" followed by every violation on the same line, so each instance is one
// line whatever it holds (a script can `grep -c ^invalid`).
// The tape answers "valid" cheaply; the violations of an invalid instance come from its json.
std::string verdict(const CompiledSchema& schema, const JsonTape& instance) {
  if (schema.is_valid(instance)) return "valid";
  const auto violations = schema.validate(instance.to_json());
  if (violations.empty()) return "valid";
  std::string line = "invalid";
  for (const auto& v : violations) {
    line += (line.size() == 7 ? " " : "; ") +
            (v.instance_path.empty() ? std::string("/") : v.instance_path) + ": " + v.message +
            " [" + v.schema_path + "]";
  }
  return line;
}

int validate(const SchemaArgs& args) {
  if (args.files.empty() == args.jsonl.empty()) {
    std::cerr << "error: give instance FILEs or --jsonl FILE (one of the two)\n";
    return kExitUsage;
  }
  SchemaOptions options;
  options.assert_formats = args.formats;
  if (args.draft == "7" || args.draft == "draft-07" || args.draft == "draft7")
    options.default_draft = SchemaDraft::draft7;
  else if (!args.draft.empty() && args.draft != "2020-12") {
    std::cerr << "error: --draft: expected 2020-12 or 7; got \"" << args.draft << "\"\n";
    return kExitUsage;
  }
  for (const auto& m : args.ref_maps) {
    const auto eq = m.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == m.size()) {
      std::cerr << "error: --ref-map: expected URL_PREFIX=DIR; got \"" << m << "\"\n";
      return kExitUsage;
    }
    options.ref_map.emplace_back(m.substr(0, eq), m.substr(eq + 1));
  }
  std::optional<CompiledSchema> schema;
  try {
    schema = CompiledSchema::load(args.schema, options);
  } catch (const SchemaError& e) {
    std::cerr << "error: " << args.schema << ": " << e.what() << "\n";
    return kExitUsage;
  }
  bool all_valid = true;
  if (!args.jsonl.empty()) {
    std::ifstream in;
    std::string why;
    if (!open_regular_file(args.jsonl, in, &why)) {
      std::cerr << "error: cannot read " << args.jsonl << ": " << why << "\n";
      return kExitUsage;
    }
    std::string text;
    int line = 0;
    for (LineRead read; (read = read_line(in, text)) != LineRead::end;) {
      ++line;
      if (read == LineRead::too_long) {
        std::cout << "invalid " << args.jsonl << ":" << line << ": the line is longer than "
                  << byte_size_text(kMaxLineBytes) << "\n";
        all_valid = false;
        continue;
      }
      if (!text.empty() && text.back() == '\r') text.pop_back();
      std::string error;
      const auto instance = JsonTape::parse(text, &error);
      if (!instance) {
        std::cout << "invalid " << args.jsonl << ":" << line << ": not JSON (" << error << ")\n";
        all_valid = false;
        continue;
      }
      const std::string v = verdict(*schema, *instance);
      all_valid &= v == "valid";
      std::cout << v << "\n";
    }
    return all_valid ? kExitOk : kExitChecksFailed;
  }
  for (const auto& file : args.files) {
    std::string why;
    const auto text = read_file(file, &why);
    if (!text) {
      std::cerr << "error: cannot read " << file << ": " << why << "\n";
      return kExitUsage;
    }
    std::string error;
    const auto instance = JsonTape::parse(*text, &error);
    if (!instance) {
      std::cout << "invalid " << file << ": not JSON (" << error << ")\n";
      all_valid = false;
      continue;
    }
    const std::string v = verdict(*schema, *instance);
    all_valid &= v == "valid";
    std::cout << v << (args.files.size() > 1 ? "\t" + file : "") << "\n";
  }
  return all_valid ? kExitOk : kExitChecksFailed;
}

}  // namespace

void add_schema_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<SchemaArgs>();
  auto* schema = app.add_subcommand("schema", "JSON Schema tools (draft 2020-12 and draft-07)");
  schema->require_subcommand(1);
  auto* cmd = schema->add_subcommand("validate", "Validate JSON instances against a schema");
  cmd->add_option("--schema", args->schema, "Schema file")->required()->check(CLI::ExistingFile);
  cmd->add_option("--draft", args->draft,
                  "Draft when the schema has no $schema: 2020-12 (default) or 7");
  cmd->add_flag("--formats", args->formats,
                "Assert formats (date-time, email, uri, ...) instead of annotating");
  cmd->add_option("--ref-map", args->ref_maps,
                  "URL_PREFIX=DIR: resolve $refs under the prefix from files under DIR "
                  "(repeatable; never the network)")
      ->allow_extra_args(false);
  cmd->add_option("files", args->files, "Instance files, one JSON document each");
  cmd->add_option("--jsonl", args->jsonl,
                  "One instance per line; one output line per instance, in order");
  cmd->footer(
      "Prints `valid` or `invalid` followed by the violations (path: message [keyword location]) "
      "per instance.\n"
      "Exit 0 all valid, 1 some invalid, 2 bad schema or input.");
  cmd->callback([args, &exit_code] { exit_code = validate(*args); });
}

}  // namespace tb
