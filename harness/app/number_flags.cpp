#include "app/number_flags.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "common/text.hpp"

namespace tb {

namespace {

// A bound as a person writes it: 0.5 stays 0.5, 1000000 stays 1000000 (no "%g" exponent).
std::string bound(double v) {
  for (int decimals = 0; decimals < 6; ++decimals)
    if (std::fabs(v * std::pow(10.0, decimals) - std::round(v * std::pow(10.0, decimals))) < 1e-9)
      return fixed(v, decimals);
  return fixed(v, 6);
}

}  // namespace

CLI::Validator finite_number(double min, double max, bool min_exclusive) {
  std::string expected = "a finite number ";
  if (max == std::numeric_limits<double>::max())
    expected += min_exclusive ? "> " + bound(min) : ">= " + bound(min);
  else if (min_exclusive)
    expected += "above " + bound(min) + " and at most " + bound(max);
  else
    expected += "from " + bound(min) + " to " + bound(max);
  return CLI::Validator(
      [=](std::string& text) -> std::string {
        errno = 0;
        char* end = nullptr;
        const double v = std::strtod(text.c_str(), &end);
        const bool parsed = end != text.c_str() && *end == '\0';
        if (!parsed || errno == ERANGE || !std::isfinite(v) || v < min || v > max ||
            (min_exclusive && v == min))
          return "expected " + expected + "; got \"" + text + "\"";
        return {};
      },
      expected.substr(std::string("a ").size()));
}

}  // namespace tb
