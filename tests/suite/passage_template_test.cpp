#include <catch2/catch.hpp>

#include "suite/passage_template.hpp"
#include "suite/prompt_renderer.hpp"

using namespace tb;
using json = nlohmann::json;

namespace {

const PassageView kPassages[] = {
    {"raft#0", "raft", "Raft", "A consensus algorithm with a leader.", 5.25},
    {"paxos#1", "paxos", "Paxos", "A family of consensus protocols.", 1.5},
};

}  // namespace

TEST_CASE("the default template numbers the passages in a block the README documents",
          "[suite][rag]") {
  const PassageTemplate t;
  CHECK(render_passage_block(t, kPassages) ==
        "Reference passages retrieved for this request, numbered. Use them where they answer it; "
        "they may also be about something else.\n\n"
        "[1] Raft\nA consensus algorithm with a leader.\n\n"
        "[2] Paxos\nA family of consensus protocols.");
  CHECK(render_passage_block(t, {}) ==
        "Reference passages retrieved for this request, numbered. Use them where they answer it; "
        "they may also be about something else.\n\n(no passage matched)");
}

TEST_CASE("a custom template places every placeholder", "[suite][rag]") {
  PassageTemplate t;
  t.text = "<context>\n{{passages}}\n</context>";
  t.passage = "{{n}}. {{id}} ({{document}}, {{score}}): {{title}} - {{text}}";
  t.separator = "\n";
  t.none = "nothing";
  CHECK(render_passage_block(t, kPassages) ==
        "<context>\n1. raft#0 (raft, 5.2500): Raft - A consensus algorithm with a leader.\n"
        "2. paxos#1 (paxos, 1.5000): Paxos - A family of consensus protocols.\n</context>");
  CHECK(render_passage_block(t, {}) == "<context>\nnothing\n</context>");
  // A passage's title and text are trimmed: chunk edges are where tokens fell.
  const PassageView padded[] = {{"a#0", "a", " A ", "\n body \n\n", 0}};
  t.passage = "[{{title}}|{{text}}]";
  CHECK(render_passage_block(t, padded) == "<context>\n[A|body]\n</context>");
  // Text between placeholders is kept as written, braces included.
  t.text = "{\"ctx\": \"{{passages}}\"}";
  t.passage = "{{title}}";
  CHECK(render_passage_block(t, kPassages) == "{\"ctx\": \"Raft\nPaxos\"}");
}

TEST_CASE("template mistakes are named", "[suite][rag]") {
  CHECK_FALSE(invalid_template("Passages:\n{{passages}}", true));
  CHECK_FALSE(invalid_template("[{{n}}] {{title}} {{text}} {{id}} {{document}} {{score}}", false));
  CHECK(invalid_template("Passages", true) ==
        "no {{passages}}: the block must say where the passages go");
  CHECK(invalid_template("{{passage}}", true) ==
        "unknown placeholder {{passage}}; expected {{passages}} (did you mean {{passages}}?)");
  CHECK(invalid_template("{{titel}}", false) ==
        "unknown placeholder {{titel}}; expected {{n}}, {{id}}, {{document}}, {{title}}, {{text}} "
        "or {{score}} (did you mean {{title}}?)");
  CHECK(invalid_template("{{passages}} {{oops", true) ==
        "a {{ without its }}; placeholders are written {{name}}");
  // A block's placeholder is not a passage's, and the other way round.
  CHECK(invalid_template("{{passages}}", false).has_value());
  CHECK(invalid_template("{{passages}} {{n}}", true).has_value());
}

TEST_CASE("the block goes into the system message, or a user message before the question",
          "[suite][rag]") {
  const json case_messages = json::parse(R"([{"role":"system","content":"Be brief."},
    {"role":"user","content":"first"},{"role":"assistant","content":"ok"},{"role":"user","content":"Who leads?"}])");
  PassageTemplate t;
  json m = case_messages;
  insert_passage_block(t, "BLOCK", m);
  REQUIRE(m.size() == 4);
  CHECK(m[0]["content"] == "Be brief.\n\nBLOCK");
  CHECK(m[3]["content"] == "Who leads?");

  // No system message: one of its own, first.
  m = json::parse(R"([{"role":"user","content":"Who leads?"}])");
  insert_passage_block(t, "BLOCK", m);
  REQUIRE(m.size() == 2);
  CHECK(m[0] == json({{"role", "system"}, {"content", "BLOCK"}}));

  // Content given as parts gets a part of its own.
  m = json::parse(
      R"([{"role":"developer","content":[{"type":"text","text":"Rules."}]},{"role":"user","content":"q"}])");
  insert_passage_block(t, "BLOCK", m);
  REQUIRE(m[0]["content"].size() == 2);
  CHECK(m[0]["content"][1]["text"] == "\n\nBLOCK");

  t.position = PassageTemplate::Position::user;
  m = case_messages;
  insert_passage_block(t, "BLOCK", m);
  REQUIRE(m.size() == 5);
  CHECK(m[0]["content"] == "Be brief.");
  CHECK(m[3] == json({{"role", "user"}, {"content", "BLOCK"}}));
  CHECK(m[4]["content"] == "Who leads?");  // the question stays last
}

TEST_CASE("the query is the message the spec picks", "[suite][rag]") {
  const json m = json::parse(R"([{"role":"system","content":"s"},{"role":"user","content":"one"},
    {"role":"assistant","content":"a"},{"role":"user","content":[{"type":"text","text":"tw"},{"type":"text","text":"o"}]}])");
  QuerySpec q;
  CHECK(retrieval_query(q, m) == "two");
  q.pick = QuerySpec::Pick::first_user;
  CHECK(retrieval_query(q, m) == "one");
  q.pick = QuerySpec::Pick::all_user;
  CHECK(retrieval_query(q, m) == "one\ntwo");
  q.pick = QuerySpec::Pick::message;
  q.message = 2;
  CHECK(retrieval_query(q, m) == "a");
  q.message = -4;
  CHECK(retrieval_query(q, m) == "s");
  q.message = 4;
  CHECK(retrieval_query(q, m).empty());
  CHECK(q.text() == "4");
  CHECK(retrieval_query(QuerySpec{}, json::parse(R"([{"role":"system","content":"s"}])")).empty());
}

TEST_CASE("a rag variant's messages are the prompted ones with the block inserted",
          "[suite][rag]") {
  Variant v;
  v.kind = VariantKind::rag;
  v.system = "Answer in JSON.";
  v.retrieve.emplace();
  TestCase c;
  c.messages = json::parse(R"([{"role":"system","content":"old"},{"role":"user","content":"q"}])");
  const json m = render_messages(v, c, "BLOCK");
  REQUIRE(m.size() == 2);
  CHECK(m[0]["content"] == "Answer in JSON.\n\nBLOCK");  // the variant's prompt replaced the case's
  CHECK(m[1]["content"] == "q");
}
