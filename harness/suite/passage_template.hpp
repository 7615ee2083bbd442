// Retrieved passages written into a rag variant's prompt: the block its template makes of them,
// and where in the messages that block goes.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "suite/suite.hpp"

namespace tb {

// One retrieved passage as a template sees it (views: valid for the call).
struct PassageView {
  std::string_view id;        // chunk id, "<document>#<number>"
  std::string_view document;  // document id
  std::string_view title;
  std::string_view text;
  double score = 0;
};

// What is wrong with a template's text (`block`: true for the block, false for one passage), if
// anything: an unknown or unclosed placeholder, or a block without {{passages}}.
std::optional<std::string> invalid_template(std::string_view text, bool block);

// The block of passages, ranked best first, as the template writes it.
std::string render_passage_block(const PassageTemplate& tmpl,
                                 std::span<const PassageView> passages);

// The messages with `block` inserted where the template says: appended to the first system (or
// developer) message after a blank line, or in a system message of its own at the start when
// there is none; or as a user message of its own just before the last user message.
void insert_passage_block(const PassageTemplate& tmpl, const std::string& block,
                          nlohmann::json& messages);

// The query a case asks of the retriever, from its messages (text parts joined); empty when
// the message picked does not exist or holds no text.
std::string retrieval_query(const QuerySpec& query, const nlohmann::json& messages);

}  // namespace tb
