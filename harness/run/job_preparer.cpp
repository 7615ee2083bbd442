#include "run/job_preparer.hpp"

#include "common/background_thread.hpp"

namespace tb {

JobPreparer::JobPreparer(Plan& plan, Prepare prepare, std::size_t capacity,
                         std::function<void()> ready)
    : plan_(plan),
      prepare_(std::move(prepare)),
      capacity_(std::max<std::size_t>(1, capacity)),
      ready_(std::move(ready)) {
  thread_ = std::thread([this] {
    run_in_background();
    loop();
  });
}

JobPreparer::~JobPreparer() {
  stop();
  thread_.join();
}

void JobPreparer::stop() {
  {
    std::lock_guard lock(mutex_);
    stopped_ = true;
  }
  room_.notify_one();
}

void JobPreparer::loop() {
  while (true) {
    {
      // Preparing resumes only when half the room is free again: one wake-up of this thread per
      // capacity/2 jobs, not one per job.
      std::unique_lock lock(mutex_);
      if (jobs_.size() >= capacity_) {
        full_ = true;
        room_.wait(lock, [&] { return stopped_ || jobs_.size() <= capacity_ / 2; });
        full_ = false;
      }
      if (stopped_) return;
    }
    bool end = false;
    PreparedJob prepared;
    std::exception_ptr failure;
    try {
      auto job = plan_.next();
      if (job)
        prepared = prepare_(std::move(*job));
      else
        end = true;
    } catch (...) {
      failure = std::current_exception();
      end = true;
    }
    bool wake = false;
    {
      std::lock_guard lock(mutex_);
      if (end) {
        ended_ = true;
        failure_ = failure;
      } else {
        jobs_.push_back(std::move(prepared));
      }
      wake = starving_;
      starving_ = false;
    }
    if (wake) ready_();
    if (end) return;
  }
}

JobPreparer::Take JobPreparer::take(PreparedJob& out) {
  bool make_room = false;
  {
    std::lock_guard lock(mutex_);
    if (jobs_.empty()) {
      if (ended_) {
        if (failure_) std::rethrow_exception(std::exchange(failure_, nullptr));
        return Take::end;
      }
      starving_ = true;
      return Take::none_yet;
    }
    out = std::move(jobs_.front());
    jobs_.pop_front();
    make_room = full_ && jobs_.size() <= capacity_ / 2;
  }
  if (make_room) room_.notify_one();
  return Take::job;
}

}  // namespace tb
