#include <set>

#include "common/text.hpp"
#include "score/checks/check_factories.hpp"
#include "score/checks/check_spec.hpp"

namespace tb {
namespace {

using json = nlohmann::json;

// Words: runs of ASCII letters and digits, or of other (UTF-8) bytes; lowercased.
std::vector<std::string> words(std::string_view text) {
  std::vector<std::string> out;
  auto word_byte = [](unsigned char c) {
    return c >= 0x80 || (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
  };
  for (std::size_t i = 0; i < text.size();) {
    if (!word_byte(static_cast<unsigned char>(text[i]))) {
      ++i;
      continue;
    }
    std::size_t end = i;
    while (end < text.size() && word_byte(static_cast<unsigned char>(text[end]))) ++end;
    out.push_back(to_lower(text.substr(i, end - i)));
    i = end;
  }
  return out;
}

// Whether the retrieved passages hold what the answer needs: the share of the reference's key
// facts found in them, lexically (no model). A JSON reference's facts are its leaf values (the
// strings and numbers, at `fields` or everywhere), each looked for as a whole in the passages
// (case and whitespace ignored); a text reference's facts are its distinct words. It judges the
// retrieval, not the answer: a rag result passes when its prompt held the answer, whatever the
// model made of it. Results without a retrieval (other strategies) are not judged.
class ContextRecallCheck final : public Check {
 public:
  ContextRecallCheck(std::vector<std::pair<json::json_pointer, std::string>> fields,
                     double threshold)
      : fields_(std::move(fields)), threshold_(threshold) {}

  CheckOutcome evaluate(const CheckInput& in) const override {
    if (!in.retrieval) return {false, 0, "", false};
    if (!in.has_reference) return {false, 0, "the case has no reference answer to look for"};
    const std::string context = fold_text(in.retrieved_context);
    std::size_t found = 0, total = 0;
    std::string first_missing;
    auto look_for = [&](const std::string& fact, const std::string& where) {
      const std::string needle = fold_text(fact);
      if (needle.empty()) return;
      ++total;
      if (context.find(needle) != std::string::npos)
        ++found;
      else if (first_missing.empty())
        first_missing = where.empty() ? ellipsize(fact, 40) : where;
    };
    if (const json* reference = in.reference_json();
        reference != nullptr && reference->is_structured()) {
      if (fields_.empty()) {
        leaves(*reference, "", look_for);
      } else {
        for (const auto& [pointer, text] : fields_)
          if (reference->contains(pointer)) leaves(reference->at(pointer), text, look_for);
      }
    } else {
      std::set<std::string> context_words;
      for (auto& w : words(in.retrieved_context)) context_words.insert(std::move(w));
      std::set<std::string> seen;
      for (const auto& w : words(in.reference)) {
        if (!seen.insert(w).second) continue;
        ++total;
        if (context_words.contains(w))
          ++found;
        else if (first_missing.empty())
          first_missing = dquote(w);
      }
    }
    if (total == 0) return {false, 0, "the reference answer holds nothing to look for"};
    const double share = static_cast<double>(found) / static_cast<double>(total);
    std::string detail = std::to_string(found) + "/" + std::to_string(total) +
                         " facts of the reference in the retrieved passages";
    if (found < total) detail += "; first missing " + first_missing;
    return {share >= threshold_, share, detail};
  }

 private:
  // Iterative, in document order: the reference may be as deep as the parser allowed.
  template <typename Visit>
  static void leaves(const json& root, const std::string& root_path, const Visit& visit) {
    std::vector<std::pair<const json*, std::string>> stack{{&root, root_path}};
    while (!stack.empty()) {
      auto [value, path] = std::move(stack.back());
      stack.pop_back();
      if (value->is_object()) {
        for (auto it = value->rbegin(); it != value->rend(); ++it)
          stack.emplace_back(&it.value(), path + "/" + json_pointer_escape(it.key()));
      } else if (value->is_array()) {
        for (std::size_t i = value->size(); i-- > 0;)
          stack.emplace_back(&(*value)[i], path + "/" + std::to_string(i));
      } else if (value->is_string()) {
        visit(value->get<std::string>(), path);
      } else if (value->is_number()) {
        visit(value->dump(), path);
      }
    }
  }

  std::vector<std::pair<json::json_pointer, std::string>> fields_;  // empty: every leaf
  double threshold_;
};

}  // namespace

std::shared_ptr<Check> make_context_recall_check(const nlohmann::json& spec, const CheckContext&,
                                                 std::string& error) {
  CheckSpec s(spec, error);
  if (!s.only_keys({"fields", "threshold"})) return nullptr;
  const auto threshold = read_share(s, "threshold", 1.0);
  if (!threshold || !error.empty()) return nullptr;
  auto fields = s.pointer_list("fields", "/definition");
  if (!fields) return nullptr;
  return std::make_shared<ContextRecallCheck>(std::move(*fields), *threshold);
}

}  // namespace tb
