#include "analysis/prompt_sections.hpp"

#include "common/text.hpp"

namespace tb {
namespace {

constexpr std::size_t kLabelChars = 40;

struct Line {
  std::size_t begin = 0;  // offset in the prompt
  std::size_t end = 0;    // before its '\n'
  std::string_view text;
};

std::vector<Line> lines_of(std::string_view prompt) {
  std::vector<Line> lines;
  std::size_t begin = 0;
  while (begin <= prompt.size()) {
    std::size_t end = prompt.find('\n', begin);
    if (end == std::string_view::npos) end = prompt.size();
    lines.push_back({begin, end, prompt.substr(begin, end - begin)});
    begin = end + 1;
  }
  return lines;
}

bool blank(std::string_view line) {
  return trim(line).empty();
}

// Up to three spaces of indentation, as CommonMark allows before a heading or fence.
std::string_view unindent(std::string_view line) {
  std::size_t spaces = 0;
  while (spaces < line.size() && spaces < 3 && line[spaces] == ' ') ++spaces;
  return line.substr(spaces);
}

// "```ts" -> the fence "```"; not a fence -> empty.
std::string_view fence_of(std::string_view line) {
  const std::string_view s = unindent(line);
  if (s.empty() || (s[0] != '`' && s[0] != '~')) return {};
  std::size_t n = 0;
  while (n < s.size() && s[n] == s[0]) ++n;
  return n >= 3 ? s.substr(0, n) : std::string_view();
}

bool closes(std::string_view line, std::string_view fence) {
  const std::string_view s = trim(unindent(line));
  if (s.size() < fence.size()) return false;
  for (const char c : s)
    if (c != fence[0]) return false;
  return true;
}

// "## Output rules" -> "Output rules"; not a heading -> false.
bool heading_text(std::string_view line, std::string& text) {
  const std::string_view s = unindent(line);
  std::size_t n = 0;
  while (n < s.size() && s[n] == '#') ++n;
  if (n == 0 || n > 6 || (n < s.size() && s[n] != ' ' && s[n] != '\t')) return false;
  std::string_view rest = trim(s.substr(n));
  while (!rest.empty() && rest.back() == '#') rest.remove_suffix(1);  // closing sequence
  text = std::string(trim(rest));
  return true;
}

std::string one_line(std::string_view text) {
  std::string out;
  for (const char c : text) {
    const bool space = c == '\n' || c == '\r' || c == '\t' || c == ' ';
    if (space) {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += c;
    }
  }
  return ellipsize(trim(out), kLabelChars);
}

std::string fenced_label(const std::vector<Line>& lines, std::size_t first, std::size_t last,
                         std::string_view fence) {
  const std::string_view info = trim(unindent(lines[first].text).substr(fence.size()));
  std::string code;
  for (std::size_t i = first + 1; i <= last && code.empty(); ++i)
    if (!blank(lines[i].text) && !closes(lines[i].text, fence))
      code = std::string(trim(lines[i].text));
  std::string label = std::string(fence) + std::string(info);
  if (!code.empty()) label += " " + code;
  return one_line(label);
}

}  // namespace

std::string_view to_string(PromptSection::Kind kind) {
  switch (kind) {
    case PromptSection::Kind::heading:
      return "heading";
    case PromptSection::Kind::fenced:
      return "fenced";
    case PromptSection::Kind::paragraph:
      break;
  }
  return "paragraph";
}

std::vector<PromptSection> split_prompt(
    std::string_view prompt, const std::function<long long(std::string_view)>& count_tokens) {
  const std::vector<Line> lines = lines_of(prompt);
  std::vector<PromptSection> sections;
  auto add = [&](PromptSection::Kind kind, std::size_t first, std::size_t last, std::string label) {
    PromptSection s;
    s.index = sections.size() + 1;
    s.kind = kind;
    s.label = std::move(label);
    s.text = std::string(prompt.substr(lines[first].begin, lines[last].end - lines[first].begin));
    s.tokens = count_tokens(s.text);
    sections.push_back(std::move(s));
  };
  std::size_t i = 0;
  while (i < lines.size()) {
    if (blank(lines[i].text)) {
      ++i;
      continue;
    }
    const std::size_t first = i;
    if (const std::string_view fence = fence_of(lines[i].text); !fence.empty()) {
      std::size_t last = i + 1;
      while (last < lines.size() && !closes(lines[last].text, fence)) ++last;
      if (last == lines.size()) {  // never closed: the block runs to the end
        --last;
        while (last > first && blank(lines[last].text)) --last;
      }
      add(PromptSection::Kind::fenced, first, last, fenced_label(lines, first, last, fence));
      i = last + 1;
      continue;
    }
    std::string heading;
    const bool is_heading = heading_text(lines[i].text, heading);
    std::size_t last = i;
    std::string ignored;
    while (last + 1 < lines.size() && !blank(lines[last + 1].text) &&
           fence_of(lines[last + 1].text).empty() && !heading_text(lines[last + 1].text, ignored))
      ++last;
    if (is_heading)
      add(PromptSection::Kind::heading, first, last,
          one_line(heading.empty() ? std::string_view("#") : std::string_view(heading)));
    else
      add(PromptSection::Kind::paragraph, first, last,
          one_line(prompt.substr(lines[first].begin, lines[last].end - lines[first].begin)));
    i = last + 1;
  }
  return sections;
}

std::string join_sections(std::span<const PromptSection> sections, const std::vector<bool>& keep) {
  std::string out;
  for (std::size_t i = 0; i < sections.size(); ++i) {
    if (i >= keep.size() || !keep[i]) continue;
    if (!out.empty()) out += "\n\n";
    out += sections[i].text;
  }
  return out;
}

}  // namespace tb
