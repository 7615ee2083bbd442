// Checkpoint and model sweeps at load: models: and checkpoints: (JSONL, CSV, OpenAI's checkpoint
// objects) expand into one variant per model with stable, unique ids; steps come from the file
// or the model id; every mistake is an error at file:line.
#include <catch2/catch.hpp>

#include "suite/model_sweep.hpp"
#include "suite/suite_loader.hpp"
#include "test_paths.hpp"

using namespace tb;

namespace {

struct Fixture {
  test::TempDir dir;
  Fixture() {
    test::write_text(
        dir / "d.jsonl",
        R"({"messages":[{"role":"user","content":"q"},{"role":"assistant","content":"{\"a\":1}"}]})"
        "\n");
  }
  std::optional<Suite> load(const std::string& variants, Diagnostics& errors,
                            const std::string& baseline = "") {
    test::write_text(dir / "s.yaml", "name: t\ndataset: d.jsonl\nexpect: {format: json}\n" +
                                         baseline + "variants:\n" + variants);
    return load_suite(dir / "s.yaml", errors);
  }
  // Every error, with the temp folder cut off so that messages read "s.yaml:5: ...".
  std::string errors_of(const std::string& variants, const std::string& baseline = "") {
    Diagnostics errors;
    CHECK_FALSE(load(variants, errors, baseline).has_value());
    std::string text = errors.to_string();
    const std::string prefix = dir.path().string() + "/";
    for (auto at = text.find(prefix); at != std::string::npos; at = text.find(prefix))
      text.erase(at, prefix.size());
    return text;
  }
};

std::vector<std::string> ids(const Suite& s) {
  std::vector<std::string> out;
  for (const auto& v : s.variants) out.push_back(v.id);
  return out;
}

}  // namespace

TEST_CASE("the step a model id names", "[suite][sweep]") {
  CHECK(checkpoint_step_of("ft:gpt-4o-mini-2024-07-18:acme:terms:ckpt-step-300") == 300);
  CHECK(checkpoint_step_of("ft:gpt-4o-mini-2024-07-18:acme::ckpt-step-88") == 88);
  CHECK(checkpoint_step_of("terms-lora/checkpoint-1200") == 1200);
  CHECK(checkpoint_step_of("terms-lora-step-40") == 40);
  CHECK(checkpoint_step_of("adapter_step_7") == 7);
  CHECK(checkpoint_step_of("run-step-10-of-step-20") == 20);  // the last one
  // A number that runs into letters, a word ending in "step", or no number are not steps.
  CHECK_FALSE(checkpoint_step_of("ft:gpt-4o-mini-2024-07-18:acme:terms"));
  CHECK_FALSE(checkpoint_step_of("step-3b-model"));
  CHECK_FALSE(checkpoint_step_of("footstep-12"));
  CHECK_FALSE(checkpoint_step_of("checkpoint-"));
  CHECK_FALSE(checkpoint_step_of("gpt-4o-mini"));
  CHECK(sweep_label({"ft:x:ckpt-step-5", 5, std::nullopt, 0}) == "step-5");
  CHECK(sweep_label({"tech-terms-lora", std::nullopt, std::nullopt, 0}) == "tech-terms-lora");
}

TEST_CASE("models: expands a variant into one per model", "[suite][sweep]") {
  Fixture f;
  Diagnostics errors;
  const auto suite = f.load(
      "  - {id: long, endpoint: mock, model: gpt-4o-mini, system_text: Answer in JSON.}\n"
      "  - id: short\n"
      "    endpoint: mock\n"
      "    system_text: JSON.\n"
      "    temperature: 0.5\n"
      "    models: [gpt-4o-mini, tech-terms-lora, "
      "\"ft:gpt-4o-mini-2024-07-18:acme::ckpt-step-30\"]\n",
      errors);
  INFO(errors.to_string());
  REQUIRE(suite);
  CHECK(ids(*suite) == std::vector<std::string>{"long", "short@gpt-4o-mini",
                                                "short@tech-terms-lora", "short@step-30"});
  const auto& lora = suite->variants[2];
  CHECK(lora.model == "tech-terms-lora");
  CHECK(lora.system == "JSON.");
  CHECK(lora.temperature == 0.5);
  REQUIRE(lora.sweep);
  CHECK(lora.sweep->of == "short");
  CHECK_FALSE(lora.sweep->step);
  CHECK(lora.kind == VariantKind::prompted);
  const auto& ckpt = suite->variants[3];
  CHECK(ckpt.model == "ft:gpt-4o-mini-2024-07-18:acme::ckpt-step-30");
  CHECK(ckpt.sweep->step == 30);
  CHECK_FALSE(ckpt.sweep->loss);
  CHECK(ckpt.kind == VariantKind::fine_tuned);
  CHECK_FALSE(suite->variants[0].sweep);
  CHECK(suite->baseline == "long");
}

