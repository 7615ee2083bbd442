#include <catch2/catch.hpp>

#include "analysis/model_lifecycle.hpp"
#include "analysis/price_catalog.hpp"
#include "test_paths.hpp"

using namespace tb;

TEST_CASE("a model's lifecycle: active, within the warning window, shut down, retired",
          "[lifecycle]") {
  ModelLifecycle life;
  life.shutdown = "2027-01-14";
  life.fine_tuning_ends = "2027-01-06";
  life.replacement = "gpt-5-mini";
  CHECK(days_between("2026-11-29", "2027-01-14") == 46);
  CHECK(days_between("2027-02-30", "2027-03-01") == std::nullopt);

  auto s = lifecycle_status(life, "2026-10-01", false);
  CHECK(s.kind == LifecycleStatus::Kind::active);
  CHECK(s.text == "shuts down on 2027-01-14; replacement: gpt-5-mini");

  s = lifecycle_status(life, "2026-11-29", true);
  CHECK(s.kind == LifecycleStatus::Kind::shutting_down);
  CHECK(s.days_left == 46);
  CHECK(s.text ==
        "shuts down on 2027-01-14 (in 46 days) (every fine-tune on its base model stops with it); "
        "replacement: "
        "gpt-5-mini; new fine-tuning jobs end on 2027-01-06");
  CHECK(lifecycle_status(life, "2027-01-10", true)
            .text.find("new fine-tuning jobs ended on 2027-01-06") != std::string::npos);
  CHECK(lifecycle_status(life, "2026-11-15", false).kind ==
        LifecycleStatus::Kind::shutting_down);  // 60 days
  CHECK(lifecycle_status(life, "2026-11-14", false).kind ==
        LifecycleStatus::Kind::active);  // 61 days

  s = lifecycle_status(life, "2027-01-14", false);
  CHECK(s.kind == LifecycleStatus::Kind::shut_down);
  CHECK(s.text == "shut down on 2027-01-14; replacement: gpt-5-mini");

  ModelLifecycle gone;
  gone.retired = true;
  CHECK(lifecycle_status(gone, "2026-11-29", false).text == "retired by its provider");
  CHECK(lifecycle_status(ModelLifecycle{}, "2026-11-29", false).kind ==
        LifecycleStatus::Kind::active);
}

TEST_CASE("the shipped catalog holds the announced shutdowns; fine-tunes share their base's",
          "[lifecycle]") {
  Diagnostics errors;
  const auto catalog = PriceCatalog::load(test::source_dir() / "datasets/prices.json", errors);
  REQUIRE(catalog);
  for (const char* model : {"gpt-4o", "gpt-4o-mini", "gpt-4.1", "gpt-4.1-mini",
                            "gpt-4o-mini-2024-07-18", "ft:gpt-4o-mini-2024-07-18:acme::demo1"}) {
    INFO(model);
    const auto life = catalog->lifecycle(model);
    REQUIRE(life);
    CHECK(life->shutdown == "2027-01-14");
    CHECK(life->fine_tuning_ends == "2027-01-06");
  }
  CHECK(catalog->lifecycle("gpt-3.5-turbo")->retired);
  CHECK_FALSE(catalog->lifecycle("gpt-5-mini").has_value());
  CHECK(catalog->find("gpt-5-mini").has_value());
}
