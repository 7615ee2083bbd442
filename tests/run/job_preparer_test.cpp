#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "run/job_preparer.hpp"
#include "test_paths.hpp"

using namespace tb;

namespace {

// A plan over `cases` one-message cases, `variants` variants, `repeats` repeats.
struct PlanFixture {
  test::TempDir dir;
  Suite suite;
  std::unique_ptr<Plan> plan;

  PlanFixture(int cases, std::size_t variants, int repeats) {
    std::string lines;
    for (int i = 0; i < cases; ++i)
      lines += R"({"messages":[{"role":"user","content":"case )" + std::to_string(i) +
               R"("}]})"
               "\n";
    test::write_text(dir / "cases.jsonl", lines);
    suite.dataset_file = dir / "cases.jsonl";
    suite.dataset_display = "cases.jsonl";
    suite.run.repeats = repeats;
    plan = std::make_unique<Plan>(suite, variants);
    Diagnostic error;
    REQUIRE(plan->open(error));
  }
};

// Takes jobs until the end, sleeping on the ready signal when none is prepared yet.
struct Consumer {
  std::mutex mutex;
  std::condition_variable cv;
  bool ready = false;
  std::atomic<int> wakeups{0};

  void signal() {
    ++wakeups;
    {
      std::lock_guard lock(mutex);
      ready = true;
    }
    cv.notify_one();
  }

  JobPreparer::Take take(JobPreparer& preparer, PreparedJob& out) {
    while (true) {
      const auto t = preparer.take(out);
      if (t != JobPreparer::Take::none_yet) return t;
      std::unique_lock lock(mutex);
      cv.wait_for(lock, std::chrono::seconds(5), [&] { return ready; });
      ready = false;
    }
  }
};

}  // namespace

TEST_CASE(
    "the preparer hands out every job once, in plan order, never more than its capacity ahead",
    "[preparer]") {
  PlanFixture f(50, 2, 3);  // 300 jobs
  constexpr std::size_t kCapacity = 8;
  std::atomic<long long> prepared{0}, taken{0}, most_ahead{0};
  Consumer consumer;
  JobPreparer preparer(
      *f.plan,
      [&](Job job) {
        const long long ahead = prepared - taken;
        if (ahead > most_ahead) most_ahead = ahead;
        ++prepared;
        PreparedJob p;
        p.body = "case " + std::to_string(job.planned->test_case.index) + " variant " +
                 std::to_string(job.variant) + " repeat " + std::to_string(job.repeat);
        p.job = std::move(job);
        return p;
      },
      kCapacity, [&] { consumer.signal(); });

  std::vector<std::string> bodies;
  PreparedJob p;
  while (consumer.take(preparer, p) == JobPreparer::Take::job) {
    ++taken;
    bodies.push_back(p.body);
    if (bodies.size() % 50 == 0)
      std::this_thread::sleep_for(std::chrono::milliseconds(2));  // let it fill up
  }
  REQUIRE(bodies.size() == 300);
  std::size_t i = 0;
  for (int c = 0; c < 50; ++c)
    for (int v = 0; v < 2; ++v)
      for (int r = 0; r < 3; ++r)
        CHECK(bodies[i++] == "case " + std::to_string(c) + " variant " + std::to_string(v) +
                                 " repeat " + std::to_string(r));
  CHECK(most_ahead <= static_cast<long long>(kCapacity));
  CHECK(most_ahead >=
        static_cast<long long>(kCapacity / 2));       // it did fill up while the consumer slept
  CHECK(preparer.take(p) == JobPreparer::Take::end);  // and stays ended
}

TEST_CASE("what preparing throws reaches the consumer, after the jobs prepared before it",
          "[preparer]") {
  PlanFixture f(10, 1, 1);
  Consumer consumer;
  JobPreparer preparer(
      *f.plan,
      [&](Job job) {
        if (job.planned->test_case.index == 3) throw std::runtime_error("cannot prepare case 3");
        PreparedJob p;
        p.job = std::move(job);
        return p;
      },
      4, [&] { consumer.signal(); });
  PreparedJob p;
  for (int i = 0; i < 3; ++i) {
    REQUIRE(consumer.take(preparer, p) == JobPreparer::Take::job);
    CHECK(p.job.planned->test_case.index == static_cast<std::size_t>(i));
  }
  CHECK_THROWS_WITH(consumer.take(preparer, p), "cannot prepare case 3");
  CHECK(preparer.take(p) == JobPreparer::Take::end);
}

TEST_CASE("a stopped preparer prepares nothing more and ends while it waits for room",
          "[preparer]") {
  PlanFixture f(1000, 1, 1);
  std::atomic<int> prepared{0};
  auto preparer = std::make_unique<JobPreparer>(
      *f.plan,
      [&](Job job) {
        ++prepared;
        PreparedJob p;
        p.job = std::move(job);
        return p;
      },
      16, [] {});
  for (int i = 0; i < 500 && prepared < 16; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  CHECK(prepared == 16);  // full: it waits for room
  preparer->stop();
  const auto start = std::chrono::steady_clock::now();
  preparer.reset();  // joins
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(2));
  CHECK(prepared == 16);
}