TEST_CASE("checkpoints: reads JSONL with steps from the file or the id, and losses",
          "[suite][sweep]") {
  Fixture f;
  test::write_text(
      f.dir / "ck.jsonl",
      "# a comment, then a blank line\n\n"
      "{\"model\": \"ft:gpt-4o-mini-2024-07-18:acme:terms:ckpt-step-100\", \"loss\": 0.91}\n"
      "{\"model\": \"ft:gpt-4o-mini-2024-07-18:acme:terms\", \"step\": 300, \"loss\": 0.2}\n"
      // OpenAI's checkpoint object, as its API lists them
      "{\"object\": \"fine_tuning.job.checkpoint\", \"id\": \"ftckpt_x\", "
      "\"fine_tuned_model_checkpoint\": "
      "\"ft:gpt-4o-mini-2024-07-18:acme:terms:ckpt-step-200\", \"step_number\": 200, \"metrics\": "
      "{\"step\": 200, \"train_loss\": 0.45, \"valid_loss\": 0.5}, \"fine_tuning_job_id\": "
      "\"ftjob-1\"}\n");
  Diagnostics errors;
  const auto suite =
      f.load("  - {id: tuned, endpoint: mock, checkpoints: ck.jsonl, system_text: JSON.}\n", errors,
             "baseline: tuned@step-300\n");
  INFO(errors.to_string());
  REQUIRE(suite);
  // In the file's order; the reports sort by step.
  CHECK(ids(*suite) ==
        std::vector<std::string>{"tuned@step-100", "tuned@step-300", "tuned@step-200"});
  CHECK(suite->variants[0].sweep->step == 100);
  CHECK(suite->variants[0].sweep->loss == Approx(0.91));
  CHECK(suite->variants[1].model == "ft:gpt-4o-mini-2024-07-18:acme:terms");
  CHECK(suite->variants[1].sweep->step == 300);
  CHECK(suite->variants[2].sweep->loss == Approx(0.45));
  CHECK(suite->baseline == "tuned@step-300");
  for (const auto& v : suite->variants) CHECK(v.kind == VariantKind::fine_tuned);
}

TEST_CASE("checkpoints: reads CSV with a header, quoted cells and unknown losses",
          "[suite][sweep]") {
  Fixture f;
  test::write_text(f.dir / "ck.csv",
                   "step,model,loss\r\n"
                   "50,\"adapters/terms,v2/checkpoint-50\",1.25\r\n"
                   ",terms-lora-step-150,\r\n");
  Diagnostics errors;
  const auto suite = f.load(
      "  - {id: lora, endpoint: mock, checkpoints: ck.csv, system_text: JSON., price: {input: 0.1, "
      "output: 0.4}}\n",
      errors);
  INFO(errors.to_string());
  REQUIRE(suite);
  CHECK(ids(*suite) == std::vector<std::string>{"lora@step-50", "lora@step-150"});
  CHECK(suite->variants[0].model == "adapters/terms,v2/checkpoint-50");
  CHECK(suite->variants[0].sweep->loss == Approx(1.25));
  CHECK(suite->variants[1].sweep->step == 150);
  CHECK_FALSE(suite->variants[1].sweep->loss);
  CHECK(suite->variants[1].price.has_value());
}

