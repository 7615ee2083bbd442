#pragma once
#include <string>

namespace tb {

// "tunebench 0.1.0 (git 1a2b3c4d5e6f)": the release and the commit it was built from (with
// "-dirty" when the tree had uncommitted changes), for `tunebench --version` and bug reports.
std::string version_text();

}  // namespace tb
