#include "score/json_extract.hpp"

#include <optional>
#include <vector>

#include "common/text.hpp"

namespace tb {
namespace {

// A hand-written scanner rather than nlohmann's parser because it must find where a value ends
// inside arbitrary text, fail fast on prose, tell a truncated value from a broken one, and (in
// lenient mode) rewrite the common LLM mistakes into strict JSON. It never recurses: nesting is
// an explicit stack bounded by kMaxJsonDepth. nlohmann stays the final judge of a found range.

enum class ScanEnd { complete, error, truncated, too_deep };

enum Repair : unsigned {
  kTrailingComma = 1,
  kSingleQuotes = 2,
  kUnquotedKeys = 4,
  kComments = 8,
  kControlChars = 16,
};

struct ScanResult {
  ScanEnd end = ScanEnd::error;
  std::size_t stop = 0;  // complete: one past the value; error: the offending byte
  // Lenient mode only.
  unsigned repairs = 0;
  int closed_quotes = 0;
  int closed_brackets = 0;
  bool dropped_partial = false;
  std::string repaired;  // the value rewritten as strict JSON
};

enum class Expect { value, value_or_close, key, key_or_close, colon, comma_or_close };

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_hex(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
bool is_ident_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$';
}
bool is_ident(char c) { return is_ident_start(c) || is_digit(c); }
bool is_number_char(char c) {
  return is_digit(c) || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
}

// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
bool valid_number(std::string_view s) {
  std::size_t i = 0;
  if (i < s.size() && s[i] == '-') ++i;
  if (i >= s.size()) return false;
  if (s[i] == '0') {
    ++i;
  } else if (is_digit(s[i])) {
    while (i < s.size() && is_digit(s[i])) ++i;
  } else {
    return false;
  }
  if (i < s.size() && s[i] == '.') {
    ++i;
    const std::size_t digits = i;
    while (i < s.size() && is_digit(s[i])) ++i;
    if (i == digits) return false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    const std::size_t digits = i;
    while (i < s.size() && is_digit(s[i])) ++i;
    if (i == digits) return false;
  }
  return i == s.size();
}

class Scanner {
 public:
  // The end of `text` is the end of the input as far as the scan is concerned (a fence's close).
  Scanner(std::string_view text, bool lenient) : t_(text), lenient_(lenient) {}

  // text[start] is '{' or '['.
  ScanResult scan(std::size_t start) {
    r_ = ScanResult{};
    stack_.clear();
    members_.clear();
    i_ = start;
    Expect expect = Expect::value;
    for (;;) {
      skip_space();
      if (i_ >= t_.size()) return truncated(expect);
      const char c = t_[i_];
      bool value_done = false;
      switch (expect) {
        case Expect::value_or_close:
        case Expect::value:
          if (c == ']' && (expect == Expect::value_or_close || (lenient_ && top() == '['))) {
            if (expect == Expect::value) drop_trailing_comma();
            if (!close(c)) return finish(ScanEnd::error);
            value_done = true;
            break;
          }
          if (c == '{' || c == '[') {
            if (stack_.size() >= kMaxJsonDepth) return finish(ScanEnd::too_deep);
            stack_.push_back(c);
            emit(c);
            members_.push_back(r_.repaired.size());
            ++i_;
            expect = c == '{' ? Expect::key_or_close : Expect::value_or_close;
            break;
          }
          if (c == '"' || (lenient_ && c == '\'')) {
            const Lex lex = string(c);
            if (lex == Lex::truncated) return truncated_string();
            if (lex == Lex::error) return finish(ScanEnd::error);
            value_done = true;
            break;
          }
          if (c == '-' || is_digit(c)) {
            std::size_t j = i_;
            while (j < t_.size() && is_number_char(t_[j])) ++j;
            if (!valid_number(t_.substr(i_, j - i_))) {
              if (j == t_.size()) return truncated_partial();
              return finish(ScanEnd::error);
            }
            emit(t_.substr(i_, j - i_));
            i_ = j;
            value_done = true;
            break;
          }
          if (c == 't' || c == 'f' || c == 'n') {
            const std::string_view word = c == 't' ? "true" : c == 'f' ? "false" : "null";
            const std::string_view have = t_.substr(i_, word.size());
            if (have.size() < word.size() && word.starts_with(have)) return truncated_partial();
            if (have != word) return finish(ScanEnd::error);
            emit(word);
            i_ += word.size();
            value_done = true;
            break;
          }
          return finish(ScanEnd::error);
        case Expect::key_or_close:
        case Expect::key:
          if (c == '}' && (expect == Expect::key_or_close || lenient_)) {
            if (expect == Expect::key) drop_trailing_comma();
            if (!close(c)) return finish(ScanEnd::error);
            value_done = true;
            break;
          }
          if (c == '"' || (lenient_ && c == '\'')) {
            const Lex lex = string(c);
            if (lex == Lex::truncated) return truncated_partial();
            if (lex == Lex::error) return finish(ScanEnd::error);
          } else if (lenient_ && is_ident_start(c)) {
            std::size_t j = i_;
            while (j < t_.size() && is_ident(t_[j])) ++j;
            if (j == t_.size()) return truncated_partial();
            emit('"');
            emit(t_.substr(i_, j - i_));
            emit('"');
            r_.repairs |= kUnquotedKeys;
            i_ = j;
          } else {
            return finish(ScanEnd::error);
          }
          expect = Expect::colon;
          break;
        case Expect::colon:
          if (c != ':') return finish(ScanEnd::error);
          emit(c);
          ++i_;
          expect = Expect::value;
          break;
        case Expect::comma_or_close:
          if (c == ',') {
            members_.back() = r_.repaired.size();  // where to cut if the next member is partial
            emit(c);
            ++i_;
            expect = top() == '{' ? Expect::key : Expect::value;
            break;
          }
          if (c == '}' || c == ']') {
            if (!close(c)) return finish(ScanEnd::error);
            value_done = true;
            break;
          }
          return finish(ScanEnd::error);
      }
      if (value_done) {
        if (stack_.empty()) {
          r_.stop = i_;
          return finish(ScanEnd::complete);
        }
        expect = Expect::comma_or_close;
      }
    }
  }

