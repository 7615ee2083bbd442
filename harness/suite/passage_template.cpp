#include "suite/passage_template.hpp"

#include <algorithm>
#include <array>

#include "common/text.hpp"

namespace tb {
namespace {

using json = nlohmann::json;

constexpr std::array<std::string_view, 1> kBlockNames = {"passages"};
constexpr std::array<std::string_view, 6> kPassageNames = {"n",     "id",   "document",
                                                           "title", "text", "score"};

// Calls `literal` and `placeholder` for the pieces of a template in order; false at a "{{"
// without its "}}".
template <typename Literal, typename Placeholder>
bool walk(std::string_view text, Literal literal, Placeholder placeholder) {
  std::size_t at = 0;
  while (at < text.size()) {
    const std::size_t open = text.find("{{", at);
    if (open == std::string_view::npos) break;
    const std::size_t close = text.find("}}", open + 2);
    if (close == std::string_view::npos) return false;
    literal(text.substr(at, open - at));
    placeholder(text.substr(open + 2, close - open - 2));
    at = close + 2;
  }
  literal(text.substr(std::min(at, text.size())));
  return true;
}

std::string content_text(const json& content) {
  if (content.is_string()) return content.get<std::string>();
  std::string out;
  if (content.is_array())
    for (const auto& part : content)
      if (part.is_object() && part.contains("text") && part["text"].is_string())
        out += part["text"].get<std::string>();
  return out;
}

void append_text(json& message, const std::string& text) {
  json& content = message["content"];
  if (content.is_array())
    content.push_back({{"type", "text"}, {"text", "\n\n" + text}});
  else if (content.is_string() && !content.get_ref<const std::string&>().empty())
    content = content.get<std::string>() + "\n\n" + text;
  else
    content = text;
}

}  // namespace

std::optional<std::string> invalid_template(std::string_view text, bool block) {
  const auto names = block ? std::span<const std::string_view>(kBlockNames)
                           : std::span<const std::string_view>(kPassageNames);
  std::optional<std::string> problem;
  bool has_passages = false;
  const bool closed = walk(
      text, [](std::string_view) {},
      [&](std::string_view name) {
        if (problem) return;
        if (std::find(names.begin(), names.end(), name) != names.end()) {
          has_passages |= name == "passages";
          return;
        }
        std::string message = "unknown placeholder {{" + std::string(name) + "}}; expected ";
        for (std::size_t i = 0; i < names.size(); ++i)
          message += (i == 0                  ? ""
                      : i + 1 == names.size() ? " or "
                                              : ", ") +
                     ("{{" + std::string(names[i]) + "}}");
        if (auto hint = did_you_mean(name, names)) message += " (did you mean {{" + *hint + "}}?)";
        problem = message;
      });
  if (!closed) return "a {{ without its }}; placeholders are written {{name}}";
  if (problem) return problem;
  if (block && !has_passages) return "no {{passages}}: the block must say where the passages go";
  return std::nullopt;
}

std::string render_passage_block(const PassageTemplate& tmpl,
                                 std::span<const PassageView> passages) {
  std::string list;
  for (std::size_t i = 0; i < passages.size(); ++i) {
    const PassageView& p = passages[i];
    if (i > 0) list += tmpl.separator;
    walk(
        tmpl.passage, [&](std::string_view literal) { list += literal; },
        [&](std::string_view name) {
          if (name == "n")
            list += std::to_string(i + 1);
          else if (name == "id")
            list += p.id;
          else if (name == "document")
            list += p.document;
          // A chunk's edges are wherever its tokens fell: blank lines and spaces there
          // would only pad the prompt.
          else if (name == "title")
            list += trim(p.title);
          else if (name == "text")
            list += trim(p.text);
          else if (name == "score")
            list += fixed(p.score, 4);
        });
  }
  if (passages.empty()) list = tmpl.none;
  std::string out;
  walk(
      tmpl.text, [&](std::string_view literal) { out += literal; },
      [&](std::string_view name) {
        if (name == "passages") out += list;
      });
  return out;
}

void insert_passage_block(const PassageTemplate& tmpl, const std::string& block, json& messages) {
  if (!messages.is_array()) return;
  if (tmpl.position == PassageTemplate::Position::system) {
    for (auto& m : messages) {
      const std::string role = m.is_object() ? m.value("role", "") : "";
      if (role == "system" || role == "developer") {
        append_text(m, block);
        return;
      }
    }
    messages.insert(messages.begin(), json{{"role", "system"}, {"content", block}});
    return;
  }
  std::size_t question = messages.size();
  for (std::size_t i = messages.size(); i-- > 0;)
    if (messages[i].is_object() && messages[i].value("role", "") == "user") {
      question = i;
      break;
    }
  messages.insert(messages.begin() + static_cast<std::ptrdiff_t>(question),
                  json{{"role", "user"}, {"content", block}});
}

std::string retrieval_query(const QuerySpec& query, const json& messages) {
  if (!messages.is_array()) return {};
  auto is_user = [](const json& m) { return m.is_object() && m.value("role", "") == "user"; };
  switch (query.pick) {
    case QuerySpec::Pick::last_user:
      for (auto it = messages.rbegin(); it != messages.rend(); ++it)
        if (is_user(*it)) return content_text(it->value("content", json()));
      return {};
    case QuerySpec::Pick::first_user:
      for (const auto& m : messages)
        if (is_user(m)) return content_text(m.value("content", json()));
      return {};
    case QuerySpec::Pick::all_user: {
      std::string out;
      for (const auto& m : messages)
        if (is_user(m)) out += (out.empty() ? "" : "\n") + content_text(m.value("content", json()));
      return out;
    }
    case QuerySpec::Pick::message: {
      const auto n = static_cast<long long>(messages.size());
      const long long at = query.message < 0 ? n + query.message : query.message;
      if (at < 0 || at >= n || !messages[static_cast<std::size_t>(at)].is_object()) return {};
      return content_text(messages[static_cast<std::size_t>(at)].value("content", json()));
    }
  }
  return {};
}

std::string QuerySpec::text() const {
  switch (pick) {
    case Pick::last_user:
      return "last-user";
    case Pick::first_user:
      return "first-user";
    case Pick::all_user:
      return "all-user";
    case Pick::message:
      return std::to_string(message);
  }
  return {};
}

}  // namespace tb
