// `retrieve:` in a suite: what a rag variant reads, and every mistake with its line.
#include <catch2/catch.hpp>

#include "suite/suite_loader.hpp"
#include "test_paths.hpp"

using namespace tb;

namespace {

struct Fixture {
  test::TempDir dir;
  Fixture() {
    test::write_text(
        dir / "data/d.jsonl",
        R"({"messages":[{"role":"user","content":"q"},{"role":"assistant","content":"a"}]})"
        "\n");
    test::write_text(dir / "glossary/raft.md", "# Raft\nA consensus algorithm.\n");
  }
  std::optional<Suite> load(const std::string& variants, Diagnostics& errors) {
    test::write_text(dir / "suites/s.yaml",
                     "name: t\ndataset: ../data/d.jsonl\nvariants:\n" + variants);
    return load_suite(dir / "suites/s.yaml", errors);
  }
  // Every error, with the suite's path shortened to s.yaml.
  std::string errors_of(const std::string& variants) {
    Diagnostics errors;
    CHECK_FALSE(load(variants, errors).has_value());
    std::string out;
    const std::string prefix = (dir / "suites/s.yaml").string();
    for (const auto& d : errors.items()) {
      std::string text = d.to_string();
      if (text.starts_with(prefix)) text = "s.yaml" + text.substr(prefix.size());
      out += text + "\n";
    }
    return out;
  }
};

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("retrieve: makes a rag variant, with documented defaults", "[suite][rag]") {
  Fixture f;
  Diagnostics errors;
  auto suite = f.load(
      "  - id: r\n    endpoint: mock\n    model: gpt-4o-mini\n    retrieve: {corpus: "
      "../glossary}\n",
      errors);
  INFO(errors.to_string());
  REQUIRE(suite);
  const Variant& v = suite->variants[0];
  CHECK(v.kind == VariantKind::rag);
  REQUIRE(v.retrieve);
  CHECK(v.retrieve->corpus == f.dir / "glossary");
  CHECK(v.retrieve->chunk_tokens == 300);
  CHECK(v.retrieve->chunk_overlap == 50);
  CHECK(v.retrieve->k == 3);
  CHECK(v.retrieve->method == "bm25");
  CHECK(v.retrieve->query.pick == QuerySpec::Pick::last_user);
  CHECK(v.retrieve->passage_template.position == PassageTemplate::Position::system);
  CHECK_FALSE(v.retrieve->needs_embeddings());
}

TEST_CASE("every retrieve: setting is read", "[suite][rag]") {
  Fixture f;
  Diagnostics errors;
  auto suite = f.load(R"(  - id: r
    endpoint: mock
    model: gpt-4o-mini
    kind: rag
    retrieve:
      corpus: ../glossary
      chunk: {tokens: 120, overlap: 20}
      k: 5
      method: hybrid
      query: -1
      template: {position: user, text: "Context:\n{{passages}}", passage: "{{n}}: {{text}}", separator: "\n", none: "-"}
      embeddings: {model: text-embedding-3-small, dimensions: 256, endpoint: other}
endpoints:
  mock: {kind: mock}
  other: {kind: mock}
)",
                      errors);
  INFO(errors.to_string());
  REQUIRE(suite);
  const RetrieveSpec& r = *suite->variants[0].retrieve;
  CHECK(r.chunk_tokens == 120);
  CHECK(r.chunk_overlap == 20);
  CHECK(r.k == 5);
  CHECK(r.method == "hybrid");
  CHECK(r.query.pick == QuerySpec::Pick::message);
  CHECK(r.query.message == -1);
  CHECK(r.passage_template.position == PassageTemplate::Position::user);
  CHECK(r.passage_template.text == "Context:\n{{passages}}");
  CHECK(r.passage_template.passage == "{{n}}: {{text}}");
  CHECK(r.passage_template.separator == "\n");
  CHECK(r.passage_template.none == "-");
  CHECK(r.embeddings_model == "text-embedding-3-small");
  CHECK(r.embeddings_dimensions == 256);
  CHECK(r.embeddings_endpoint == "other");
  CHECK(suite->endpoints.count("other") == 1);  // kept: the run embeds through it
  // A string template is the block's text; the embeddings endpoint defaults to the variant's.
  suite = f.load(
      "  - {id: r, endpoint: mock, model: m, retrieve: {corpus: ../glossary, method: embeddings,"
      " template: \"P: {{passages}}\", embeddings: {model: e}}}\n",
      errors);
  REQUIRE(suite);
  CHECK(suite->variants[0].retrieve->passage_template.text == "P: {{passages}}");
  CHECK(suite->variants[0].retrieve->embeddings_endpoint == "mock");
}