 private:
  char top() const { return stack_.empty() ? '\0' : stack_.back(); }

  void emit(char c) {
    if (lenient_) r_.repaired.push_back(c);
  }
  void emit(std::string_view s) {
    if (lenient_) r_.repaired.append(s);
  }

  void skip_space() {
    while (i_ < t_.size()) {
      if (is_space(t_[i_])) {
        ++i_;
      } else if (lenient_ && t_[i_] == '/' && i_ + 1 < t_.size() && t_[i_ + 1] == '/') {
        r_.repairs |= kComments;
        const std::size_t eol = t_.find('\n', i_);
        i_ = eol == std::string_view::npos ? t_.size() : eol + 1;
      } else if (lenient_ && t_[i_] == '/' && i_ + 1 < t_.size() && t_[i_ + 1] == '*') {
        r_.repairs |= kComments;
        const std::size_t end = t_.find("*/", i_ + 2);
        i_ = end == std::string_view::npos ? t_.size() : end + 2;
      } else {
        return;
      }
    }
  }

  // Removes the ',' emitted before a close bracket: "[1,]" -> "[1]".
  void drop_trailing_comma() {
    r_.repairs |= kTrailingComma;
    if (!r_.repaired.empty() && r_.repaired.back() == ',') r_.repaired.pop_back();
  }

  bool close(char c) {
    const char want = top() == '{' ? '}' : ']';
    if (c != want) return false;
    stack_.pop_back();
    members_.pop_back();
    emit(c);
    ++i_;
    return true;
  }

  enum class Lex { ok, truncated, error };

  // Scans a string starting at the quote at i_; on error i_ is the offending byte.
  Lex string(char quote) {
    if (quote == '\'') r_.repairs |= kSingleQuotes;
    emit('"');
    ++i_;
    while (i_ < t_.size()) {
      const char c = t_[i_];
      if (c == quote) {
        emit('"');
        ++i_;
        return Lex::ok;
      }
      if (c == '\\') {
        if (i_ + 1 >= t_.size()) return Lex::truncated;
        const char e = t_[i_ + 1];
        if (e == 'u') {
          if (t_.size() - i_ < 6) {
            for (std::size_t k = i_ + 2; k < t_.size(); ++k) {
              if (!is_hex(t_[k])) return error_at(k);
            }
            return Lex::truncated;
          }
          for (std::size_t k = i_ + 2; k < i_ + 6; ++k) {
            if (!is_hex(t_[k])) return error_at(k);
          }
          emit(t_.substr(i_, 6));
          i_ += 6;
        } else if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' ||
                   e == 'r' || e == 't') {
          emit(t_.substr(i_, 2));
          i_ += 2;
        } else if (lenient_ && quote == '\'' && e == '\'') {
          emit('\'');
          i_ += 2;
        } else {
          return error_at(i_);
        }
      } else if (static_cast<unsigned char>(c) < 0x20) {
        if (!lenient_) return error_at(i_);
        r_.repairs |= kControlChars;
        static constexpr char kHex[] = "0123456789abcdef";
        const auto u = static_cast<unsigned char>(c);
        if (c == '\n') emit("\\n");
        else if (c == '\r') emit("\\r");
        else if (c == '\t') emit("\\t");
        else emit({'\\', 'u', '0', '0', kHex[u >> 4], kHex[u & 15]});
        ++i_;
      } else if (c == '"') {  // inside a single-quoted string
        emit("\\\"");
        ++i_;
      } else {
        emit(c);
        ++i_;
      }
    }
    return Lex::truncated;
  }

