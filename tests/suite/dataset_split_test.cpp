#include "suite/dataset_split.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "test_paths.hpp"

using namespace tb;
namespace fs = std::filesystem;

namespace {

std::string read_all(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) out.push_back(line);
  return out;
}

std::string example(const std::string& question, const std::string& answer, const std::string& extra = "") {
  return R"({"messages":[{"role":"system","content":"Define the term."},{"role":"user","content":")" + question +
         R"("},{"role":"assistant","content":")" + answer + R"("}])" + extra + "}";
}

// n distinct examples, one per line.
std::string dataset(int n) {
  std::string text;
  for (int i = 0; i < n; ++i) text += example("term " + std::to_string(i), "answer " + std::to_string(i)) + "\n";
  return text;
}

SplitOptions options(const fs::path& out_dir, std::uint64_t seed = 7, double holdout = 0.2) {
  SplitOptions o;
  o.holdout = holdout;
  o.seed = seed;
  o.out_dir = out_dir;
  return o;
}

}  // namespace

TEST_CASE("case keys compare the input, not the answer; near keys ignore whitespace and case", "[dataset-split]") {
  const auto a = case_keys(example("Paxos", "one"));
  const auto b = case_keys(example("Paxos", "two"));
  const auto c = case_keys(example("  PAXOS\\n ", "one"));
  const auto d = case_keys(example("Raft", "one"));
  REQUIRE(a);
  REQUIRE(b);
  REQUIRE(c);
  REQUIRE(d);
  CHECK(a->exact == b->exact);  // the final assistant answer is not part of the input
  CHECK(a->exact != c->exact);
  CHECK(a->near == c->near);
  CHECK(a->near != d->near);
  // A weight does not change what the model reads; whitespace between JSON tokens neither.
  CHECK(case_keys(R"({"messages": [ {"role":"user", "content":"x"} ]})")->exact ==
        case_keys(R"({"messages":[{"content":"x","role":"user"}]})")->exact);
  CHECK_FALSE(case_keys("not json"));
  CHECK_FALSE(case_keys(R"({"prompt":"x"})"));
}

TEST_CASE("group values come from a top-level field or a KEY:VALUE tag", "[dataset-split]") {
  CHECK(group_value(R"({"source":"doc-1","messages":[]})", "source") == std::optional<std::string>("doc-1"));
  CHECK(group_value(R"({"source":17,"messages":[]})", "source") == std::optional<std::string>("17"));
  CHECK(group_value(R"({"tags":["easy","source:doc-2"],"messages":[]})", "source") == std::optional<std::string>("doc-2"));
  CHECK(group_value(R"({"tags":["source=doc-3"],"messages":[]})", "source") == std::optional<std::string>("doc-3"));
  CHECK_FALSE(group_value(R"({"tags":["source","sources:x"],"messages":[]})", "source"));
  CHECK_FALSE(group_value(R"({"messages":[]})", "source"));
  CHECK_FALSE(group_value("[1]", "source"));
}

TEST_CASE("a split writes both files, copies lines byte for byte and is deterministic", "[dataset-split]") {
  test::TempDir dir;
  std::string text = dataset(100);
  text += "\n";  // a blank line is dropped
  test::write_text(dir / "data.jsonl", text);

  std::string error;
  const auto r = split_dataset(dir / "data.jsonl", options(dir / "a"), error);
  INFO(error);
  REQUIRE(r);
  CHECK(r->lines == 100);
  CHECK(r->blank_lines == 1);
  CHECK(r->train_lines == 80);
  CHECK(r->eval_lines == 20);
  CHECK(r->train_file == dir / "a" / "data.train.jsonl");
  CHECK(r->eval_file == dir / "a" / "data.eval.jsonl");
  const auto train = lines_of(read_all(r->train_file));
  const auto eval = lines_of(read_all(r->eval_file));
  CHECK(train.size() == 80);
  CHECK(eval.size() == 20);
  CHECK_FALSE(fs::exists(dir / "a" / "data.train.jsonl.tmp"));

  // Every input line lands on exactly one side, unchanged, in input order.
  std::vector<std::string> all = train;
  all.insert(all.end(), eval.begin(), eval.end());
  auto input = lines_of(dataset(100));
  std::sort(all.begin(), all.end());
  std::sort(input.begin(), input.end());
  CHECK(all == input);
  const auto original = lines_of(dataset(100));
  CHECK(std::is_sorted(train.begin(), train.end(), [&](const std::string& x, const std::string& y) {
    return std::find(original.begin(), original.end(), x) < std::find(original.begin(), original.end(), y);
  }));
  CHECK(r->leaks.exact == 0);
  CHECK(r->leaks.near == 0);

  // The same seed gives the same files; another seed another split.
  const auto again = split_dataset(dir / "data.jsonl", options(dir / "b"), error);
  REQUIRE(again);
  CHECK(read_all(again->train_file) == read_all(r->train_file));
  CHECK(read_all(again->eval_file) == read_all(r->eval_file));
  const auto other = split_dataset(dir / "data.jsonl", options(dir / "c", 8), error);
  REQUIRE(other);
  CHECK(read_all(other->eval_file) != read_all(r->eval_file));
  CHECK(other->eval_lines == 20);
}