TEST_CASE("kind rag without retrieve: is an error with its line", "[suite][rag]") {
  Fixture f;
  const auto e = f.errors_of("  - id: r\n    endpoint: mock\n    model: m\n    kind: rag\n");
  CHECK(has(
      e, "s.yaml:7: variants[0].kind: kind rag needs retrieve: {corpus: FOLDER_OR_JSONL, k: N}"));
  CHECK(has(f.errors_of("  - id: r\n    endpoint: mock\n    model: m\n    kind: prompted\n"
                        "    retrieve: {corpus: ../glossary}\n"),
            "s.yaml:7: variants[0].kind: a variant with retrieve: is a rag variant; set kind: rag "
            "or remove kind"));
}

TEST_CASE("retrieve: mistakes are reported with their lines, all at once", "[suite][rag]") {
  Fixture f;
  const auto e = f.errors_of(R"(  - id: r
    endpoint: mock
    model: m
    retrieve:
      corpus: ../nowhere
      chunk: {tokens: 50, overlap: 50}
      k: 0
      method: vectors
      query: last
      template: {text: "no placeholder", passage: "{{titel}}"}
)");
  INFO(e);
  CHECK(has(e, "s.yaml:8: variants[0].retrieve.corpus: no such corpus file or folder: "));
  CHECK(has(e,
            "s.yaml:9: variants[0].retrieve.chunk.overlap: overlap must be smaller than tokens (50 "
            ">= 50)"));
  CHECK(has(e, "s.yaml:10: variants[0].retrieve.k: expected a whole number from 1 to 1000; got 0"));
  CHECK(has(e,
            "s.yaml:11: variants[0].retrieve.method: expected one of bm25, embeddings or hybrid; "
            "got \"vectors\""));
  CHECK(has(e,
            "s.yaml:12: variants[0].retrieve.query: expected one of last-user, first-user or "
            "all-user; got \"last\""));
  CHECK(has(e,
            "s.yaml:13: variants[0].retrieve.template.text: no {{passages}}: the block must say "
            "where the passages go"));
  CHECK(has(e, "s.yaml:13: variants[0].retrieve.template.passage: unknown placeholder {{titel}}"));
  CHECK(has(
      f.errors_of(
          "  - id: r\n    endpoint: mock\n    model: m\n    retrieve:\n      corpus: ../glossary\n"
          "      embedings: {model: e}\n"),
      "s.yaml:9: variants[0].retrieve.embedings: unknown key (did you mean \"embeddings\"?)"));
}

TEST_CASE("embeddings are asked for exactly when the method needs them", "[suite][rag]") {
  Fixture f;
  CHECK(has(f.errors_of("  - {id: r, endpoint: mock, model: m, retrieve: {corpus: ../glossary, "
                        "method: hybrid}}\n"),
            "s.yaml:4: variants[0].retrieve: method hybrid needs embeddings: {model: MODEL}"));
  CHECK(has(f.errors_of("  - {id: r, endpoint: mock, model: m, retrieve: {corpus: ../glossary,"
                        " embeddings: {model: e}}}\n"),
            "s.yaml:4: variants[0].retrieve.embeddings: not used by method bm25"));
  CHECK(has(f.errors_of("  - {id: r, endpoint: mock, model: m, retrieve: {corpus: ../glossary, "
                        "method: embeddings,"
                        " embeddings: {model: e, endpoint: mokc}}}\n"),
            "variants[0].retrieve.embeddings.endpoint: unknown endpoint \"mokc\"; expected one of "
            "mock or openai "
            "(did you mean \"mock\"?)"));
  CHECK(has(f.errors_of("  - {id: r, endpoint: mock, model: m, retrieve: {corpus: ../glossary, "
                        "method: embeddings,"
                        " embeddings: {dimensions: 9000}}}\n"),
            "variants[0].retrieve.embeddings: model: missing (required)"));
}
