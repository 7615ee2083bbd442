#include "store/process_identity.hpp"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>

namespace tb {
namespace {

// Fields 3 (state) and 22 (starttime) of /proc/PID/stat; the command name (field 2) may hold
// spaces and parentheses, so fields are counted after its closing parenthesis. Empty when there
// is no such process (or no /proc).
struct ProcStat {
  std::string state, start;
};

ProcStat proc_stat(long long pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  if (!std::getline(in, stat)) return {};
  const auto close = stat.rfind(')');
  if (close == std::string::npos) return {};
  std::istringstream fields(stat.substr(close + 1));
  ProcStat out;
  std::string field;
  for (int i = 3; i <= 22 && fields >> field; ++i) {
    if (i == 3) out.state = field;
    if (i == 22) out.start = field;
  }
  return out;
}

}  // namespace

const ProcessIdentity& ProcessIdentity::self() {
  static const ProcessIdentity me = [] {
    ProcessIdentity p;
    p.pid = static_cast<long long>(::getpid());
    char name[256] = {};
    if (::gethostname(name, sizeof name - 1) == 0) p.host = name;
    p.start = proc_stat(p.pid).start;
    return p;
  }();
  return me;
}

bool ProcessIdentity::alive_here() const {
  if (pid <= 0) return false;
  if (::kill(static_cast<pid_t>(pid), 0) != 0 && errno != EPERM) return false;
  // The pid exists; it is the same process unless it started at another time (pid reuse). A
  // killed process that its parent has not yet reaped (a zombie) is gone too.
  const ProcStat now = proc_stat(pid);
  if (now.state == "Z" || now.state == "X") return false;
  return start.empty() || now.start.empty() || now.start == start;
}

}  // namespace tb
