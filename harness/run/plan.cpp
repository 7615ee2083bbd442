#include "run/plan.hpp"

#include "score/check.hpp"

namespace tb {

Plan::Plan(const Suite& suite, std::size_t variants, std::optional<Shard> shard)
    : suite_(suite),
      variants_(variants),
      shard_(shard),
      reader_(suite.dataset_file, suite.dataset_display) {}

bool Plan::open(Diagnostic& error) { return reader_.open(error); }

bool Plan::advance_case() {
  auto c = std::make_shared<PlannedCase>();
  while (true) {
    if (suite_.limit && cases_read_ >= *suite_.limit) return false;
    Diagnostic d;
    const auto status = reader_.next(c->test_case, d);
    if (status == DatasetReader::Status::end) return false;
    if (status == DatasetReader::Status::error) {
      error_ = d;
      return false;
    }
    ++cases_read_;
    if (!shard_ || in_shard(*shard_, c->test_case.id)) break;
  }
  if (c->test_case.checks.is_array()) {
    // Validated by the preflight; a failure here would mean the file changed under us.
    const CheckContext context{suite_.dataset_file};
    for (const auto& spec : c->test_case.checks) {
      std::string message;
      auto check = make_check(spec, context, message);
      if (!check) {
        error_ = Diagnostic{suite_.dataset_display, c->test_case.line, "checks", message};
        return false;
      }
      c->checks.push_back(std::move(check));
    }
  }
  if (on_case_) on_case_(c->test_case);
  current_ = std::move(c);
  variant_ = 0;
  repeat_ = 0;
  return true;
}

std::optional<Job> Plan::next() {
  while (true) {
    if (!current_ || variant_ >= variants_) {
      if (error_ || !advance_case()) {
        current_.reset();
        return std::nullopt;
      }
    }
    Job job{current_, variant_, repeat_};
    if (++repeat_ >= suite_.run.repeats) {
      repeat_ = 0;
      ++variant_;
    }
    if (skip_ && skip_(job.variant, static_cast<long long>(job.planned->test_case.index), job.repeat))
      continue;
    return job;
  }
}

}  // namespace tb
