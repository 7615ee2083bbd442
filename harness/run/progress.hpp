#pragma once
#include <cstdio>
#include <string>

namespace tb {

struct ProgressSnapshot {
  long long done = 0;  // results committed to the store
  long long total = 0;
  long long errors = 0;
  long long retries = 0;
  double spend_usd = 0;
  double elapsed_s = 0;
  long long rate_base = 0;  // results that were done before this session (a resume)
};

// Progress on stderr: one updating line on a terminal, a plain line every few seconds when
// piped (CI logs), nothing with --quiet.
class Progress {
 public:
  enum class Mode { tty, lines, quiet };
  static Mode detect(bool quiet);

  explicit Progress(Mode mode, std::FILE* out = stderr) : mode_(mode), out_(out) {}
  void update(const ProgressSnapshot& s);
  void finish(const ProgressSnapshot& s);
  static std::string format(const ProgressSnapshot& s);

 private:
  Mode mode_;
  std::FILE* out_;
  double last_line_s_ = -1;
};

}  // namespace tb
