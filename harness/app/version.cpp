#include "app/version.hpp"

// Generated at every build by cmake/git_revision.cmake; only this file includes it, so a new
// commit recompiles one small file.
#include "git_revision.hpp"

namespace tb {

std::string version_text() {
  return "tunebench " TUNEBENCH_VERSION " (git " TUNEBENCH_GIT_REVISION ")";
}

}  // namespace tb