  void emit(std::initializer_list<char> chars) {
    if (lenient_) r_.repaired.append(chars.begin(), chars.end());
  }

  Lex error_at(std::size_t at) {
    i_ = at;
    return Lex::error;
  }

  ScanResult finish(ScanEnd end) {
    r_.end = end;
    if (end == ScanEnd::error) r_.stop = i_;
    return std::move(r_);
  }

  // The input ended inside a string value: it keeps its text and gets its closing quote.
  ScanResult truncated_string() {
    if (!lenient_) return finish(ScanEnd::truncated);
    emit('"');
    ++r_.closed_quotes;
    return close_all();
  }

  // The input ended inside a member (a partial literal, number or key): a member without its
  // value is no JSON, so it is cut off.
  ScanResult truncated_partial() {
    if (!lenient_) return finish(ScanEnd::truncated);
    r_.repaired.resize(members_.back());
    r_.dropped_partial = true;
    return close_all();
  }

  // The input ended between tokens.
  ScanResult truncated(Expect expect) {
    if (!lenient_) return finish(ScanEnd::truncated);
    if (expect == Expect::colon || (expect == Expect::value && top() == '{')) {
      return truncated_partial();  // a key without its value
    }
    if (expect == Expect::key || expect == Expect::value) {
      r_.repaired.resize(members_.back());  // a dangling ','
    }
    return close_all();
  }

  ScanResult close_all() {
    while (!stack_.empty()) {
      emit(top() == '{' ? '}' : ']');
      stack_.pop_back();
      ++r_.closed_brackets;
    }
    return finish(ScanEnd::truncated);
  }

  std::string_view t_;
  bool lenient_;
  std::size_t i_ = 0;
  std::vector<char> stack_;           // the open brackets
  std::vector<std::size_t> members_;  // per open bracket: repaired.size() before its last member
  ScanResult r_;
};

struct Range {
  std::size_t begin, end;
};

// ``` blocks, with an optional info word (```json); an unclosed fence runs to the end, as
// truncated answers often leave it.
std::vector<Range> find_fences(std::string_view text) {
  std::vector<Range> fences;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t open = text.find("```", pos);
    if (open == std::string_view::npos) break;
    std::size_t content = open + 3;
    while (content < text.size() && text[content] == '`') ++content;
    std::size_t info = content;
    while (info < text.size() && (is_ident(text[info]) || text[info] == '-' ||
                                  text[info] == '+' || text[info] == '.')) {
      ++info;
    }
    if (info == text.size() || is_space(text[info])) content = info;
    const std::size_t close = text.find("```", content);
    if (close == std::string_view::npos) {
      fences.push_back({content, text.size()});
      break;
    }
    fences.push_back({content, close});
    pos = close + 3;
    while (pos < text.size() && text[pos] == '`') ++pos;
  }
  return fences;
}

std::string repair_note(const ScanResult& r) {
  std::vector<std::string> parts;
  if (r.repairs & kTrailingComma) parts.emplace_back("trailing comma");
  if (r.repairs & kSingleQuotes) parts.emplace_back("single quotes");
  if (r.repairs & kUnquotedKeys) parts.emplace_back("unquoted keys");
  if (r.repairs & kComments) parts.emplace_back("comments");
  if (r.repairs & kControlChars) parts.emplace_back("control characters in strings");
  if (r.end == ScanEnd::truncated) {
    std::string t = "truncated: ";
    if (r.dropped_partial) t += "dropped a partial member, ";
    std::vector<std::string> closed;
    const auto count = [](int n, const char* word) {
      return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
    };
    if (r.closed_quotes > 0) closed.push_back(count(r.closed_quotes, "quote"));
    if (r.closed_brackets > 0) closed.push_back(count(r.closed_brackets, "bracket"));
    t += closed.empty() ? std::string("closed nothing")
                        : "closed " + closed[0] + (closed.size() > 1 ? " and " + closed[1] : "");
    parts.push_back(std::move(t));
  }
  std::string note;
  for (const auto& p : parts) note += (note.empty() ? "" : ", ") + p;
  return note;
}

