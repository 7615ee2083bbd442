#include "analysis/prompt_sections.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "token/chat_token_counter.hpp"

using namespace tb;

namespace {

// Words, so that counts are known by reading the test.
long long words(std::string_view text) {
  long long n = 0;
  bool in_word = false;
  for (const char c : text) {
    const bool space = c == ' ' || c == '\n' || c == '\t' || c == '\r';
    if (!space && !in_word) ++n;
    in_word = !space;
  }
  return n;
}

const char* kPrompt =
    "# Role\n"
    "You are a glossary writer.\n"
    "\n"
    "Answer in one JSON object.\n"
    "Nothing else.\n"
    "\n"
    "\n"
    "## Schema\n"
    "\n"
    "```ts\n"
    "interface Term {\n"
    "\n"
    "  term: string;\n"
    "}\n"
    "```\n"
    "Examples follow.\n"
    "### Tone ###\n"
    "Be brief.\n";

}  // namespace

TEST_CASE("a prompt splits at headings, blank lines and fenced blocks kept whole", "[ablate]") {
  const auto sections = split_prompt(kPrompt, words);
  REQUIRE(sections.size() == 6);

  CHECK(sections[0].index == 1);
  CHECK(sections[0].kind == PromptSection::Kind::heading);
  CHECK(sections[0].label == "Role");
  CHECK(sections[0].text == "# Role\nYou are a glossary writer.");  // a heading with its text
  CHECK(sections[0].tokens == 7);

  CHECK(sections[1].kind == PromptSection::Kind::paragraph);
  CHECK(sections[1].text == "Answer in one JSON object.\nNothing else.");
  CHECK(sections[1].label == "Answer in one JSON object. Nothing else.");
  CHECK(sections[1].tokens == 7);

  CHECK(sections[2].kind == PromptSection::Kind::heading);
  CHECK(sections[2].text == "## Schema");

  // The blank line inside the block does not split it; the block ends at its closing fence and
  // the paragraph right after it is a section of its own.
  CHECK(sections[3].kind == PromptSection::Kind::fenced);
  CHECK(sections[3].text == "```ts\ninterface Term {\n\n  term: string;\n}\n```");
  CHECK(sections[3].label == "```ts interface Term {");
  CHECK(sections[3].tokens == 8);

  CHECK(sections[4].kind == PromptSection::Kind::paragraph);
  CHECK(sections[4].text == "Examples follow.");

  // A heading ends the paragraph before it; its closing #s are not part of its label.
  CHECK(sections[5].kind == PromptSection::Kind::heading);
  CHECK(sections[5].label == "Tone");
  CHECK(sections[5].text == "### Tone ###\nBe brief.");
  CHECK(sections[5].index == 6);
}

TEST_CASE("what is not a heading or a fence stays in its paragraph", "[ablate]") {
  const auto sections = split_prompt(
      "#hashtag is no heading\n``not a fence``\n####### seven\n    # indented code", words);
  REQUIRE(sections.size() == 1);
  CHECK(sections[0].kind == PromptSection::Kind::paragraph);
}

TEST_CASE("an unclosed fence runs to the end; ~~~ fences close only with ~~~", "[ablate]") {
  const auto sections = split_prompt("Intro.\n~~~\na\n```\n\nb\n", words);
  REQUIRE(sections.size() == 2);
  CHECK(sections[1].kind == PromptSection::Kind::fenced);
  CHECK(sections[1].text == "~~~\na\n```\n\nb");
}

TEST_CASE("a prompt of blank lines has no sections; long labels are cut", "[ablate]") {
  CHECK(split_prompt("", words).empty());
  CHECK(split_prompt("\n  \n\t\n", words).empty());
  const auto one = split_prompt(std::string(100, 'x'), words);
  REQUIRE(one.size() == 1);
  CHECK(one[0].label.size() == 40);
  CHECK(one[0].label.ends_with("..."));
}

TEST_CASE("CRLF prompts split like LF ones", "[ablate]") {
  const auto sections = split_prompt("# A\r\none\r\n\r\ntwo\r\n", words);
  REQUIRE(sections.size() == 2);
  CHECK(sections[0].label == "A");
  CHECK(sections[1].text == "two\r");
}

TEST_CASE("joining keeps the chosen sections in order, a blank line apart", "[ablate]") {
  const auto sections = split_prompt(kPrompt, words);
  CHECK(join_sections(sections, {false, true, false, true, false, false}) ==
        "Answer in one JSON object.\nNothing else.\n\n```ts\ninterface Term {\n\n  term: "
        "string;\n}\n```");
  CHECK(join_sections(sections, std::vector<bool>(6, false)).empty());
  CHECK(join_sections(sections, {true}) == "# Role\nYou are a glossary writer.");
}

TEST_CASE("sections are counted with the model's tokenizer", "[ablate]") {
  std::filesystem::path dir;
  if (const char* env = std::getenv("TIKTOKEN_CACHE_DIR"); env != nullptr && *env != '\0')
    dir = env;
  else
    dir = TUNEBENCH_VOCAB_DIR;
  if (!std::filesystem::is_regular_file(dir / "o200k_base.tiktoken"))
    FAIL("o200k_base.tiktoken is missing from " << dir << ": run scripts/setup");
  const auto counter = ChatTokenCounter::for_model("gpt-4o-mini", dir);
  REQUIRE(counter);
  const auto count = [&](std::string_view text) {
    return static_cast<long long>(counter->encoding().count(text, SpecialTokens::as_text));
  };
  const auto sections = split_prompt("Hello world\n\n```json\n{\"term\": \"x\"}\n```", count);
  REQUIRE(sections.size() == 2);
  CHECK(sections[0].tokens == 2);  // "Hello", " world"
  CHECK(sections[1].tokens == count("```json\n{\"term\": \"x\"}\n```"));
  CHECK(sections[1].tokens > 5);
}
