#include <catch2/catch.hpp>

#include <limits>

#include "report/verdict_text.hpp"

using namespace tb;

TEST_CASE("volumes read with two significant figures, more when an interval is narrow",
          "[report][decide]") {
  CHECK(format_volume(913) == "910");
  CHECK(format_volume(1394) == "1,400");
  CHECK(format_volume(612.4) == "610");
  CHECK(format_volume(2083.3, 3) == "2,080");
  CHECK(format_volume(std::numeric_limits<double>::infinity()) == "never");
  CHECK(volume_with_interval(900, 612, 1394) == "900 requests a month; 95% interval 610 to 1,400");
  // 150 to 150 would say nothing: the digits grow until the ends read apart from the estimate.
  CHECK(volume_with_interval(152.03, 149.06, 154.95) ==
        "152 requests a month; 95% interval 149 to 155");
  CHECK(volume_with_interval(10040, 9812, 10230) ==
        "10,000 requests a month; 95% interval 9,810 to 10,200");
  CHECK(volume_with_interval(4620, 4580, 4690) ==
        "4,620 requests a month; 95% interval 4,580 to 4,690");
  CHECK(volume_with_interval(1000, 700, std::numeric_limits<double>::infinity()) ==
        "1,000 requests a month; 95% interval 700 to never");
}
