#include "common/background_thread.hpp"

#include <algorithm>
#include <cerrno>

#if defined(__linux__)
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace tb {

void run_in_background() {
#if defined(__linux__)
  // On Linux a nice value belongs to a thread: PRIO_PROCESS with a thread id sets that thread's
  // alone. Five above the thread's own gives the network thread about three times a helper's
  // share of a contended core. A failure leaves the priority as it was, which is only slower.
  const auto tid = static_cast<id_t>(::syscall(SYS_gettid));
  errno = 0;
  const int current = ::getpriority(PRIO_PROCESS, tid);  // -1 is also a valid nice value
  if (errno != 0) return;
  (void)::setpriority(PRIO_PROCESS, tid, std::min(19, current + 5));
#endif
}

}  // namespace tb
