#include <cstdint>
#include <filesystem>
#include <iostream>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/commands.hpp"
#include "app/exit_codes.hpp"
#include "common/files.hpp"
#include "common/text.hpp"
#include "token/encoding.hpp"

namespace tb {
namespace {

struct TokensArgs {
  std::string encoding;
  std::string model;
  bool ids = false;
  bool allow_special = false;
  std::string special = "error";
  std::string vocab_dir;
  std::vector<std::string> files;
};

constexpr const char* kModelFamilies =
    "gpt-4o*, gpt-4.1*, gpt-4.5*, gpt-5*, o1*, o3*, o4*, chatgpt-4o* (o200k_base); "
    "gpt-4, gpt-4-*, gpt-3.5-turbo*, text-embedding-3-*, text-embedding-ada-002 (cl100k_base); "
    "ft:BASE:... as BASE";

// Encoding errors name the byte offset; the library's hint names its API, the CLI's its flag.
std::string cli_message(const TokenizerError& e) {
  std::string message = e.what();
  if (message.starts_with("text contains the special token")) {
    message = message.substr(0, message.find("; use SpecialTokens"));
    message += "; special tokens are not allowed in text (as tiktoken does): pass --special text to "
               "count it as ordinary text (as the API bills it in a message), or --special allow to encode "
               "it as the special token";
  }
  return message;
}

int tokens(const TokensArgs& args) {
  EncodingName name = EncodingName::o200k_base;
  if (!args.model.empty()) {
    const auto from_model = encoding_for_model(args.model);
    if (!from_model) {
      std::cerr << "error: --model: unknown model " << dquote(args.model)
                << "; known families: " << kModelFamilies << ". Or pass --encoding cl100k_base|o200k_base\n";
      return kExitUsage;
    }
    name = *from_model;
  } else if (!args.encoding.empty()) {
    name = *parse_encoding_name(args.encoding);  // CLI11 checked the choice
  }
  std::shared_ptr<const Encoding> encoding;
  try {
    encoding = Encoding::load(name, args.vocab_dir);
  } catch (const TokenizerError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return kExitUsage;
  }
  if (args.allow_special && args.special != "error" && args.special != "allow") {
    std::cerr << "error: --allow-special is --special allow; it contradicts --special " << args.special << "\n";
    return kExitUsage;
  }
  const SpecialTokens special = args.allow_special || args.special == "allow" ? SpecialTokens::allow
                                : args.special == "text"                      ? SpecialTokens::as_text
                                                                              : SpecialTokens::disallow;

  int status = kExitOk;
  bool stdin_read = false;
  for (const std::string& file : args.files) {
    std::optional<std::string> text;
    std::string why;
    if (file == "-") {
      if (stdin_read) {
        std::cerr << "error: -: standard input can be read only once\n";
        status = kExitUsage;
        continue;
      }
      stdin_read = true;
      text.emplace(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    } else if (std::error_code ec; std::filesystem::is_directory(file, ec)) {
      std::cerr << "error: " << file << ": is a directory\n";
      status = kExitUsage;
      continue;
    } else {
      text = read_file(file, &why);
    }
    if (!text) {
      std::cerr << "error: cannot read " << file << ": " << why << "\n";
      status = kExitUsage;
      continue;
    }
    try {
      if (args.ids) {
        std::string out = "[";
        bool first = true;
        for (const std::uint32_t id : encoding->encode(*text, special)) {
          if (!first) out += ',';
          first = false;
          out += std::to_string(id);
        }
        std::cout << out << "]\t" << file << "\n";
      } else {
        std::cout << encoding->count(*text, special) << "\t" << file << "\n";
      }
    } catch (const TokenizerError& e) {
      std::cout.flush();
      std::cerr << "error: " << file << ": " << cli_message(e) << "\n";
      status = kExitUsage;
    }
  }
  return status;
}

}  // namespace

void add_tokens_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<TokensArgs>();
  auto* cmd = app.add_subcommand("tokens", "Count tokens (or list token ids) of files, as OpenAI's tiktoken does");
  cmd->add_option("files", args->files, "Files to encode; - reads standard input")->required();
  auto* encoding = cmd->add_option("--encoding", args->encoding, "cl100k_base or o200k_base (default o200k_base)")
                       ->check(CLI::IsMember({"cl100k_base", "o200k_base"}));
  auto* model = cmd->add_option("--model", args->model,
                                "Use the encoding of this model (gpt-4o-mini, gpt-3.5-turbo, ft:BASE:..., ...)");
  encoding->excludes(model);
  cmd->add_flag("--ids", args->ids, "Print the token ids as a JSON array instead of the count");
  cmd->add_option("--special", args->special,
                  "Text that spells a special token such as <|endoftext|>: error (as tiktoken), text (ordinary "
                  "text: how the API counts it in a message's content) or allow (the special token)")
      ->check(CLI::IsMember({"error", "text", "allow"}))
      ->capture_default_str();
  cmd->add_flag("--allow-special", args->allow_special, "The same as --special allow");
  cmd->add_option("--vocab-dir", args->vocab_dir,
                  "Folder holding cl100k_base.tiktoken / o200k_base.tiktoken (default: $TIKTOKEN_CACHE_DIR, "
                  "then ~/.local/share/tunebench/vocab)");
  cmd->footer("Prints COUNT<TAB>FILE per file (with --ids: [ID,...]<TAB>FILE). Counts are of the raw text;\n"
              "`tunebench prompts SUITE` counts chat requests as the API bills them.\n"
              "Exit 2 for a missing file, invalid UTF-8 or a special token in the text (with its byte offset),\n"
              "an unknown model or missing rank files.\n"
              "Example: echo -n 'hello world' | tunebench tokens --encoding cl100k_base -");
  cmd->callback([args, &exit_code] { exit_code = tokens(*args); });
}

}  // namespace tb