// The outcome of searching one stretch of text.
struct Found {
  bool strict = false;      // a strictly valid value: the search is over
  bool repairable = false;  // the first value a lenient repair recovers
  JsonExtraction x;
};

class Extractor {
 public:
  explicit Extractor(std::string_view text) : text_(text) {}

  // Values starting in [lo, hi), not reading past hi, nor starting inside `skip` (fences
  // searched already). One lenient scan per candidate serves both purposes: lenient JSON is a
  // superset of JSON, so a scan that needed no repair read a strictly valid value. Each scan
  // resumes where the previous one ended: a complete value nested in a broken or cut-off one
  // is a fragment, not an answer (`{a: 1, b: [true]}` is a repairable object, not an array).
  Found search(std::size_t lo, std::size_t hi, const std::vector<Range>& skip) {
    Found f;
    Scanner scanner(text_.substr(0, hi), /*lenient=*/true);
    std::size_t next_skip = 0;
    std::size_t p = lo;
    while (p < hi) {
      while (next_skip < skip.size() && skip[next_skip].end <= p) ++next_skip;
      if (next_skip < skip.size() && skip[next_skip].begin <= p) {
        p = skip[next_skip].end;
        continue;
      }
      const char c = text_[p];
      if (c != '{' && c != '[') {
        ++p;
        continue;
      }
      ScanResult r = scanner.scan(p);
      switch (r.end) {
        case ScanEnd::complete:
          if (r.repairs == 0) {
            if (accept(text_.substr(p, r.stop - p), f.x)) {
              f.strict = true;
              f.x.found = true;
              f.x.begin = p;
              f.x.end = r.stop;
              return f;
            }
            // Rejected by nlohmann (invalid UTF-8, a lone surrogate): neither kind.
          } else if (!f.repairable) {
            note_repair(p, r.stop, r, f);
          }
          p = r.stop;
          break;
        case ScanEnd::error:
          p = r.stop;
          break;
        case ScanEnd::truncated:
          // Everything after p belongs to this cut-off value.
          if (!f.repairable) note_repair(p, hi, r, f);
          return f;
        case ScanEnd::too_deep:
          return f;
      }
    }
    return f;
  }

  bool whole(std::size_t tb, std::size_t te, JsonExtraction& x) {
    const char c = text_[tb];
    if (c == '{' || c == '[') {
      Scanner scanner(text_.substr(0, te), /*lenient=*/false);
      const ScanResult r = scanner.scan(tb);
      if (r.end != ScanEnd::complete || r.stop != te) return false;
    } else if (!(c == '"' || c == '-' || is_digit(c) || c == 't' || c == 'f' || c == 'n')) {
      return false;
    }
    if (!accept(text_.substr(tb, te - tb), x)) return false;
    x.found = x.whole = true;
    x.begin = tb;
    x.end = te;
    return true;
  }

 private:
  static bool accept(std::string_view json, JsonExtraction& x) {
    auto v = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
    if (v.is_discarded()) return false;
    x.value = std::move(v);
    return true;
  }

  static void note_repair(std::size_t begin, std::size_t end, const ScanResult& r, Found& f) {
    JsonExtraction x;
    if (!accept(r.repaired, x)) return;
    x.repairable = true;
    x.repair_note = repair_note(r);
    x.begin = begin;
    x.end = end;
    f.repairable = true;
    f.x = std::move(x);
  }

  std::string_view text_;
};

}  // namespace

JsonExtraction extract_json(std::string_view text) {
  JsonExtraction x;
  const std::string_view trimmed = trim(text);
  if (trimmed.empty()) return x;
  const auto tb = static_cast<std::size_t>(trimmed.data() - text.data());
  const std::size_t te = tb + trimmed.size();
  Extractor extractor(text);
  if (extractor.whole(tb, te, x)) return x;
  const auto fences = find_fences(text);
  std::optional<JsonExtraction> repairable;
  for (const auto& fence : fences) {
    Found f = extractor.search(fence.begin, fence.end, {});
    f.x.fenced = f.strict || f.repairable;
    if (f.strict) return std::move(f.x);
    if (f.repairable && !repairable) repairable = std::move(f.x);
  }
  Found f = extractor.search(0, text.size(), fences);
  if (f.strict) return std::move(f.x);
  if (f.repairable && !repairable) repairable = std::move(f.x);
  if (repairable) return std::move(*repairable);
  return x;
}

}  // namespace tb
