#pragma once
#include <string>

#include <nlohmann/json.hpp>

#include "suite/suite.hpp"
#include "suite/test_case.hpp"

namespace tb {

// The messages a variant sends for a case. A variant with a prompt recipe replaces the
// dataset's system message with its own; one without sends the dataset's messages as they are.
nlohmann::json render_messages(const Variant& variant, const TestCase& test_case);
// The same messages without a copy when the variant sends the case's own: the case's messages,
// else `storage` filled with the rendered ones.
const nlohmann::json& rendered_messages(const Variant& variant, const TestCase& test_case,
                                        nlohmann::json& storage);

// A rag variant's messages: render_messages' with the block of retrieved passages inserted
// where the variant's retrieve.template puts it (suite/passage_template.hpp).
nlohmann::json render_messages(const Variant& variant, const TestCase& test_case,
                               const std::string& passage_block);

// The last user message's text (string content, or the text parts of an array one per line): a
// case's question, as retrieval queries, few-shot selection, the judge and the case grid read it.
std::string question_text(const nlohmann::json& messages);

// Characters of all message contents: the prompt-length measure that needs no tokenizer.
std::size_t prompt_characters(const nlohmann::json& messages);

}  // namespace tb
