#pragma once
#include <CLI/CLI.hpp>

namespace tb {

// A check for a number given on the command line: finite and within [min, max] (or above min,
// exclusive). CLI11's NonNegativeNumber and Range let "nan" through (every comparison with it is
// false) and accept "inf"; a cap of nan silently turned --max-cost off. Failing it is a usage
// error (exit 2) naming the flag, the value and what was expected.
CLI::Validator finite_number(double min, double max, bool min_exclusive = false);

}  // namespace tb
