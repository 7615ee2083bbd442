#include "app/number_flags.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "common/text.hpp"

namespace tb {

CLI::Validator finite_number(double min, double max, bool min_exclusive) {
  std::string expected = "a finite number ";
  if (max == std::numeric_limits<double>::max())
    expected += min_exclusive ? "> " + fixed(min, 0) : ">= " + fixed(min, 0);
  else
    expected += "from " + fixed(min, 0) + " to " + fixed(max, 0);
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
