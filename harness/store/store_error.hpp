#pragma once
#include <stdexcept>

namespace tb {

// A storage failure (disk full, locked, corrupt file): the run cannot go on safely.
class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace tb