TEST_CASE("the split is pinned: a seed keeps its split across platforms and releases", "[dataset-split]") {
  // splitmix64 + Fisher-Yates, not std::shuffle: the same seed gives the same split with any
  // standard library. If this changes, every user's published split changes with it.
  test::TempDir dir;
  test::write_text(dir / "d.jsonl", dataset(10));
  std::string error;
  const auto r = split_dataset(dir / "d.jsonl", options(dir.path(), 1, 0.3), error);
  REQUIRE(r);
  std::vector<std::string> eval_terms;
  for (const auto& line : lines_of(read_all(r->eval_file)))
    eval_terms.push_back(nlohmann::json::parse(line)["messages"][1]["content"].get<std::string>());
  CHECK(eval_terms == std::vector<std::string>{"term 0", "term 2", "term 8"});
}

TEST_CASE("CRLF line ends are kept", "[dataset-split]") {
  test::TempDir dir;
  std::string text;
  for (int i = 0; i < 10; ++i) text += example("t" + std::to_string(i), "a") + "\r\n";
  test::write_text(dir / "crlf.jsonl", text);
  std::string error;
  const auto r = split_dataset(dir / "crlf.jsonl", options(dir.path()), error);
  REQUIRE(r);
  const std::string train = read_all(r->train_file);
  CHECK(std::count(train.begin(), train.end(), '\r') == 8);
  CHECK(train.find("}\r\n") != std::string::npos);
}

TEST_CASE("the leak check finds planted exact and near duplicates", "[dataset-split]") {
  test::TempDir dir;
  // Ten copies of one input (with different answers), ten of another with case and spacing
  // changed, and 80 distinct ones: with 20 eval cases, some copies land on each side.
  std::string text;
  for (int i = 0; i < 10; ++i) text += example("consensus", "answer " + std::to_string(i)) + "\n";
  for (int i = 0; i < 10; ++i)
    text += example(i % 2 == 0 ? "Vector Clock" : "  vector   clock ", "answer") + "\n";
  text += dataset(80);
  test::write_text(dir / "leaky.jsonl", text);
  std::string error;
  SplitOptions o = options(dir / "out", 1);  // seed 1 puts 3 of the copies in eval
  o.max_listed_leaks = 2;
  const auto r = split_dataset(dir / "leaky.jsonl", o, error);
  REQUIRE(r);
  CHECK(r->leaks.exact == 3);
  CHECK(r->leaks.exact_listed.size() == 2);  // capped; all are counted
  for (const auto& pair : r->leaks.exact_listed) {
    CHECK(pair.eval.source_line <= 20);
    CHECK(pair.train.source_line <= 20);
    CHECK(pair.eval.out_line >= 1);
    CHECK(pair.train.out_line >= 1);
  }
  // The leaked eval lines really are on the eval side.
  const auto eval = lines_of(read_all(r->eval_file));
  for (const auto& pair : r->leaks.exact_listed) {
    REQUIRE(pair.eval.out_line <= static_cast<int>(eval.size()));
    CHECK(case_keys(eval[static_cast<std::size_t>(pair.eval.out_line - 1)])->exact ==
          case_keys(lines_of(text)[static_cast<std::size_t>(pair.train.source_line - 1)])->exact);
  }
}

