#pragma once
#include <string>
#include <string_view>

namespace tb {

// API keys are read from the environment in one place and registered here, so that every
// string that may reach the store, a report, a log or an error message can be scrubbed of them
// (servers echo keys in 401 bodies and, hostile or broken, inside answers; users paste them into
// base URLs).
class Secrets {
 public:
  // Reads the variable, registers its value as a secret and returns it (empty when unset).
  static std::string from_env(std::string_view variable);
  static void add(std::string value);
  // Whether any secret is registered: lets a writer skip the scan when none can be present.
  static bool any();

  // Every registered secret replaced by "[REDACTED]", in every form a server may echo it:
  // as written, JSON-escaped (\uXXXX, \/, up to two levels deep), percent-encoded, and split
  // across the content deltas of a server-sent event stream (each piece is replaced).
  static std::string redact(std::string_view text);
  static void redact_in_place(std::string& text);
};

}  // namespace tb