TEST_CASE("sweep mistakes are errors at file:line", "[suite][sweep]") {
  Fixture f;
  SECTION("models: with model:") {
    CHECK(f.errors_of("  - {id: a, endpoint: mock, model: gpt-4o-mini, models: [gpt-4o-mini]}\n") ==
          "s.yaml:5: variants[0].model: give either model or models: a sweep runs the variant once "
          "per model it lists\n");
  }
  SECTION("an empty list") {
    CHECK(f.errors_of("  - id: a\n    endpoint: mock\n    models: []\n") ==
          "s.yaml:7: variants[0].models: expected a non-empty list of model ids, such as "
          "[gpt-4o-mini, gpt-4.1-nano]; got an empty list\n");
  }
  SECTION("models: and checkpoints: together, a model twice, two models at one step") {
    test::write_text(f.dir / "ck.jsonl", "{\"model\": \"m-step-1\"}\n");
    const auto text = f.errors_of(
        "  - {id: a, endpoint: mock, models: [x], checkpoints: ck.jsonl}\n"
        "  - {id: b, endpoint: mock, models: [x, x]}\n"
        "  - id: c\n    endpoint: mock\n    models: [\"ft:m:ckpt-step-5\", \"lora-step-5\"]\n");
    CHECK(text.find(
              "s.yaml:5: variants[0].checkpoints: give either models (a list) or checkpoints (a "
              "file), not both") != std::string::npos);
    CHECK(text.find("s.yaml:6: variants[1].models[1]: \"x\" is listed twice") != std::string::npos);
    CHECK(
        text.find("s.yaml:9: variants[2].models[1]: \"lora-step-5\" names step 5 as another model "
                  "of the list does") != std::string::npos);
  }
  SECTION("a JSONL file's problems, each at its line") {
    test::write_text(f.dir / "ck.jsonl",
                     "{\"model\": \"ft:a:ckpt-step-10\", \"step\": 10}\n"
                     "{\"model\": \"terms-lora\"}\n"
                     "{\"model\": \"ft:a:ckpt-step-20\", \"step\": 30}\n"
                     "{\"model\": \"ft:a:ckpt-step-40\", \"los\": 1}\n"
                     "{\"model\": 7, \"step\": -1, \"loss\": \"low\"}\n"
                     "not json\n"
                     "{\"model\": \"ft:a:ckpt-step-10\"}\n"
                     "{\"model\": \"other\", \"step\": 10}\n");
    const auto text = f.errors_of("  - {id: a, endpoint: mock, checkpoints: ck.jsonl}\n");
    CHECK(text.find(
              "s.yaml:5: variants[0].checkpoints: the checkpoints file has problems (below)\n") !=
          std::string::npos);
    CHECK(text.find(
              "ck.jsonl:2: step: missing: give the training step, or a model id that names it") !=
          std::string::npos);
    CHECK(text.find(
              "ck.jsonl:3: step: is 30 but the model id \"ft:a:ckpt-step-20\" names step 20\n") !=
          std::string::npos);
    CHECK(
        text.find("ck.jsonl:4: los: unknown key; expected one of model, step or loss (did you mean "
                  "\"loss\"?)\n") != std::string::npos);
    CHECK(text.find("ck.jsonl:5: model: expected the model id") != std::string::npos);
    CHECK(text.find("ck.jsonl:5: step: expected a whole number") != std::string::npos);
    CHECK(text.find("ck.jsonl:5: loss: expected a number") != std::string::npos);
    CHECK(text.find("ck.jsonl:6: expected a JSON object") != std::string::npos);
    CHECK(
        text.find("ck.jsonl:7: model: \"ft:a:ckpt-step-10\" is listed twice (first on line 1)\n") !=
        std::string::npos);
    CHECK(text.find("ck.jsonl:8: step: step 10 is listed twice (first on line 1)") !=
          std::string::npos);
  }
  SECTION("a CSV file's problems") {
    test::write_text(f.dir / "h.csv", "name,step\nx,1\n");
    test::write_text(f.dir / "r.csv", "model,step,loss\nx,ten,\ny,2\n\"z,3,\n");
    const auto text = f.errors_of(
        "  - {id: a, endpoint: mock, checkpoints: h.csv}\n  - {id: b, endpoint: mock, checkpoints: "
        "r.csv}\n");
    CHECK(text.find("h.csv:1: unknown column \"name\"; expected model, step or loss") !=
          std::string::npos);
    CHECK(text.find("h.csv:1: the header names no model column") != std::string::npos);
    CHECK(text.find(
              "r.csv:2: step: expected a whole number of training steps, 0 or more; got \"ten\"") !=
          std::string::npos);
    CHECK(text.find("r.csv:3: expected 3 fields as the header names; got 2") != std::string::npos);
    CHECK(text.find("r.csv:4: a quote is not closed") != std::string::npos);
  }
  SECTION("a missing file, another format, an empty file") {
    test::write_text(f.dir / "ck.txt", "x\n");
    test::write_text(f.dir / "empty.jsonl", "# nothing yet\n");
    const auto text = f.errors_of(
        "  - {id: a, endpoint: mock, checkpoints: nope.jsonl}\n"
        "  - {id: b, endpoint: mock, checkpoints: ck.txt}\n"
        "  - {id: c, endpoint: mock, checkpoints: empty.jsonl}\n");
    CHECK(text.find("s.yaml:5: variants[0].checkpoints: ") != std::string::npos);
    CHECK(text.find("ck.txt: a checkpoints file is JSONL (.jsonl) or CSV (.csv)") !=
          std::string::npos);
    CHECK(text.find("empty.jsonl: lists no model") != std::string::npos);
  }
  SECTION("the baseline names the sweep, not one of its variants; ids collide") {
    const auto text = f.errors_of(
        "  - {id: a, endpoint: mock, models: [m1, m2]}\n"
        "  - {id: a@m1, endpoint: mock, model: m1}\n",
        "baseline: a\n");
    CHECK(text.find("s.yaml:4: baseline: \"a\" is a sweep, run once per model; name one of its "
                    "variants, such as \"a@m1\"") != std::string::npos);
    CHECK(text.find("s.yaml:7: variants[1].id: duplicate variant id \"a@m1\"") !=
          std::string::npos);
  }
}
