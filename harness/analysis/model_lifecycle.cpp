#include "analysis/model_lifecycle.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>

namespace tb {
namespace {

std::optional<std::chrono::sys_days> parse_date(const std::string& text) {
  int y = 0;
  unsigned m = 0, d = 0;
  char tail = 0;
  if (text.size() != 10 || std::sscanf(text.c_str(), "%4d-%2u-%2u%c", &y, &m, &d, &tail) != 3)
    return std::nullopt;
  const std::chrono::year_month_day date{std::chrono::year(y), std::chrono::month(m),
                                         std::chrono::day(d)};
  if (!date.ok()) return std::nullopt;
  return std::chrono::sys_days(date);
}

}  // namespace

std::optional<long long> days_between(const std::string& from, const std::string& to) {
  const auto a = parse_date(from);
  const auto b = parse_date(to);
  if (!a || !b) return std::nullopt;
  return static_cast<long long>((*b - *a).count());
}

std::string today_utc() {
  if (const char* fixed = std::getenv("TUNEBENCH_TODAY"); fixed != nullptr && parse_date(fixed))
    return fixed;
  const std::chrono::year_month_day date{
      std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now())};
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
  return text;
}

LifecycleStatus lifecycle_status(const ModelLifecycle& lifecycle, const std::string& today,
                                 bool fine_tuned, long long warn_days) {
  LifecycleStatus status;
  const std::string instead =
      lifecycle.replacement ? "; replacement: " + *lifecycle.replacement : "";
  if (lifecycle.retired) {
    status.kind = LifecycleStatus::Kind::shut_down;
    status.text = "retired by its provider" + instead;
    return status;
  }
  if (!lifecycle.shutdown) return status;
  const auto days = days_between(today, *lifecycle.shutdown);
  if (!days) return status;
  const std::string fine_tunes =
      fine_tuned ? " (every fine-tune on its base model stops with it)" : "";
  if (*days <= 0) {
    status.kind = LifecycleStatus::Kind::shut_down;
    status.text = "shut down on " + *lifecycle.shutdown + fine_tunes + instead;
  } else if (*days <= warn_days) {
    status.kind = LifecycleStatus::Kind::shutting_down;
    status.days_left = *days;
    status.text = "shuts down on " + *lifecycle.shutdown + " (in " + std::to_string(*days) +
                  (*days == 1 ? " day)" : " days)") + fine_tunes + instead;
    if (fine_tuned && lifecycle.fine_tuning_ends) {
      const auto jobs = days_between(today, *lifecycle.fine_tuning_ends);
      status.text += jobs && *jobs < 0
                         ? "; new fine-tuning jobs ended on " + *lifecycle.fine_tuning_ends
                         : "; new fine-tuning jobs end on " + *lifecycle.fine_tuning_ends;
    }
  } else {
    status.text = "shuts down on " + *lifecycle.shutdown + instead;
  }
  return status;
}

}  // namespace tb
