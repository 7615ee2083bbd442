#include <catch2/catch.hpp>

#include <thread>

#include "common/background_thread.hpp"

#if defined(__linux__)
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

TEST_CASE("a background thread runs at a lower priority, the others keep theirs", "[threads]") {
#if defined(__linux__)
  const auto nice_of = [](long tid) { return getpriority(PRIO_PROCESS, static_cast<id_t>(tid)); };
  const long main_tid = syscall(SYS_gettid);
  const int before = nice_of(main_tid);
  int helper_nice = -100;
  std::thread helper([&] {
    tb::run_in_background();
    helper_nice = nice_of(syscall(SYS_gettid));
  });
  helper.join();
  CHECK(helper_nice == std::min(19, before + 5));
  CHECK(nice_of(main_tid) == before);
#else
  SUCCEED("thread priorities are only lowered on Linux");
#endif
}
