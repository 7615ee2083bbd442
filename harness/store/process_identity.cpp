#include "store/process_identity.hpp"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>

namespace tb {
namespace {

// Field 22 of /proc/PID/stat (starttime); the command name (field 2) may hold spaces and
// parentheses, so fields are counted after its closing parenthesis.
std::string start_ticks(long long pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  if (!std::getline(in, stat)) return {};
  const auto close = stat.rfind(')');
  if (close == std::string::npos) return {};
  std::istringstream fields(stat.substr(close + 1));
  std::string field;
  for (int i = 3; i <= 22 && fields >> field; ++i) {
    if (i == 22) return field;
  }
  return {};
}

}  // namespace

const ProcessIdentity& ProcessIdentity::self() {
  static const ProcessIdentity me = [] {
    ProcessIdentity p;
    p.pid = static_cast<long long>(::getpid());
    char name[256] = {};
    if (::gethostname(name, sizeof name - 1) == 0) p.host = name;
    p.start = start_ticks(p.pid);
    return p;
  }();
  return me;
}

bool ProcessIdentity::alive_here() const {
  if (pid <= 0) return false;
  if (::kill(static_cast<pid_t>(pid), 0) != 0 && errno != EPERM) return false;
  // The pid exists; it is the same process unless it started at another time (pid reuse).
  const std::string now = start_ticks(pid);
  return start.empty() || now.empty() || now == start;
}

}  // namespace tb
