#pragma once
// A system prompt cut into the pieces a prompt ablation removes one at a time: markdown
// headings, paragraphs and fenced code blocks (a TypeScript interface, a JSON example) kept
// whole, each with its exact token count.
#include <cstddef>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tb {

struct PromptSection {
  enum class Kind { heading, paragraph, fenced };
  std::size_t index = 0;  // 1-based, in prompt order
  Kind kind = Kind::paragraph;
  // The heading's text, a fenced block's info string and first line, or a paragraph's first
  // words; one line, short, for tables.
  std::string label;
  std::string text;      // the section's lines exactly as in the prompt, without the final newline
  long long tokens = 0;  // of `text` alone, with the counter given to split_prompt
};

std::string_view to_string(PromptSection::Kind kind);

// Splits a prompt into sections, in order:
// - a fenced block (a line opening with ``` or ~~~, to the line closing it with the same
//   fence, or to the end) is one section, blank lines inside included;
// - a markdown heading (# to ###### and a space) starts a section that runs to the next blank
//   line, fence or heading (a heading directly followed by its text is one section);
// - any other run of non-blank lines is a paragraph.
// Blank lines only separate; a prompt of blank lines has no sections. `count_tokens` gives
// each section's token count.
std::vector<PromptSection> split_prompt(
    std::string_view prompt, const std::function<long long(std::string_view)>& count_tokens);

// The prompt made of the sections whose `keep` is true, in their order, separated by one
// blank line.
std::string join_sections(std::span<const PromptSection> sections, const std::vector<bool>& keep);

}  // namespace tb