TEST_CASE("a near duplicate is reported as near, not exact", "[dataset-split]") {
  test::TempDir dir;
  // Two lines only: one goes to each side.
  test::write_text(dir / "two.jsonl", example("Vector Clock", "a") + "\n" + example("vector  clock", "b") + "\n");
  std::string error;
  const auto r = split_dataset(dir / "two.jsonl", options(dir.path(), 3, 0.5), error);
  REQUIRE(r);
  CHECK(r->train_lines == 1);
  CHECK(r->eval_lines == 1);
  CHECK(r->leaks.exact == 0);
  CHECK(r->leaks.near == 1);
  REQUIRE(r->leaks.near_listed.size() == 1);
  CHECK(r->leaks.near_listed[0].eval.source_line != r->leaks.near_listed[0].train.source_line);
}

TEST_CASE("a group key (--by) keeps every line of a group on one side", "[dataset-split]") {
  test::TempDir dir;
  std::string text;
  for (int i = 0; i < 60; ++i) {
    const std::string group = "doc-" + std::to_string(i % 12);
    const std::string extra = i % 2 == 0 ? R"(,"source":")" + group + "\"" : R"(,"tags":["source:)" + group + "\"]";
    text += example("q" + std::to_string(i), "a", extra) + "\n";
  }
  text += example("loner", "a") + "\n";  // no source: a group of its own
  test::write_text(dir / "g.jsonl", text);
  SplitOptions o = options(dir / "out", 11, 0.25);
  o.by = "source";
  std::string error;
  const auto r = split_dataset(dir / "g.jsonl", o, error);
  INFO(error);
  REQUIRE(r);
  CHECK(r->groups == 13);
  CHECK(r->ungrouped_lines == 1);
  CHECK(r->train_groups + r->eval_groups == 13);
  CHECK(r->train_lines + r->eval_lines == 61);
  CHECK(r->eval_lines >= 10);  // as near 15 as groups of 5 allow
  CHECK(r->eval_lines <= 20);
  std::map<std::string, std::set<bool>> sides;
  for (const bool is_eval : {false, true})
    for (const auto& line : lines_of(read_all(is_eval ? r->eval_file : r->train_file)))
      if (const auto g = group_value(line, "source")) sides[*g].insert(is_eval);
  CHECK(sides.size() == 12);
  for (const auto& [group, on] : sides) {
    INFO(group);
    CHECK(on.size() == 1);
  }
}

TEST_CASE("split errors name the problem", "[dataset-split]") {
  test::TempDir dir;
  std::string error;
  CHECK_FALSE(split_dataset(dir / "missing.jsonl", options(dir.path()), error));
  CHECK(error.find("missing.jsonl") != std::string::npos);

  test::write_text(dir / "one.jsonl", dataset(1));
  CHECK_FALSE(split_dataset(dir / "one.jsonl", options(dir.path()), error));
  CHECK(error.find("at least 2") != std::string::npos);

  test::write_text(dir / "ten.jsonl", dataset(10));
  CHECK_FALSE(split_dataset(dir / "ten.jsonl", options(dir.path(), 1, 1.0), error));
  CHECK(error.find("--holdout") != std::string::npos);
  CHECK_FALSE(split_dataset(dir / "ten.jsonl", options(dir.path(), 1, 0.0), error));

  std::string same;
  for (int i = 0; i < 5; ++i) same += example("q" + std::to_string(i), "a", R"(,"source":"one")") + "\n";
  test::write_text(dir / "same.jsonl", same);
  SplitOptions o = options(dir.path());
  o.by = "source";
  CHECK_FALSE(split_dataset(dir / "same.jsonl", o, error));
  CHECK(error.find("2 groups") != std::string::npos);
  o.by = "sauce";  // a typo: no line has it
  CHECK_FALSE(split_dataset(dir / "same.jsonl", o, error));
  CHECK(error.find("no line has a \"sauce\" field") != std::string::npos);
}

TEST_CASE("small holdouts still put one case in eval and leave one in train", "[dataset-split]") {
  test::TempDir dir;
  test::write_text(dir / "d.jsonl", dataset(3));
  std::string error;
  const auto low = split_dataset(dir / "d.jsonl", options(dir / "low", 1, 0.01), error);
  REQUIRE(low);
  CHECK(low->eval_lines == 1);
  const auto high = split_dataset(dir / "d.jsonl", options(dir / "high", 1, 0.99), error);
  REQUIRE(high);
  CHECK(high->train_lines == 1);
}
