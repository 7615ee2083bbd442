#pragma once
// Threads that work for the network thread (preparing jobs, writing results) yield to it: when
// both cores are busy the scheduler lets the network thread run first, and the helpers catch up
// in the gaps (their queues are bounded, so they cannot fall behind without limit).
namespace tb {

// Lowers the calling thread's scheduling priority; does nothing where that is not supported.
void run_in_background();

}  // namespace tb
