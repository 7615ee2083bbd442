// The mock's checkpoints: a model id naming a training step answers between the base profile
// (step 0) and its trained profile, closer to the trained one the later the step.
#include <catch2/catch.hpp>

#include <cmath>

#include <nlohmann/json.hpp>

#include "mock/mock_config.hpp"

using namespace tb;

TEST_CASE("a checkpoint's rates go from the base profile towards the fine-tuned one by step",
          "[mock][sweep]") {
  const MockConfig c = default_mock_config();
  const double base = c.base.format_break_unprompted, tuned = c.fine_tuned.format_break_unprompted;
  REQUIRE(base > tuned);
  CHECK(c.profile_for("ft:gpt-4o-mini-2024-07-18:acme:t:ckpt-step-0").format_break_unprompted ==
        Approx(base));
  const double at100 =
      c.profile_for("ft:gpt-4o-mini-2024-07-18:acme:t:ckpt-step-100").format_break_unprompted;
  CHECK(at100 == Approx(base + (tuned - base) * (1 - std::exp(-1.0))));
  double previous = 1;
  for (const int step : {10, 50, 100, 200, 400}) {
    const auto p =
        c.profile_for("ft:gpt-4o-mini-2024-07-18:acme:t:ckpt-step-" + std::to_string(step));
    CHECK(p.format_break_unprompted < previous);
    CHECK(p.field_error <= c.base.field_error);
    CHECK(p.field_error >= c.fine_tuned.field_error);
    previous = p.format_break_unprompted;
  }
  // The finished fine-tune (no step in its id) is the fine-tuned profile; any other name without
  // a step is the base model.
  CHECK(c.profile_for("ft:gpt-4o-mini-2024-07-18:acme:t").format_break_unprompted == Approx(tuned));
  CHECK(c.profile_for("some-served-model").format_break_unprompted == Approx(base));
  // An adapter served under its checkpoint folder's name is a checkpoint too.
  CHECK(c.profile_for("terms-lora/checkpoint-100").format_break_unprompted == Approx(at100));
}

TEST_CASE("checkpoints: {learn_steps} sets how fast, and a models: entry is the trained end",
          "[mock][sweep]") {
  MockConfig c = default_mock_config();
  Diagnostics errors;
  REQUIRE(parse_mock_config(nlohmann::json::parse(R"({"checkpoints": {"learn_steps": 10},
      "models": {"terms-lora*": {"format_break_unprompted": 0.2}}})"),
                            "mock", c, errors));
  CHECK(c.checkpoints.learn_steps == 10);
  const double base = c.base.format_break_unprompted;
  CHECK(c.profile_for("terms-lora-step-10").format_break_unprompted ==
        Approx(base + (0.2 - base) * (1 - std::exp(-1.0))));
  CHECK(c.profile_for("terms-lora").format_break_unprompted == Approx(0.2));

  MockConfig bad = default_mock_config();
  Diagnostics more;
  CHECK_FALSE(parse_mock_config(nlohmann::json::parse(R"({"checkpoints": {"learn_step": 10}})"),
                                "mock", bad, more));
  CHECK(more.to_string().find("learn_step") != std::string::npos);
  Diagnostics zero;
  CHECK_FALSE(parse_mock_config(nlohmann::json::parse(R"({"checkpoints": {"learn_steps": 0}})"),
                                "mock", bad, zero));
}
