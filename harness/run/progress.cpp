#include "run/progress.hpp"

#include <unistd.h>

#include "common/text.hpp"

namespace tb {

Progress::Mode Progress::detect(bool quiet) {
  if (quiet) return Mode::quiet;
  return isatty(fileno(stderr)) ? Mode::tty : Mode::lines;
}

std::string Progress::format(const ProgressSnapshot& s) {
  const double rate = s.elapsed_s > 0 ? static_cast<double>(s.done - s.rate_base) / s.elapsed_s : 0;
  std::string line = with_thousands(s.done) + "/" + with_thousands(s.total) + " done";
  if (s.total > 0) line += " (" + fixed(100.0 * static_cast<double>(s.done) / static_cast<double>(s.total), 0) + "%)";
  line += ", " + fixed(rate, 1) + " req/s, " + std::to_string(s.errors) + " errors, " +
          std::to_string(s.retries) + " retries, $" + fixed(s.spend_usd, 4);
  if (rate > 0 && s.done < s.total) {
    const double eta = static_cast<double>(s.total - s.done) / rate;
    line += ", ETA " + (eta >= 60 ? fixed(eta / 60, 1) + " min" : fixed(eta, 0) + " s");
  }
  return line;
}

void Progress::update(const ProgressSnapshot& s) {
  if (mode_ == Mode::quiet) return;
  if (mode_ == Mode::tty) {
    std::fprintf(out_, "\r\033[K%s", format(s).c_str());
    std::fflush(out_);
    return;
  }
  if (last_line_s_ >= 0 && s.elapsed_s - last_line_s_ < 10) return;
  last_line_s_ = s.elapsed_s;
  std::fprintf(out_, "progress: %s\n", format(s).c_str());
  std::fflush(out_);
}

void Progress::finish(const ProgressSnapshot& s) {
  if (mode_ == Mode::quiet) return;
  if (mode_ == Mode::tty) std::fprintf(out_, "\r\033[K");
  std::fprintf(out_, "finished: %s in %s s\n", format(s).c_str(), fixed(s.elapsed_s, 1).c_str());
  std::fflush(out_);
}

}  // namespace tb
