#pragma once
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace tb {

// A check's regular expression (PCRE2, UTF and Unicode properties, flags i/m/s/x), compiled once
// with the JIT and shared by the checks that take one, so a pattern moves between them unchanged.
class CheckPattern {
 public:
  // nullopt with `error` naming the key: "flags: unknown flag 'q'; ..." or
  // "pattern: invalid regex at offset N: ...".
  static std::optional<CheckPattern> compile(const std::string& pattern, std::string_view flags,
                                             std::string& error);

  enum class Match { yes, no, error };
  // Searches anywhere in the subject unless the pattern anchors. `error` is a PCRE2 failure,
  // such as invalid UTF-8 in the subject.
  Match search(std::string_view subject) const;
  const std::string& text() const { return text_; }

 private:
  struct Code;
  std::shared_ptr<const Code> code_;
  std::string text_;
};

}  // namespace tb
