#include <catch2/catch.hpp>

#include "score/check.hpp"
#include "score/scorer.hpp"

using namespace tb;

namespace {

std::shared_ptr<const Check> check(const std::string& spec) {
  std::string error;
  auto c = make_check(nlohmann::json::parse(spec), {}, error);
  INFO(error);
  REQUIRE(c);
  return c;
}

}  // namespace

TEST_CASE("context-recall judges rag results only: others keep their checks, score and conformance",
          "[checks][rag]") {
  const auto recall = check(R"({"type": "context-recall"})");
  const auto equals = check(R"({"type": "equals"})");
  ScoreInput in;
  in.output = R"({"term":"Raft","category":"distributed-systems"})";
  in.reference = in.output;
  in.has_reference = true;
  const Score plain = score_result(in, {equals, recall}, {});
  REQUIRE(plain.checks.size() == 1);  // not judged: no retrieval
  CHECK(plain.checks[0].type == "equals");
  CHECK(plain.conformant);
  CHECK(plain.score == 1);

  in.retrieval = true;
  in.retrieved_context = "# Raft\nA consensus algorithm.\n- Category: distributed-systems";
  const Score found = score_result(in, {equals, recall}, {});
  REQUIRE(found.checks.size() == 2);
  CHECK(found.checks[1].passed);
  CHECK(found.checks[1].detail == "2/2 facts of the reference in the retrieved passages");

  in.retrieved_context = "# Paxos\n- Category: distributed-systems";
  const Score missed = score_result(in, {equals, recall}, {});
  CHECK_FALSE(missed.checks[1].passed);
  CHECK(missed.checks[1].score == Approx(0.5));
  CHECK(missed.checks[1].detail ==
        "1/2 facts of the reference in the retrieved passages; first missing /term");
  CHECK_FALSE(missed.conformant);  // required by default, like every check

  // Nothing retrieved at all.
  in.retrieved_context = "";
  CHECK(score_result(in, {recall}, {}).checks[0].score == 0);
}

TEST_CASE("context-recall's keys are checked", "[checks][rag]") {
  std::string error;
  CHECK_FALSE(
      make_check(nlohmann::json::parse(R"({"type": "context-recall", "fields": []})"), {}, error));
  CHECK(error.find("fields: expected a non-empty list of JSON Pointers") != std::string::npos);
  error.clear();
  CHECK_FALSE(make_check(nlohmann::json::parse(R"({"type": "context-recall", "threshold": 2})"), {},
                         error));
  CHECK(error.find("threshold: expected a number between 0 and 1") != std::string::npos);
  error.clear();
  CHECK_FALSE(make_check(nlohmann::json::parse(R"({"type": "context-recall", "feilds": ["/a"]})"),
                         {}, error));
  CHECK_FALSE(error.empty());
}
